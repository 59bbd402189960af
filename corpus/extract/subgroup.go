package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A list of conditions may set a requirement for part of its subjects only
// (在园区企业就业的申请人，应当已在该企业缴纳社保3个月以上; 其中从事个体经营
// 的人员须…). The requirement holds if the subject is in that part: either
// the subject is not in it, or the requirement is met —
// any(not part, requirement). Reading it as all(part, requirement) would
// refuse everyone outside the part.

// subgroupReqRe is a part of the subjects named by what they do or where
// (在…就业, 从事…, 属于…, 上述…, 其中…) followed by a duty of theirs.
var subgroupReqRe = regexp.MustCompile(`^(?:对|其中)?((?:在|从事|属于|其中|上述)[^，。；]{2,40}?)的(?:申请人|申请对象|人员|人才|对象)[，,]?([^。；]*?(?:应当|应|须|需要|必须)[^。；]+)$`)

// subgroupRequirement reads such a clause; ok is false when s is not one or
// nothing in the part can be tested.
func subgroupRequirement(s string, ctx *docContext) (corpus.Cond, bool) {
	t := trimPunct(s)
	m := subgroupReqRe.FindStringSubmatch(t)
	if m == nil {
		return corpus.Cond{}, false
	}
	var negs []corpus.Cond
	for _, h := range sentenceHits(m[1], ctx) {
		for _, a := range h.cond.Atoms() {
			if a.Field == corpus.FieldUnparsed {
				continue // unknown either way: the requirement decides
			}
			negs = append(negs, negateAtom(a))
		}
	}
	if len(negs) == 0 || len(negs) > 4 {
		return corpus.Cond{}, false
	}
	req := trimPunct(strings.TrimLeft(m[2], "，,"))
	var hits []corpus.Cond
	for _, h := range sentenceHits(req, ctx) {
		hits = append(hits, h.cond)
	}
	var reqCond corpus.Cond
	switch len(hits) {
	case 0:
		reqCond = corpus.Unparsed(req)
	case 1:
		reqCond = hits[0]
	default:
		reqCond = corpus.All(hits...)
	}
	return corpus.Any(append(negs, reqCond)...), true
}

// negateAtom returns the atom that holds exactly when a does not (for a
// known value): eq ↔ ne, in ↔ not_in, bounds flipped; has and within have
// no opposite operator and are wrapped in not.
func negateAtom(a corpus.Cond) corpus.Cond {
	flip := map[corpus.Op]corpus.Op{
		corpus.OpEq: corpus.OpNe, corpus.OpNe: corpus.OpEq,
		corpus.OpIn: corpus.OpNotIn, corpus.OpNotIn: corpus.OpIn,
		corpus.OpGte: corpus.OpLt, corpus.OpLt: corpus.OpGte,
		corpus.OpGt: corpus.OpLte, corpus.OpLte: corpus.OpGt,
	}
	if op, ok := flip[a.Op]; ok {
		n := a.Clone()
		n.Op = op
		return n
	}
	return corpus.Not(a)
}

// modifierOr reports an 或 that joins two nouns inside one modifier
// (医院出具的病历或诊断结果的0-6岁儿童, 证明或证书的持有人): what follows it up to
// the next 的 is a short phrase, and the side before it is only words no
// rule read (left by the leftover rules at the 或). Such an 或 is inside
// one requirement, not between two; cur is the side before it.
func modifierOr(between string, cur []hit) bool {
	k := strings.LastIndex(between, "或")
	if k < 0 || len(cur) == 0 {
		return false
	}
	for _, h := range cur {
		if h.cond.Kind() != corpus.NodeAtom || h.cond.Field != corpus.FieldUnparsed {
			return false
		}
	}
	after := strings.TrimPrefix(between[k+len("或"):], "者")
	d := strings.Index(after, "的")
	return d > 0 && runeLen(after[:d]) <= 8 && !strings.ContainsAny(after[:d], "，；。、")
}

// A requirement may come with a fallback for those who miss it (具有本科
// 以上学历；不符合学历条件的，年薪应在30万元以上; 不满足前款条件但…的，也可
// 申请): the fallback is an alternative to the requirement before it, not
// one more requirement.

// fallbackLeadRe opens a fallback: those who miss the condition before.
var fallbackLeadRe = regexp.MustCompile(`^(?:对|但)?(?:不符合|不满足|未达到|达不到|不具备)[^，。；]{0,20}?(?:条件|要求|标准|规定)(?:的|，|但)`)

// fallbackAlternatives joins, among the conditions read from one line, a
// fallback with the condition before it into an any.
func fallbackAlternatives(conds []condSource) []condSource {
	var out []condSource
	for _, cs := range conds {
		_, rest, ok := splitFallback(cs.cond)
		if !ok || len(out) == 0 {
			out = append(out, cs)
			continue
		}
		prev := out[len(out)-1].cond
		alts := []corpus.Cond{prev}
		if prev.Kind() == corpus.NodeAny {
			alts = append([]corpus.Cond(nil), prev.Any...)
		}
		out[len(out)-1].cond = corpus.Any(append(alts, rest)...)
	}
	return out
}

// splitFallback returns the lead atom of a fallback (不符合…条件的) and the
// rest of its conditions; ok is false for a tree that is no fallback.
func splitFallback(c corpus.Cond) (lead, rest corpus.Cond, ok bool) {
	kids := []corpus.Cond{c}
	if c.Kind() == corpus.NodeAll {
		kids = c.All
	}
	if len(kids) < 2 || kids[0].Kind() != corpus.NodeAtom || !fallbackLeadRe.MatchString(kids[0].Text) {
		return corpus.Cond{}, corpus.Cond{}, false
	}
	if len(kids) == 2 {
		return kids[0], kids[1], true
	}
	return kids[0], corpus.All(kids[1:]...), true
}
