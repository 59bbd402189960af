package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// Rewards are often listed by tier after the grant: 给予一次性奖励：国家级
// 100万元、省级50万元、市级20万元; 奖励标准：一等奖30万元，二等奖15万元，
// 三等奖5万元; 国家级示范基地奖励50万元、省级20万元. Each tier is a benefit of
// its own (one amount band, one condition set), and the tier is the
// condition that sets it apart.

// tierWords are the names of tiers a reward list goes by.
const tierWords = `国家级|省部级|省级|市级|区级|县级|[特一二三]等奖|金奖|银奖|铜奖|优秀奖|[一二三四五]星级?|A{1,5}级|第?[一二三四五]档|[一二三四]类`

var (
	// tierPairRe is one tier with its amount: the tier, a few words naming
	// what it is (示范基地奖励), the amount.
	tierPairRe = regexp.MustCompile(`(` + tierWords + `)([^，。；、：:\d]{0,14}?)((?:给予|奖励|补助|补贴|资助|一次性|不超过|最高|每个|每家|每项)*\s*\d+(?:\.\d+)?\s*(?:亿元|万元|元))`)
	// tierStartRe is a clause that opens with a tier and its amount.
	tierStartRe = regexp.MustCompile(`^(?:` + tierWords + `)[^，。；、：:\d]{0,14}?(?:给予|奖励|补助|补贴|资助|一次性|不超过|最高|每个|每家|每项)*\s*\d`)
	// tierLeadRe is a clause that names a grant and leads into its tiers
	// (给予一次性奖励：, 奖励标准为：).
	tierLeadRe = regexp.MustCompile(`(?:给予|奖励|补助|补贴|资助|支持|标准)[^，。；]{0,12}[：:]$`)
	// tierBoundRe follows an amount that is a threshold, not a grant.
	tierBoundRe = regexp.MustCompile(`^\s*(?:（含）)?(?:以上|以下|以内|及以上)`)
	// tierGrantWordRe are grant words left in a tier's label.
	tierGrantWordRe = regexp.MustCompile(`(?:给予|奖励|补助|补贴|资助|一次性|不超过|最高|每个|每家|每项)+$`)
)

// joinTierList joins the clauses of a reward list by tier into one: the
// lead-in naming the grant (when it ends with ：) and every clause after it
// that opens with a tier and its amount. Other clauses are kept as they are.
func joinTierList(clauses []string) []string {
	var out []string
	for i := 0; i < len(clauses); i++ {
		j := i
		if tierLeadRe.MatchString(strings.TrimSpace(clauses[i])) {
			j = i + 1
		}
		k := j
		for k < len(clauses) && tierStartRe.MatchString(strings.TrimSpace(clauses[k])) {
			k++
		}
		if j == i {
			// Without a lead-in, clauses that each grant on their own
			// (第一类对象每人每月400元，第二类对象每人每月200元) stay apart.
			for _, cl := range clauses[j:k] {
				if isGrant(cl) {
					k = j
					break
				}
			}
		}
		if len(tierPairs(strings.Join(clauses[j:k], ""))) < 2 {
			out = append(out, clauses[i])
			continue
		}
		// The lead-in's colon goes, so that the grant reads as one clause
		// whose subject ends at its grant verb.
		lead := strings.TrimRight(strings.Join(clauses[i:j], ""), "：: ")
		out = append(out, lead+strings.Join(clauses[j:k], ""))
		i = k - 1
	}
	return out
}

// tierPair is one tier of a reward list.
type tierPair struct {
	tier  string // 国家级
	label string // 国家级示范基地
	text  string // the whole pair
}

// tierPairs returns the tiers with their amounts in s when it lists at
// least two distinct tiers (nil otherwise). A tier whose amount is a bound
// (国家级1000万元以上) makes it a list of thresholds, not of rewards.
func tierPairs(s string) []tierPair {
	ms := tierPairRe.FindAllStringSubmatchIndex(s, -1)
	if len(ms) < 2 {
		return nil
	}
	var out []tierPair
	seen := map[string]bool{}
	for _, m := range ms {
		if tierBoundRe.MatchString(s[m[1]:]) {
			return nil
		}
		tier := s[m[2]:m[3]]
		if seen[tier] {
			return nil // 国家级…国家级: not one list of tiers
		}
		seen[tier] = true
		label := tier + tierGrantWordRe.ReplaceAllString(strings.TrimSpace(s[m[4]:m[5]]), "")
		out = append(out, tierPair{tier: tier, label: trimPunct(label), text: trimPunct(s[m[0]:m[1]])})
	}
	return out
}

// isTierList reports a clause that lists rewards by tier: a grant even
// without a grant word (国家级100万元、省级50万元).
func isTierList(cl string) bool {
	return !notGrantRe.MatchString(cl) && len(tierPairs(cl)) >= 2
}

// tierBands splits a grant whose amount is a list of tiers into one unit
// per tier, each with its tier as a condition (kept unparsed: 国家级企业
// 技术中心 is for a person to check, unless named defines it) and its own
// amount. Nil when the amount is not such a list.
func tierBands(u *unit, named map[string][]corpus.Cond) []*unit {
	pairs := tierPairs(u.amount)
	if len(pairs) < 2 {
		return nil
	}
	lead := ""
	if k := strings.Index(u.amount, pairs[0].text); k > 0 {
		lead = strings.TrimRight(strings.TrimSpace(u.amount[:k]), "：:")
	}
	var out []*unit
	for _, p := range pairs {
		b := *u
		b.amount = p.text
		if lead != "" && !strings.Contains(lead, p.tier) {
			b.amount = lead + "：" + p.text
		}
		b.hits = append([]hit(nil), u.hits...)
		if len(named[p.label]) == 0 {
			// A class the text defines (第一类资助对象) is read through its
			// definition, not kept unparsed.
			b.hits = append(b.hits, hit{cond: corpus.Unparsed(p.label), start: len(u.text)})
		}
		out = append(out, &b)
	}
	return out
}
