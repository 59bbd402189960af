package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// Opinions and notices of the State Council and ministries (国发, 国办发 …)
// are lists of measures: each item opens with a short title sentence and
// then says what it grants and to whom (（一）加大稳岗支持力度。对不裁员
// 或少裁员的参保企业，可返还…). Each such item is a measure of its own: a
// condition stated in one item does not govern the grants of another, and
// an item may grant a subsidy it names without an amount (按规定给予职业
// 培训补贴), since the amounts are left to the regulations it cites.

// measureTitleRe is the title sentence a measure item opens with.
var measureTitleRe = regexp.MustCompile(`^[^，。；：、！？0-9]{4,30}。`)

// markMeasures marks the measure items of a document that has at least two
// at one level (a part of an opinion may hold a single measure).
func markMeasures(root *block) {
	byLevel := map[int][]*block{}
	var visit func(b *block)
	visit = func(b *block) {
		for _, ch := range b.children {
			if isMeasureItem(ch) {
				byLevel[ch.level] = append(byLevel[ch.level], ch)
			}
			visit(ch)
		}
	}
	visit(root)
	for _, items := range byLevel {
		if len(items) < 2 {
			continue
		}
		for _, b := range items {
			b.measure = true
		}
	}
}

// isMeasureItem reports a numbered item that opens with a title sentence
// and goes on with text of its own.
func isMeasureItem(b *block) bool {
	if b.heading || len(b.lines) == 0 || b.level < levelOne || b.level > levelParen {
		return false
	}
	for x := b.parent; x != nil; x = x.parent {
		if x.level == levelArticle {
			return false // items of an article of a regulation, not measures of an opinion
		}
	}
	m := measureTitleRe.FindString(b.lines[0])
	if m == "" {
		return false
	}
	return strings.TrimSpace(b.lines[0][len(m):]) != "" || len(b.lines) > 1
}

// measureOf returns the measure item a block sits in, or nil.
func measureOf(b *block) *block {
	for x := b; x != nil; x = x.parent {
		if x.measure {
			return x
		}
	}
	return nil
}

// namedGrantRe is a clause of a measure that grants a named subsidy or loan
// without stating its amount (按规定给予就业见习补贴, 可申请创业担保贷款).
var namedGrantRe = regexp.MustCompile(`(?:返还|补贴|补助|奖励)标准可?按|予以(?:返还|补贴|补助|奖励)|(?:给予|可申请|可在[^，。；]{0,8}申请|可享受|再给予|可返还|予以返还)[^，。；]{0,16}(?:补贴|补助|资助|奖励|贴息|贷款|返还|减免)|优先为[^，。；]{2,24}提供[^，。；]{0,12}(?:担保|贷款|贴息|融资)`)

// measureTitle is the title sentence of a measure item, without its 。;
// empty for other blocks.
func measureTitle(b *block) string {
	if !b.measure || len(b.lines) == 0 {
		return ""
	}
	return strings.TrimSuffix(measureTitleRe.FindString(b.lines[0]), "。")
}

// expansionRe is a measure widening who a subsidy reaches (将见习补贴范围由
// 离校未就业高校毕业生扩展至16-24岁失业青年): both groups then qualify, each
// as a benefit of its own.
var expansionRe = regexp.MustCompile(`范围由([^，。；]{2,30}?)(?:扩展|扩大|放宽|延伸)(?:至|到)([^，。；]{2,30})`)

// expansionSubjects returns the groups a widening sentence names, or nil.
func expansionSubjects(s string) []string {
	m := expansionRe.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	return []string{trimPunct(m[1]), trimPunct(m[2])}
}

// expandUnits turns each grant of a measure that widened its subsidy into
// one grant per group named, read from the group's own words.
func (c *collector) expandUnits(units []*unit, groups []string) []*unit {
	var out []*unit
	for _, u := range units {
		for _, g := range groups {
			cp := *u
			cp.text = g
			cp.inherit = false
			cp.hits = sentenceHits(g, c.ctx)
			cp.hits = append(cp.hits, c.subjectLeftovers(g, cp.hits)...)
			named := false
			for _, h := range cp.hits {
				named = named || subjectHit(h)
			}
			if !named {
				// 16-24岁失业青年 with only the ages read: who the group is
				// stays to be checked, else every 16-24 year old qualifies.
				cp.hits = append(cp.hits, hit{cond: corpus.Unparsed(g), start: 0, end: len(g)})
			}
			out = append(out, &cp)
		}
	}
	return out
}
