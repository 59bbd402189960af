// Package extract reads Chinese policy text into benefits with computable
// eligibility conditions (CONTRACT §2–4): metadata (title, 文号, issuer and
// its region, dates, audience), the benefits a text grants with their
// amounts, and for each benefit a condition tree whose atoms carry the span
// of text they came from. Clauses the vocabulary cannot express become
// `unparsed` atoms and are listed in Result.Unparsed; nothing is dropped
// silently.
//
// The reader is pattern rules over normalised text (zhnorm.Fold): every
// regular expression is RE2 and every loop is linear in the input, so a
// document of any size is read in time proportional to its length.
package extract

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// Options steer extraction.
type Options struct {
	// Region is the issuing region (6-digit code; 100000 for a national
	// document), used for 本市/本区/本省/辖区内 when the text does not name
	// the place. Empty: taken from the issuer when the text names one.
	Region string
}

// Result is what Extract reads from a policy text; its JSON is the CONTRACT
// §3 form of `zhida extract`.
type Result struct {
	Title       string          `json:"title"`
	DocNumber   string          `json:"doc_number"`
	Issuer      string          `json:"issuer"`
	Region      string          `json:"region"`
	Audience    corpus.Audience `json:"audience"`
	PublishDate corpus.Date     `json:"publish_date"`
	Benefits    []Benefit       `json:"benefits"`
	// Unparsed lists the clauses kept as unparsed atoms.
	Unparsed []string `json:"unparsed"`
}

// Benefit is one thing the policy grants and who qualifies.
type Benefit struct {
	Name       string          `json:"name"`
	Amount     string          `json:"amount"`
	Calc       *corpus.Amount  `json:"calc,omitempty"`
	ApplyFree  bool            `json:"apply_free"`
	Audience   corpus.Audience `json:"audience"`
	Conditions corpus.Cond     `json:"conditions"`
}

// ErrEmpty is returned for a text with nothing but white space.
var ErrEmpty = errors.New("empty policy text")

// Extract reads a policy text. The text must be UTF-8.
func Extract(text string, opts Options) (Result, error) {
	if !utf8.ValidString(text) {
		return Result{}, fmt.Errorf("policy text is not valid UTF-8 (at byte %d)", firstInvalid(text))
	}
	if strings.TrimSpace(text) == "" {
		return Result{}, ErrEmpty
	}
	if opts.Region != "" && (len(opts.Region) != 6 || !allDigits(opts.Region) || !region.Default().Valid(opts.Region)) {
		return Result{}, fmt.Errorf("region %q: want a known 6-digit 行政区划代码 (100000 for a national document)", opts.Region)
	}
	norm := normalize(text)
	doc := parseDocument(norm)
	meta := readMeta(norm)
	res := Result{Title: meta.title, DocNumber: meta.docNumber, Issuer: meta.issuer, PublishDate: meta.published}
	res.Region = opts.Region
	if res.Region == "" {
		res.Region = meta.region
	}
	ctx := &docContext{region: res.Region, audience: guessAudience(norm), partition: partitions(norm)}
	if a := headingAudience(doc); a != "" {
		ctx.audience = a
	} else if hiresFirmAudience(norm) {
		ctx.audience = corpus.AudienceEnterprise // the people named are the hires
	}
	res.Audience = ctx.audience
	var overflow []string
	res.Benefits, overflow = buildBenefits(doc, ctx)
	res.Benefits = keepOwnAudience(res.Benefits, ctx.audience)
	applyFree := applyFreeRe.MatchString(norm)
	seen := map[string]bool{}
	for i := range res.Benefits {
		b := &res.Benefits[i]
		b.ApplyFree = applyFree
		if b.Audience == "" {
			b.Audience = ctx.audience
		}
		if b.Audience == corpus.AudienceBoth {
			b.Audience, b.Conditions = settleAudience(b.Conditions)
		}
		b.Conditions = dropNonConditions(b.Conditions)
		b.Conditions = keepUnread(b.Conditions, b.Amount) // unread.go
		for _, a := range b.Conditions.Atoms() {
			if a.Field == corpus.FieldUnparsed && !seen[a.Text] {
				seen[a.Text] = true
				res.Unparsed = append(res.Unparsed, a.Text)
			}
		}
	}
	res.Unparsed = append(res.Unparsed, overflow...)
	if res.Unparsed == nil {
		res.Unparsed = []string{}
	}
	if res.Benefits == nil {
		res.Benefits = []Benefit{}
	}
	return res, nil
}

// Document returns the result as a policy document draft.
func (r Result) Document() corpus.Document {
	d := corpus.Document{Title: r.Title, DocNumber: r.DocNumber, Issuer: r.Issuer, Region: r.Region,
		Audience: r.Audience, PublishDate: r.PublishDate, Unparsed: append([]string(nil), r.Unparsed...)}
	if r.Region != "" {
		d.Level = corpus.LevelOf(r.Region)
	}
	for i, b := range r.Benefits {
		c := b.Conditions.Clone()
		d.Benefits = append(d.Benefits, corpus.Benefit{Key: fmt.Sprintf("b%d", i+1), Name: b.Name, Amount: b.Amount,
			Calc: b.Calc, ApplyFree: b.ApplyFree, Audience: b.Audience, Conditions: &c})
	}
	return d
}

func firstInvalid(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

func allDigits(s string) bool {
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return true
}

// docContext is what the rules need to know about the whole document.
type docContext struct {
	region   string
	audience corpus.Audience
	// partition holds the bounds the text marks （含）: "field|value|lte"
	// when some N（含）以下 exists, so that a plain N以上 elsewhere is gt.
	partition map[string]bool
}

// partitions finds the explicitly inclusive bounds of the whole text.
func partitions(text string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if !strings.Contains(line, "含") {
			continue // only （含）/（不含） marks a bound explicitly
		}
		for _, s := range splitKeep(line, "。；") {
			for _, chunk := range chunks(s) {
				for _, t := range readThresholds(chunk) {
					if t.explicit && t.field != "" && (t.op == corpus.OpLte || t.op == corpus.OpGte) {
						out[partitionKey(t.field, t.value, t.op)] = true
					}
				}
			}
		}
	}
	return out
}

func partitionKey(field string, v float64, op corpus.Op) string {
	return field + "|" + strconv.FormatFloat(v, 'g', -1, 64) + "|" + string(op)
}

// settleAudience decides the audience of a benefit of a text that
// addresses both kinds of subject by the fields its conditions use: the
// kind whose own fields it names (退役士兵 … age … from one, 实际经营期 from
// the other) is its audience, and an atom on the other kind's field is kept
// unparsed, since that subject has no such key. A tree that names neither
// stays for both.
func settleAudience(c corpus.Cond) (corpus.Audience, corpus.Cond) {
	ent, res := 0, 0
	for _, a := range c.Atoms() {
		if f, ok := corpus.LookupField(a.Field); ok {
			switch f.Audience {
			case corpus.AudienceEnterprise:
				ent++
			case corpus.AudienceResident:
				res++
			}
		}
	}
	switch {
	case ent == 0 && res == 0:
		return corpus.AudienceBoth, c
	case res >= ent:
		return corpus.AudienceResident, fitAudience(c, corpus.AudienceResident)
	default:
		return corpus.AudienceEnterprise, fitAudience(c, corpus.AudienceEnterprise)
	}
}
