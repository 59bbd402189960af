package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// Enterprise size (企业规模) written with the words of the 划型 standard
// that atoms.go's fixed forms (大型企业, 中小微企业, 小微企业) do not
// cover: 中小企业 (medium, small and micro, as the standard defines it),
// 中型企业, 小型企业或微型企业, 大中型企业.

// scaleRunRe is a run of size words ending in 企业: 中型企业, 小型企业或微型企业,
// 小型、微型企业, 大中型企业, 中小型企业, 中小企业. 小型微利企业 is a tax
// notion, not a size, and does not match.
var scaleRunRe = regexp.MustCompile(`(?:(?:大|中|小|微)型(?:企业)?(?:、|和|及|与|或者|或)?)*(?:大|中|小|微)型企业|大中型企业|中小型企业|中小企业`)

// smeTopicAfterRe is a word after 中小企业 that makes it the topic of a
// programme or a body (中小企业发展专项资金, 中小企业公共服务平台), not
// the subject that qualifies.
var smeTopicAfterRe = regexp.MustCompile(`^(?:发展|服务|公共|促进|融资|股份|板|局|专项|信用|数字化|特色|集群|平台|基金|协会|商会|园|创新|成长|管理|主管|工作|政策|转型|梯度|培育|办|厅|司|处|〔|需求|需要|上云|用数|融通|数字化转型)`)

// smeTopicBeforeRe is a verb before it that makes it the aim of a measure
// (促进中小企业…, 服务中小企业).
var smeTopicBeforeRe = regexp.MustCompile(`(?:促进|服务|助力|赋能|帮助|面向|推动|引导|带动)$`)

// smeTagRe is a tag that is itself a kind of 中小企业 (专精特新, 科技型中小企业):
// a sentence that names or defines it says nothing more by 中小企业.
var smeTagRe = regexp.MustCompile(`专精特新|小巨人|科技型中小企业|创新型中小企业`)

// smeKindBeforeRe is a description of a kind of firm (具有…特征的中小企业):
// the features are the condition, kept whole by the clause rules.
var smeKindBeforeRe = regexp.MustCompile(`(?:具有|具备)[^，。；]*的$`)

var scaleOrder = []struct {
	r     rune
	scale string
}{{'大', "large"}, {'中', "medium"}, {'小', "small"}, {'微', "micro"}}

// scaleWordHits reads the size words of s (masked: tag words already read
// are blanked, so 科技型中小企业 stays a tag).
func scaleWordHits(s, masked string) []hit {
	var out []hit
	for _, m := range scaleRunRe.FindAllStringIndex(masked, -1) {
		w := masked[m[0]:m[1]]
		if strings.HasSuffix(w, "中小企业") && (smeTopicAfterRe.MatchString(masked[m[1]:]) || smeTopicBeforeRe.MatchString(masked[:m[0]]) || smeTagRe.MatchString(s) || smeKindBeforeRe.MatchString(masked[:m[0]])) {
			continue
		}
		var sizes []string
		for _, so := range scaleOrder {
			if strings.ContainsRune(w, so.r) {
				sizes = append(sizes, so.scale)
			}
		}
		if w == "中小企业" || w == "中小型企业" {
			sizes = []string{"medium", "small", "micro"}
		}
		if len(sizes) == 0 {
			continue
		}
		var c corpus.Cond
		txt := spanAround(s, m[0], m[1])
		if len(sizes) == 1 {
			c = corpus.Atom("scale", corpus.OpEq, corpus.String(sizes[0]), txt)
		} else {
			c = corpus.Atom("scale", corpus.OpIn, corpus.Strings(sizes...), txt)
		}
		out = append(out, hit{cond: c, start: m[0], end: m[1], subject: true, list: "scale"})
	}
	return out
}
