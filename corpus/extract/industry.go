package extract

import (
	"regexp"

	"github.com/zhida/zhida/corpus"
)

// industryNames are the sections (门类) of GB/T 4754-2017 by their official
// names, and a few divisions (大类) policies name on their own. Longer names
// come first so that 软件和信息技术服务业 wins over 信息技术.
var industryNames = []struct {
	re   *regexp.Regexp
	code string
}{
	{regexp.MustCompile(`信息传输、软件和信息技术服务业`), "I"},
	{regexp.MustCompile(`软件和信息技术服务业|软件企业|软件行业`), "I65"},
	{regexp.MustCompile(`电力、热力、燃气及水生产和供应业`), "D"},
	{regexp.MustCompile(`交通运输、仓储和邮政业`), "G"},
	{regexp.MustCompile(`居民服务、修理和其他服务业`), "O"},
	{regexp.MustCompile(`水利、环境和公共设施管理业`), "N"},
	{regexp.MustCompile(`文化、体育和娱乐业`), "R"},
	{regexp.MustCompile(`科学研究和技术服务业`), "M"},
	{regexp.MustCompile(`农、林、牧、渔业`), "A"},
	{regexp.MustCompile(`批发和零售业`), "F"},
	{regexp.MustCompile(`住宿和餐饮业`), "H"},
	{regexp.MustCompile(`租赁和商务服务业`), "L"},
	{regexp.MustCompile(`卫生和社会工作`), "Q"},
	{regexp.MustCompile(`制造业`), "C"},
	{regexp.MustCompile(`采矿业`), "B"},
	{regexp.MustCompile(`建筑业`), "E"},
	{regexp.MustCompile(`金融业`), "J"},
	{regexp.MustCompile(`房地产业`), "K"},
	{regexp.MustCompile(`餐饮业|餐饮企业`), "H62"},
	{regexp.MustCompile(`住宿业`), "H61"},
	{regexp.MustCompile(`零售业|零售企业`), "F52"},
	{regexp.MustCompile(`批发业|批发企业`), "F51"},
}

// industryContextRe is the wording around an industry that makes it a
// requirement on the subject (从事制造业, 属于…行业, 制造业企业) rather than a
// mention (支持制造业发展).
var industryContextRe = regexp.MustCompile(`从事|属于|所属行业|行业为|主营业务|企业|行业`)

// industryHits reads the industries a sentence requires of an enterprise:
// industry within the GB/T 4754 code. masked has tag wordings blanked out
// (农业产业化龙头企业 is a tag, not 农业).
func industryHits(s, masked string) []hit {
	if !industryContextRe.MatchString(s) {
		return nil
	}
	var out []hit
	taken := make([]bool, len(masked)+1)
	for _, n := range industryNames {
		for _, m := range n.re.FindAllStringIndex(masked, -1) {
			if taken[m[0]] || taken[m[1]-1] {
				continue
			}
			rest := masked[m[1]:min(len(masked), m[1]+12)]
			before := masked[max(0, m[0]-12):m[0]]
			if !industryContextRe.MatchString(before + masked[m[0]:m[1]] + rest) {
				continue
			}
			for i := m[0]; i < m[1]; i++ {
				taken[i] = true
			}
			a := corpus.Atom("industry", corpus.OpWithin, corpus.String(n.code), spanAround(s, m[0], m[1]))
			h := hit{cond: a, start: m[0], end: m[1], list: "industry"}
			if exceptBefore(before) || hasSuffixAny(before, "非", "不含") {
				h.cond = corpus.Not(a)
			}
			out = append(out, h)
		}
	}
	return out
}

func hasSuffixAny(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if len(s) >= len(x) && s[len(s)-len(x):] == x {
			return true
		}
	}
	return false
}
