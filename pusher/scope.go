package pusher

import (
	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/store"
)

// A local policy's money and messages stay in its issuing region. CONTRACT
// leaves this to the service: a benefit whose text names a place carries its
// own region atoms, but one that names none (a 扬州 notice that just says
// 中小微企业) would otherwise be pushed to a 福州 enterprise, and, worse,
// granted to it. Matches keep their literal CONTRACT verdicts; planning
// applies the scope.

// scope is the planning limit of one policy version.
type scope struct {
	region string          // the issuing region; "" for a national policy
	placed map[string]bool // benefit keys whose trees name a place themselves
}

func newScope(v *corpus.Version) scope {
	s := scope{placed: map[string]bool{}}
	if r := v.Document.Region; r != "" && r != region.National {
		s.region = r
	}
	for i := range v.Document.Benefits {
		b := &v.Document.Benefits[i]
		s.placed[b.Key] = namesPlace(b.Conditions)
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
	return !newScope(v).outside(m)
}

// outside reports whether m's subject is known to be registered (enterprise)
// or to have its 户籍 (resident) outside the policy's issuing region, for a
// benefit whose text names no place.
func (s scope) outside(m store.MatchRecord) bool {
	return s.region != "" && !s.placed[m.BenefitKey] && m.Region != "" && !region.Within(m.Region, s.region)
}
