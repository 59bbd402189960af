package pusher

import (
	"slices"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/store"
)

// A local policy's money and messages stay in its issuing region. CONTRACT
// leaves this to the service: a benefit whose text names a place carries its
// own region atoms, but one that names none (a 扬州 notice that just says
// 中小微企业) would otherwise be pushed to a 福州 enterprise, and, worse,
// granted to it. Matches keep their literal CONTRACT verdicts; planning
// applies the scope.

// Scope is the planning limit of one policy version: which of its benefits
// stay within the issuing region. The editor's impact preview uses it to
// count what planning will do.
type Scope struct {
	region string          // the issuing region; "" for a national policy
	placed map[string]bool // benefit keys whose trees name a place themselves
}

// NewScope returns v's scope.
func NewScope(v *corpus.Version) Scope {
	s := Scope{placed: map[string]bool{}}
	if r := v.Document.Region; r != "" && r != region.National {
		s.region = r
	}
	for i := range v.Document.Benefits {
		b := &v.Document.Benefits[i]
		// Keyed as matches are stored (a benefit without a Key gets one).
		s.placed[sweep.BenefitKey(b, i)] = namesPlace(b.Conditions)
	}
	return s
}

// namesPlace reports whether the tree has a region or residence_region atom.
func namesPlace(c *corpus.Cond) bool {
	found := false
	if c != nil {
		c.Walk(func(n *corpus.Cond) bool {
			found = found || n.Field == "region" || n.Field == "residence_region"
			return !found
		})
	}
	return found
}

// InIssuingRegion reports whether planning keeps m: false when m's benefit,
// of a local policy, names no place and m's subject is known to be outside
// the issuing region. A subject whose region is unknown is kept: its verdict
// already rests on the tree alone.
func InIssuingRegion(v *corpus.Version, m store.MatchRecord) bool {
	return !NewScope(v).outside(m)
}

// outside reports whether m's subject is known to be registered (enterprise)
// or to have its 户籍 (resident) outside the policy's issuing region, for a
// benefit whose text names no place.
func (s Scope) outside(m store.MatchRecord) bool {
	return s.Outside(m.BenefitKey, m.Region)
}

// Outside reports whether a subject of subjectRegion ("" when unknown) is
// known to be outside the issuing region for the benefit stored under
// benefitKey, so that planning drops its match.
func (s Scope) Outside(benefitKey, subjectRegion string) bool {
	return !s.placed[benefitKey] && s.OutsideRegion(subjectRegion)
}

// OutsideRegion reports whether subjectRegion is known and outside the
// issuing region of a local policy.
func (s Scope) OutsideRegion(subjectRegion string) bool {
	return s.region != "" && subjectRegion != "" && !region.Within(subjectRegion, s.region)
}

// Limits reports whether the scope can drop any match: the policy is local
// and at least one benefit names no place.
func (s Scope) Limits() bool {
	if s.region == "" {
		return false
	}
	for _, placed := range s.placed {
		if !placed {
			return true
		}
	}
	return false
}

// Placed lists, sorted, the keys of the benefits whose trees name a place:
// the only ones that reach subjects outside the issuing region.
func (s Scope) Placed() []string {
	var out []string
	for k, placed := range s.placed {
		if placed {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
