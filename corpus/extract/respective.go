package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A policy often grants several amounts in one sentence, one per item of a
// list, with 分别 (respectively): 对新认定的国家级、省级、市级企业技术中心
// 分别给予100万元、50万元、20万元奖励; 营业收入首次突破1亿元、5亿元、10亿元的
// 分别奖励10、30、50万元. Each pair is a benefit of its own: one amount band,
// one condition set. splitRespective writes such a sentence out as one
// sentence per pair, so that the rest of the reader sees ordinary grants.

// respectiveRe is the word that pairs a list of subjects with a list of
// amounts.
var respectiveRe = regexp.MustCompile(`分别|依次`)

// respVerbListRe is a grant verb followed at once by a list of amounts.
var respVerbListRe = regexp.MustCompile(`(?:给予|奖励|补助|补贴|资助)(?:一次性|不超过|最高)*\s*\d+(?:\.\d+)?\s*(?:亿元|万元|元|%)?\s*(?:、|和)\s*\d`)

// respNumRe is one amount of the list, its unit optional (50、30、20万元).
var respNumRe = regexp.MustCompile(`\d+(?:\.\d+)?\s*(?:亿元|万元|元|%)?`)

// respGapRe is what may stand between two amounts of the list.
var respGapRe = regexp.MustCompile(`^\s*(?:、|和|及|与|或|，)\s*(?:每人|每户|每家|每项|每个|每月|每年|不超过|不高于|最高|最多)*\s*$`)

// respUnitRe is a money or rate unit at the end of an amount.
var respUnitRe = regexp.MustCompile(`(?:亿元|万元|元|%)$`)

// respItemNumRe / respItemNumEndRe are a numeric list item at the start /
// end of a piece (1亿元、5亿元, 1000公斤和500公斤).
var (
	respItemNumRe    = regexp.MustCompile(`^\d+(?:\.\d+)?\s*` + respUnits)
	respItemNumEndRe = regexp.MustCompile(`\d+(?:\.\d+)?\s*` + respUnits + `$`)
	// A level of government or of an award (国家级、省级、市级).
	respLevelRe    = regexp.MustCompile(`^(?:国家|省部|省|市|区|县|镇|街道)级?`)
	respLevelEndRe = regexp.MustCompile(`(?:国家|省部|省|市|区|县)级?$`)
	// Where the first item of a list of words starts: after the words that
	// lead to it (对…, 认定为…, 考核结果为…); 对象 is no lead.
	respLeadRe = regexp.MustCompile(`对象|对|为|是|的|获得|获评|评为|入选|列入|达到|突破|被|，`)
	// Where the last item of a list of words ends.
	respTailRe = regexp.MustCompile(`的|，|等|[两三四五六]档|[两三四五六]类`)
	// A count of the list after it (两档, 三类), dropped from each copy.
	respCountRe = regexp.MustCompile(`^(?:两|三|四|五|六)(?:档|类|个档次|个等级)`)
	respJoinRe  = regexp.MustCompile(`以及|和|及|与|或`)
)

// respUnits are the units a numeric list item may carry.
const respUnits = `(?:%|[亿万千百]?(?:元|瓦|千瓦|兆瓦|吨|公斤|千克|平方米|㎡|立方米|米|公里|人|家|个|项|件|台|套|座|张|户|床|名|次|年|个月|周岁|岁|倍|小时)|[亿万])?`

// maxRespective bounds the pairs read from one sentence.
const maxRespective = 8

// splitRespective rewrites every sentence of a line that pairs a list of
// subjects with a list of amounts by 分别 into one sentence per pair; other
// sentences are kept as they are. items, when not nil, gets the item of
// each copy, keyed by the copy's words (respKey).
func splitRespective(line string, items map[string]string) string {
	if !respectiveRe.MatchString(line) && !respVerbListRe.MatchString(line) {
		return line
	}
	var b strings.Builder
	changed := false
	for _, s := range splitKeep(line, "。；") {
		if copies := expandRespective(s, items); copies != "" {
			b.WriteString(copies)
			changed = true
			continue
		}
		b.WriteString(s)
	}
	if !changed {
		return line
	}
	return b.String()
}

// respAmount is one amount of a 分别 list.
type respAmount struct {
	start, end int
	text       string // with its unit, inherited from a later amount when left off
}

// expandRespective returns the copies of one sentence, or "" when it does
// not have that shape.
func expandRespective(s string, record map[string]string) string {
	m := respectiveRe.FindStringIndex(s)
	if m == nil {
		// 对A、B给予50万元、20万元奖励: amounts listed right after the grant
		// verb pair with the subjects as well; the verb stays in each copy.
		v := respVerbListRe.FindStringIndex(s)
		if v == nil {
			return ""
		}
		m = []int{v[0], v[0]}
	}
	amts := respectiveAmounts(s, m[1])
	n := len(amts)
	if n < 2 || n > maxRespective {
		return ""
	}
	start, end, items := respectiveItems(s[:m[0]], n)
	if items == nil {
		return ""
	}
	// Grants before the list's clause run are kept once, ahead of the copies.
	pre := 0
	for _, cl := range clauseEnds(s[:start]) {
		if isGrant(s[pre:cl]) {
			pre = cl
		}
	}
	// What follows the amounts' clause is repeated unless it grants on its own.
	post := len(s)
	if k := strings.IndexAny(s[amts[n-1].end:], "，,"); k >= 0 {
		rest := s[amts[n-1].end+k:]
		if isGrant(rest) {
			post = amts[n-1].end + k
		}
	}
	body := s[:post]
	sep := ""
	if strings.HasSuffix(body, "。") || strings.HasSuffix(body, "；") {
		sep = body[len(body)-len("。"):]
		body = body[:len(body)-len(sep)]
	}
	afterList := respCountRe.ReplaceAllString(s[end:m[0]], "")
	var b strings.Builder
	b.WriteString(s[:pre])
	for i := range n {
		if i > 0 {
			b.WriteString("；")
		}
		copy := s[pre:start] + items[i] + afterList + body[m[1]:amts[0].start] + amts[i].text + body[amts[n-1].end:]
		if record != nil {
			record[respKey(copy)] = items[i]
		}
		b.WriteString(copy)
	}
	b.WriteString(sep)
	b.WriteString(s[post:])
	return b.String()
}

// clauseEnds returns the offsets just after each ， of s.
func clauseEnds(s string) []int {
	var out []int
	for i, r := range s {
		if r == '，' || r == ',' {
			out = append(out, i+len(string(r)))
		}
	}
	return out
}

// respectiveAmounts reads the list of amounts after the word 分别 (from):
// the first run of at least two amounts that only separators and cap words
// divide. An amount written without its unit takes the unit of the next.
func respectiveAmounts(s string, from int) []respAmount {
	var run []respAmount
	for _, m := range respNumRe.FindAllStringIndex(s[from:], -1) {
		a := respAmount{start: from + m[0], end: from + m[1], text: strings.TrimSpace(s[from+m[0] : from+m[1]])}
		if len(run) > 0 && !respGapRe.MatchString(s[run[len(run)-1].end:a.start]) {
			if len(run) >= 2 {
				break
			}
			run = nil
		}
		if strings.ContainsAny(s[from:a.start], "。；") {
			break
		}
		run = append(run, a)
	}
	if len(run) < 2 || !respUnitRe.MatchString(run[len(run)-1].text) {
		return nil
	}
	unit := ""
	for i := len(run) - 1; i >= 0; i-- {
		if u := respUnitRe.FindString(run[i].text); u != "" {
			unit = u
		} else {
			run[i].text += unit
		}
	}
	return run
}

// respectiveItems finds, in the words before 分别, the list of exactly n
// items the amounts go with: in the nearest clause that holds one, items
// divided by 、 with 和/及/与/或 before the last. It returns where the list
// starts and ends in subj and its items; nil when there is none.
func respectiveItems(subj string, n int) (int, int, []string) {
	ends := append([]int{0}, clauseEnds(subj)...)
	for k := len(ends) - 1; k >= 0; k-- {
		from := ends[k]
		to := len(subj)
		if k+1 < len(ends) {
			to = ends[k+1]
		}
		if a, b, items := listIn(subj[from:to], n); items != nil {
			return from + a, from + b, items
		}
	}
	return 0, 0, nil
}

// listIn finds a list of n items in one clause.
func listIn(cl string, n int) (int, int, []string) {
	// Pieces at each 、 outside brackets.
	var cuts [][2]int // separator spans
	depth := 0
	for i, r := range cl {
		switch r {
		case '（', '《', '“', '(':
			depth++
		case '）', '》', '”', ')':
			if depth > 0 {
				depth--
			}
		case '、':
			if depth == 0 {
				cuts = append(cuts, [2]int{i, i + len("、")})
			}
		}
	}
	switch {
	case len(cuts) == n-1:
		// The last piece may still hold a joined item (国家、市级和区级): then
		// the count is off by one and the list is not this one.
		if n > 1 && len(cuts) > 0 {
			last := cl[cuts[len(cuts)-1][1]:]
			if j := respJoinRe.FindStringIndex(itemHead(last)); j != nil {
				return 0, 0, nil
			}
		}
	case len(cuts) == n-2:
		// The last two items are joined by 和/及/与/或.
		from := 0
		if len(cuts) > 0 {
			from = cuts[len(cuts)-1][1]
		}
		j := respJoinRe.FindStringIndex(cl[from:])
		if j == nil {
			return 0, 0, nil
		}
		cuts = append(cuts, [2]int{from + j[0], from + j[1]})
	default:
		return 0, 0, nil
	}
	if len(cuts) == 0 {
		return 0, 0, nil
	}
	pieces := make([]string, 0, n)
	prev := 0
	for _, c := range cuts {
		pieces = append(pieces, cl[prev:c[0]])
		prev = c[1]
	}
	pieces = append(pieces, cl[prev:])
	first, last := pieces[0], pieces[len(pieces)-1]
	var firstItem, lastItem string
	switch {
	case respItemNumRe.MatchString(strings.TrimSpace(last)) && respItemNumEndRe.MatchString(strings.TrimSpace(first)):
		lastItem = respItemNumRe.FindString(strings.TrimSpace(last))
		firstItem = respItemNumEndRe.FindString(strings.TrimSpace(first))
	case respLevelRe.MatchString(last) && respLevelEndRe.MatchString(first):
		lastItem = respLevelRe.FindString(last)
		firstItem = respLevelEndRe.FindString(first)
	default:
		lastItem = last
		if t := respTailRe.FindStringIndex(last); t != nil {
			lastItem = last[:t[0]]
		}
		firstItem = first
		for _, l := range respLeadRe.FindAllStringIndex(first, -1) {
			if first[l[0]:l[1]] != "对象" {
				firstItem = first[l[1]:]
			}
		}
	}
	firstItem, lastItem = strings.TrimSpace(firstItem), strings.TrimSpace(lastItem)
	if firstItem == "" || lastItem == "" || !strings.HasSuffix(strings.TrimSpace(first), firstItem) {
		return 0, 0, nil
	}
	items := []string{firstItem}
	for _, p := range pieces[1 : len(pieces)-1] {
		p = strings.TrimSpace(p)
		if p == "" || runeLen(p) > 20 || strings.ContainsAny(p, "，。；：") {
			return 0, 0, nil
		}
		items = append(items, p)
	}
	items = append(items, lastItem)
	for _, it := range items {
		if runeLen(it) > 20 {
			return 0, 0, nil
		}
	}
	start := strings.LastIndex(cl[:cuts[0][0]], firstItem)
	lastStart := cuts[len(cuts)-1][1] + strings.Index(cl[cuts[len(cuts)-1][1]:], lastItem)
	return start, lastStart + len(lastItem), items
}

// itemHead is the start of a piece up to where a list item would end.
func itemHead(p string) string {
	if t := respTailRe.FindStringIndex(p); t != nil {
		return p[:t[0]]
	}
	return p
}

// respKey is the key of a copy's words, as the reader sees the sentence.
func respKey(s string) string { return trimPunct(strings.TrimSpace(s)) }

// keepRespectiveItem makes the item of a 分别 copy a condition of the
// grants read from it when no rule read anything in the item's clause
// (日加氢能力不少于1000公斤, 考核结果为优秀): the item is what sets the copy
// apart from its siblings, so it is kept unparsed rather than lost.
func keepRespectiveItem(units []*unit, item string) {
	for _, u := range units {
		k := strings.Index(u.text, item)
		if k < 0 {
			continue
		}
		from := 0
		for _, e := range clauseEnds(u.text[:k]) {
			from = e
		}
		to := len(u.text)
		if e := strings.IndexAny(u.text[k:], "，,"); e >= 0 {
			to = k + e
		}
		read := false
		for _, h := range u.hits {
			read = read || h.start >= from && h.start < to
		}
		if read {
			continue
		}
		cl := trimPunct(u.text[from:to])
		cl = strings.TrimPrefix(strings.TrimPrefix(cl, "对"), "按照")
		if g := grantVerbRe.FindStringIndex(cl); g != nil && g[0] > 0 {
			cl = trimPunct(cl[:g[0]]) // 不少于1000公斤给予500万元: the words before the grant
		}
		if cl == "" {
			cl = item
		}
		u.hits = append(u.hits, hit{cond: corpus.Unparsed(cl), start: from})
	}
}
