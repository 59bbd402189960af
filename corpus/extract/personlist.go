package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// Who a benefit is for is often a list of groups under a lead-in that names
// people (适用对象为具有本市户籍的以下人员：（一）…儿童；（二）…残疾人。
// …的下列人员：（一）在校学生；（二）本市户籍人员；（三）居住证持有人…).
// A person is in one group or another: the items are alternatives, even
// when the lead-in says no 之一; what the lead-in itself requires (本市户籍)
// holds for all of them. A list of requirements (符合以下条件：) is not such
// a list: its items do not each end in a group of people.

// peopleListIntroRe is a lead-in that ends in a list of people.
var peopleListIntroRe = regexp.MustCompile(`(?:以下|下列|如下)(?:几类|各类|\d+类|[一二三四五六七八九十]+类)?(?:人员|对象|群体|人群|人士|居民)[：:]?$`)

// peopleItemTailRe is the end of an item naming a group of people, allowing
// for a trailing note in brackets or quotes.
var peopleItemTailRe = regexp.MustCompile(`(?:人员|学生|毕业生|军人|士兵|人口|干部|劳动者|老人|老年人|儿童|幼儿|新生儿|青年|妇女|家庭|残疾人|农民工|孤儿|居民|学员|持有人|持证人|外国人|职工|患者|遗属|家属)(?:（[^（）]*）)?$`)

// peopleList reports a block whose own text leads into a list of groups of
// people and at least two children, most of them, each name one group.
func peopleList(b *block) bool {
	intro := b.head
	if len(b.lines) > 0 {
		intro = b.lines[len(b.lines)-1] // the lead-in is the last line before the items
	}
	if !peopleListIntro(intro) || len(b.children) < 2 {
		return false
	}
	groups := 0
	for _, ch := range b.children {
		text := trimPunct(strings.Join(ch.lines, "") + ch.head)
		if peopleItemTailRe.MatchString(firstSentence(text)) {
			groups++
		}
	}
	return groups >= 2 && 2*groups > len(b.children)
}

// peopleListIntro reports a sentence that leads into such a list: it
// states who is covered (…的下列人员：), so it is read as a condition even
// with no other cue in it.
func peopleListIntro(s string) bool {
	return peopleListIntroRe.MatchString(trimPunct(s))
}

// firstSentence is the text up to the first full stop or semicolon of s
// (an item may add a sentence about the group after naming it).
func firstSentence(s string) string {
	for _, p := range splitKeep(s, "。；") {
		if p := trimPunct(p); p != "" {
			return p
		}
	}
	return s
}

// peopleIntroTailRe is the end of a lead-in naming the list it opens.
var peopleIntroTailRe = regexp.MustCompile(`(?:的)?(?:以下|下列|如下)(?:几类|各类|\d+类|[一二三四五六七八九十]+类)?(?:人员|对象|群体|人群|人士|居民)[：:]?$`)

// peopleIntroCond reads what a lead-in into a list of people requires of
// all of them (未参加职工医保的下列人员：): the qualifier before the list,
// by the rules or else kept unparsed. ok is false when it qualifies
// nothing (以下人员：).
func peopleIntroCond(s string, ctx *docContext) (corpus.Cond, bool) {
	t := trimPunct(s)
	m := peopleIntroTailRe.FindStringIndex(t)
	if m == nil {
		return corpus.Cond{}, false
	}
	q := trimPunct(t[:m[0]])
	if runeLen(q) < 4 {
		return corpus.Cond{}, false
	}
	if hits := sentenceHits(q, ctx); len(hits) > 0 {
		return treeOf(q, hits), true
	}
	return corpus.Unparsed(q), true
}

// peopleItems readies the items of a list of people or of conditions to
// be read: a short item with nothing under it (（二）持证残疾人。, （二）无不良
// 信用记录。) may have been taken for a heading, whose words are otherwise
// not read.
func peopleItems(b *block) {
	for _, ch := range b.children {
		if ch.heading && len(ch.lines) == 0 && len(ch.children) == 0 && ch.head != "" {
			ch.lines = []string{ch.head}
			ch.head, ch.heading = "", false
		}
	}
}

// readPeopleHead reads the lead-in of a list of people when it is the
// block's heading (a line ending in ： with the items under it), whose words
// are otherwise not read: 补贴对象为本市户籍的以下人员： requires 本市户籍 of
// every item.
func (c *collector) readPeopleHead(b, top *block) {
	if len(b.lines) > 0 || !b.heading || b.head == "" {
		return
	}
	cond, ok := c.clauseTree(b.head, true)
	if !ok {
		cond, ok = peopleIntroCond(b.head, c.ctx)
	}
	if ok {
		c.shared = append(c.shared, condSource{cond: cond, section: top, blk: b})
	}
}
