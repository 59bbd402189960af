package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sectionKind is what a heading says its section holds.
type sectionKind uint8

const (
	kindOther     sectionKind = iota
	kindCondition             // 适用对象, 申报条件, 享受对象 …
	kindAmount                // 支持标准, 补贴标准, 服务内容 …
	kindProcedure             // 申请程序, 服务流程, 联络方式 …
	kindMeta                  // 发文机构, 发文字号, 依据文件 … of a policy card
	kindScope                 // 服务对象 of a policy card: only places count
)

// Levels of enumerators, outermost first.
const (
	levelRoot = iota
	levelChapter
	levelArticle
	levelLabel // a card's field label or an unnumbered heading
	levelOne   // 一、
	levelParen // （一）
	levelNum   // 1.
	levelPNum  // （1）
	levelCirc  // ①
)

// block is a heading or numbered item with what it holds.
type block struct {
	level    int
	head     string // the heading text, when the block opens with a heading
	heading  bool
	kind     sectionKind
	lines    []string // own content (after the enumerator), in order
	children []*block
	parent   *block
	// inLabel marks a field label inside a numbered section, which holds
	// the items that follow it.
	inLabel bool
	// measure marks an item of a list of measures (measure.go).
	measure bool
	// qaBenefit marks the answer to a question on who qualifies for the
	// benefit its head names (qa.go): that benefit's own part.
	qaBenefit bool
	// qaAmount is what the answer to a question on how much it pays says
	// (qa.go), for a qaBenefit block.
	qaAmount string
}

var (
	chapterRe = regexp.MustCompile(`^第[一二三四五六七八九十百零〇\d]+[章节]\s*`)
	articleRe = regexp.MustCompile(`^第[一二三四五六七八九十百零〇\d]+条\s*`)
	oneRe     = regexp.MustCompile(`^[一二三四五六七八九十]+\s*[、.]\s*`)
	parenRe   = regexp.MustCompile(`^（[一二三四五六七八九十]+）\s*[、.]?\s*`)
	numRe     = regexp.MustCompile(`^(\d{1,2})\s*[.、]\s*`)
	pnumRe    = regexp.MustCompile(`^（\d{1,2}）\s*[、.]?\s*`)
	circRe    = regexp.MustCompile(`^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*`)
	answerRe  = regexp.MustCompile(`^(?:答|问)\s*[：:]\s*`)
	// Card field labels: 依据文件 《…》, 条件要求, 服务内容 …
	labelRe = regexp.MustCompile(`^(` + labelWords + `)(?:\s*[：:]\s*|\s+|$)`)
	// inlineLabelRe finds a field label inside a line of a flattened page
	// (…政策依据：《…》政策标准：补贴标准…服务对象：…).
	inlineLabelRe = regexp.MustCompile(`(` + labelWords + `)：`)
)

// singleLineLabelRe are labels whose value is their own line.
var singleLineLabelRe = regexp.MustCompile(`^(?:咨询电话|联系电话|联系方式|联络方式|责任股室|责任科室|办理地点|办理时间|有效期限|事项名称|时间/频度)$`)

// labelWords are the field labels of policy cards and service guides.
const labelWords = `享受主体|申领对象|申领条件|补助对象|资助对象|救助对象|扶持对象|奖励对象|申请对象|申报对象|保障对象|资助标准|奖励标准|扶持标准|救助标准|优惠内容|申领方式|申领渠道|网址|享受条件|政策内容|责任部门|责任单位|依据文件|发文机构|发文字号|发文时间|发布日期|发布时间|成文日期|工具分类|服务对象|服务内容|条件要求|申报条件|申请条件|受理条件|服务流程|办理流程|时间/频度|联络方式|联系方式|政策依据|支持内容|支持标准|适用对象|支持对象|享受对象|补贴对象|补贴标准|政策标准|补助标准|补助期限|补贴期限|申报材料|申请材料|申请资料|办理时限|兑现方式|事项名称|有效期限|责任股室|责任科室|咨询电话|联系电话|办理地点|办理时间`

// splitInlineLabels starts a new line at every field label found inside a
// line, so that a page flattened into one line reads like the card it was.
func splitInlineLabels(text string) string {
	if !inlineLabelRe.MatchString(text) {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range inlineLabelRe.FindAllStringIndex(text, -1) {
		lineStart := strings.LastIndexByte(text[:m[0]], '\n') + 1
		before := text[lineStart:m[0]]
		if strings.Count(before, "（") > strings.Count(before, "）") {
			continue // inside an aside: （联系科室：…，联系电话：…）
		}
		b.WriteString(text[last:m[0]])
		if m[0] > 0 && text[m[0]-1] != '\n' {
			b.WriteByte('\n')
		}
		last = m[0]
	}
	b.WriteString(text[last:])
	return b.String()
}

// bracketLabelRe is a field label written in 【】 (【享受主体】 自主就业退役士兵
// 【优惠内容】 …), as policy cards flattened into one line have them.
var bracketLabelRe = regexp.MustCompile(`\s*【(` + labelWords + `)】\s*`)

// bracketLabels starts a new line at every 【label】 and writes it as a
// plain field label.
func bracketLabels(text string) string {
	if !strings.Contains(text, "【") {
		return text
	}
	return bracketLabelRe.ReplaceAllString(text, "\n$1：")
}

// tableNameRe is the title of the column that names each row's item
// (政策名称, 奖励事项, 支持项目, 补贴类别).
var tableNameRe = regexp.MustCompile(`(?:名称|事项|项目|类别|类型)$`)

// tableHeadRe is a column title that says what a table's cells hold.
var tableHeadRe = regexp.MustCompile(`条件|对象|内容|标准|名称|依据|部门|单位|序号|措施|事项`)

// tableRows rewrites a table flattened into lines of |-separated cells
// (序号 | 政策名称 | 政策内容 | 享受条件 | …) as one item per row whose
// cells are labelled by their column titles (1．研发费用后补助 / 政策内容：…
// / 享受条件：…), so that a row reads like a card. A row is kept as it is
// unless it has as many cells as the header.
func tableRows(text string) string {
	if !strings.Contains(text, "|") {
		return text
	}
	lines := strings.Split(text, "\n")
	var head []string
	for i, line := range lines {
		cells := tableCells(line)
		if len(cells) < 3 {
			head = nil
			continue
		}
		if head == nil {
			titled := 0
			for _, c := range cells {
				if runeLen(c) <= 8 && tableHeadRe.MatchString(c) {
					titled++
				}
			}
			if titled*2 > len(cells) {
				head = cells
				lines[i] = ""
			}
			continue
		}
		if len(cells) != len(head) {
			continue
		}
		var b strings.Builder
		name, n := "", ""
		for k, c := range cells {
			switch {
			case head[k] == "序号":
				n = c
			case tableNameRe.MatchString(head[k]) && name == "":
				name = c
			default:
				b.WriteString("\n" + head[k] + "：" + c)
			}
		}
		row := name
		if n != "" && allDigits(n) {
			// The text is normalised already: an ASCII point, as numRe reads.
			row = n + "." + name
		}
		lines[i] = row + b.String()
	}
	return strings.Join(lines, "\n")
}

// tableCells splits a line at | into trimmed cells, dropping the empty
// ones at either end.
func tableCells(line string) []string {
	if strings.Count(line, "|") < 2 {
		return nil
	}
	parts := strings.Split(line, "|")
	if strings.TrimSpace(parts[0]) == "" {
		parts = parts[1:]
	}
	if len(parts) > 0 && strings.TrimSpace(parts[len(parts)-1]) == "" {
		parts = parts[:len(parts)-1]
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = strings.TrimSpace(p)
	}
	return out
}

// parseDocument splits normalised text into a tree of blocks.
func parseDocument(text string) *block {
	text = splitInlineItems(splitInlineLabels(bracketLabels(tableRows(breakRunOn(text)))))
	root := &block{level: levelRoot}
	stack := []*block{root}
	numExpect := 1
	lines := strings.Split(splitInlineAnswers(text), "\n")
	questions := questionLines(lines) // qa.go
	lastQuestion := lastKey(questions)
	for i, raw := range lines {
		if questions != nil && i > lastQuestion && pageChromeRe.MatchString(strings.TrimSpace(raw)) {
			break // the page's footer after the last answer (qa.go)
		}
		if questions[i] {
			level, head, kind, named := qaQuestion(strings.TrimSpace(raw), numExpect)
			numExpect = 1
			// A question closes any field label before it (发表时间：…):
			// it is a part of the page's own.
			for len(stack) > 1 && stack[len(stack)-1].level >= min(level, levelLabel) {
				stack = stack[:len(stack)-1]
			}
			parent := stack[len(stack)-1]
			b := &block{level: level, parent: parent, head: head, heading: true, kind: kind, qaBenefit: named}
			parent.children = append(parent.children, b)
			stack = append(stack, b)
			continue
		}
		line := strings.TrimSpace(answerRe.ReplaceAllString(strings.TrimSpace(raw), ""))
		if line == "" {
			continue
		}
		level, content := enumerator(line, numExpect)
		if level == levelNum {
			n, _ := strconv.Atoi(numRe.FindStringSubmatch(line)[1])
			numExpect = n + 1
		} else if level != 0 && level < levelNum {
			numExpect = 1
		}
		if level == 0 && looksLikeHeading(line) && len(stack) > 0 {
			level, content = levelLabel, line
		}
		if level == 0 {
			top := stack[len(stack)-1]
			if closesConditionList(top, line) {
				// 申请条件：1、…；2、…。 符合条件的企业给予…: a grant after the
				// last item of a list of conditions is not part of that item.
				for len(stack) > 1 && stack[len(stack)-1].kind == kindCondition {
					stack = stack[:len(stack)-1]
				}
				top = stack[len(stack)-1]
			} else if len(stack) > 1 && closesList(line) {
				// 上述政策适用于…: the scope of every item (scopeline.go).
				stack = stack[:1]
				top = root
			}
			top.lines = append(top.lines, line)
			continue
		}
		inLabel := false
		if level == levelLabel && len(stack) > 1 && stack[1].level > levelLabel {
			// A field label inside a numbered section (1、一次性创业资助 …
			// 补贴标准：10000元) belongs to that section.
			level = stack[1].level + 1
			inLabel = true
		}
		for len(stack) > 1 && stack[len(stack)-1].level >= level {
			top := stack[len(stack)-1]
			if top.inLabel && !inLabel && top.parent != nil && level > top.parent.level {
				// 补贴条件：（1）…（2）…: the items under a label inside a
				// numbered section belong to the label, whatever their
				// numbering's level.
				break
			}
			stack = stack[:len(stack)-1]
		}
		parent := stack[len(stack)-1]
		b := &block{level: level, parent: parent, kind: parent.kind, inLabel: inLabel}
		if level == levelLabel || (level > levelLabel && labelRe.MatchString(content) && !enumeratedRe.MatchString(line)) {
			if m := labelRe.FindStringSubmatch(content); m != nil {
				b.head, b.heading = m[1], true
				b.kind = classifyHeading(m[1], true)
				rest := strings.TrimSpace(content[len(m[0]):])
				if rest != "" {
					b.lines = append(b.lines, rest)
				}
			} else {
				b.head, b.heading = trimPunct(content), true
				b.kind = classifyHeading(content, false)
			}
		} else if level != levelArticle && isHeadingText(content) && !((level >= levelNum || level == levelParen && parent.kind == kindCondition) && sentenceEndRe.MatchString(content) && !namedRe.MatchString(strings.TrimRight(content, "。；;"))) {
			b.head, b.heading = trimPunct(content), true
			if k := classifyHeading(content, false); k != kindOther || level <= levelOne {
				b.kind = k
			}
		} else if content != "" {
			b.lines = append(b.lines, content)
		}
		parent.children = append(parent.children, b)
		if b.kind == kindMeta || b.kind == kindScope || b.heading && singleLineLabelRe.MatchString(b.head) {
			// 发布时间：…, 发文机构 …, 服务对象 …: the field holds its own line only;
			// what follows is the text again.
			continue
		}
		stack = append(stack, b)
	}
	demoteLeafHeadings(root)
	markMeasures(root)
	if questions != nil {
		qaAmounts(root)
	}
	return root
}

// sentenceEndRe is an item that ends like a sentence (2、企业管理规范。): a
// clause of the list, not the title of what follows.
var sentenceEndRe = regexp.MustCompile(`[。；;]$`)

// closesConditionList reports an unnumbered line that grants something
// right after a complete numbered item of a list of conditions.
func closesConditionList(top *block, line string) bool {
	if top.kind != kindCondition || top.level < levelOne || top.heading || len(top.lines) == 0 {
		return false
	}
	last := top.lines[len(top.lines)-1]
	return strings.HasSuffix(last, "。") && !strings.HasPrefix(line, "（") && isGrant(line)
}

// demoteLeafHeadings turns a short numbered item that heads nothing
// (2.纯老家庭（含孤寡、独居）人员。) back into content: only 一、 and （一）
// items, and items with sub-items, title a section.
func demoteLeafHeadings(b *block) {
	for _, ch := range b.children {
		demoteLeafHeadings(ch)
	}
	if b.heading && (b.level >= levelNum || clauseItem(b)) && len(b.children) == 0 && len(b.lines) == 0 && !namedRe.MatchString(b.head) {
		b.heading = false
		b.lines = []string{b.head}
		b.head = ""
		if b.parent != nil {
			b.kind = b.parent.kind
		}
	}
}

// enumeratedRe is a line that opens with any numbering.
var enumeratedRe = regexp.MustCompile(`^(?:第[一二三四五六七八九十百零〇\d]+[章节条]|[一二三四五六七八九十]+\s*[、.]|（[一二三四五六七八九十\d]+）|\d{1,2}\s*[.、]|[①②③④⑤⑥⑦⑧⑨⑩])`)

// enumerator returns the level of the numbering a line opens with and the
// text after it; level 0 when the line has none. 1.80周岁 is item 1 of 80周岁
// when item 1 is the one expected.
func enumerator(line string, numExpect int) (int, string) {
	line = answerRe.ReplaceAllString(line, "")
	for _, e := range []struct {
		re    *regexp.Regexp
		level int
	}{{chapterRe, levelChapter}, {articleRe, levelArticle}, {parenRe, levelParen}, {pnumRe, levelPNum}, {circRe, levelCirc}, {oneRe, levelOne}} {
		if m := e.re.FindString(line); m != "" {
			return e.level, strings.TrimSpace(line[len(m):])
		}
	}
	if m := numRe.FindStringSubmatch(line); m != nil {
		rest := line[len(m[0]):]
		n, _ := strconv.Atoi(m[1])
		if rest == "" || !isDigit(rune(rest[0])) || n == numExpect {
			return levelNum, strings.TrimSpace(rest)
		}
	}
	if labelRe.MatchString(line) {
		return levelLabel, line
	}
	return 0, line
}

// looksLikeHeading reports an unnumbered line that titles what follows:
// short, no sentence punctuation inside (申请条件：, 补贴期限).
func looksLikeHeading(line string) bool {
	t := strings.TrimRight(line, "：:")
	// 各区人民政府：/ 各幼儿园： is the salutation of a notice.
	if runeLen(t) > 16 || strings.ContainsAny(t, "，。；、") || strings.HasPrefix(t, "各") {
		return false
	}
	return strings.HasSuffix(line, "：") || headingWordRe.MatchString(t)
}

var headingWordRe = regexp.MustCompile(`(?:条件|对象|标准|范围|程序|流程|材料|期限|内容|方式|要求|原则|依据)$`)

// isHeadingText reports whether the text after an enumerator is a title
// (一、享受对象) rather than a clause.
func isHeadingText(s string) bool {
	t := strings.TrimRight(s, "。：:？?")
	return t != "" && runeLen(t) <= 20 && !strings.ContainsAny(t, "，。；,;") && !amountRe.MatchString(t) && !strings.ContainsAny(t, "%")
}

var (
	procHeadRe   = regexp.MustCompile(`程序|流程|材料|网址|申领方式|申报方式|申请方式|办理方式|渠道|时间|时限|频度|联系|联络|审核|审批|监督|附则|责任|管理|经办|银行|其他相关要求|工作要求|组织实施|保障措施|施行|有效期|咨询`)
	condHeadRe   = regexp.MustCompile(`对象|条件|资格|范围|认定标准|适用|主体|申请人|` + moreCondHeads)
	amountHeadRe = regexp.MustCompile(`标准|内容|额度|奖励|补贴|资助|补助|支持方式|扶持方式|措施|政策内容|津贴|返还|减免|期限|多少`)
	metaHeadRe   = regexp.MustCompile(`^(?:依据文件|发文机构|发文字号|发文时间|发布日期|发布时间|成文日期|工具分类|政策依据)$`)
)

func classifyHeading(h string, label bool) sectionKind {
	switch {
	case metaHeadRe.MatchString(h):
		return kindMeta
	case label && h == "服务对象":
		return kindScope
	case procHeadRe.MatchString(h):
		return kindProcedure
	case condHeadRe.MatchString(h):
		return kindCondition
	case amountHeadRe.MatchString(h):
		return kindAmount
	}
	return kindOther
}

// inlineItemRe finds numbering inside a line: 1. / 1、, ①, （一）, （1）, 一、.
var inlineItemRe = regexp.MustCompile(`(\d{1,2})\s*[.、]|([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])|（([一二三四五六七八九十]{1,3})）|（(\d{1,2})）|([一二三四五六七八九十]{1,3})、`)

// splitInlineItems starts a new line at each item of a numbered list run
// into one line (申请条件：1.…；2.…；3.…, ①…②…, （一）…；（二）…), as pages
// flattened by a crawler have them. Only a run numbered 1, 2, 3 … in order,
// of at least two items, each opening a clause, is split: 第（一）项, 2.5万元
// and a lone 1、 stay as they are.
func splitInlineItems(text string) string {
	if !inlineItemRe.MatchString(text) {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = splitItemsInLine(line)
	}
	return strings.Join(lines, "\n")
}

func splitItemsInLine(line string) string {
	type cand struct{ pos, n int }
	runs := map[int][]cand{} // by kind of numbering: the submatch group
	for _, m := range inlineItemRe.FindAllStringSubmatchIndex(line, -1) {
		kind, n := 0, 0
		for g := 1; g <= 5; g++ {
			if m[2*g] >= 0 {
				kind = g
				n = itemNumber(g, line[m[2*g]:m[2*g+1]])
				break
			}
		}
		if n == 0 {
			continue
		}
		before := line[:m[0]]
		after := line[m[1]:]
		if after == "" || isDigit(rune(after[0])) {
			continue // 2.5万元, a list that ends with its number
		}
		if (kind == 1 || kind == 5) && !opensClause(before) {
			continue
		}
		if strings.HasPrefix(after, "项") || strings.HasPrefix(after, "款") || strings.HasPrefix(after, "条") && !strings.HasPrefix(after, "条件") || strings.HasSuffix(before, "第") {
			continue
		}
		rs := runs[kind]
		switch {
		case n == 1:
			if len(rs) >= 2 {
				continue // a second list of the same kind: keep the first run
			}
			runs[kind] = []cand{{m[0], n}}
		case len(rs) > 0 && rs[len(rs)-1].n == n-1:
			runs[kind] = append(rs, cand{m[0], n})
		}
	}
	var cuts []int
	for _, rs := range runs {
		if len(rs) < 2 {
			continue
		}
		for _, c := range rs {
			if c.pos > 0 {
				cuts = append(cuts, c.pos)
			}
		}
	}
	if len(cuts) == 0 {
		return line
	}
	sort.Ints(cuts)
	lead := line[:cuts[0]]
	startsList := false
	for _, rs := range runs {
		startsList = startsList || len(rs) >= 2 && rs[0].pos == 0
	}
	if !startsList && !condLeadRe.MatchString(lead) {
		// Only a list that the line opens with, or one led in by words of
		// conditions (申报条件：, 符合下列情形之一：), is split: other lists
		// (合同应当包括以下内容：（一）…) are not conditions.
		return line
	}
	if procLeadRe.MatchString(lead) {
		// 提供如下证明材料：（1）…（2）…: a list of documents or steps is
		// procedure; split into lines, its items would read as conditions.
		return line
	}
	var b strings.Builder
	last := 0
	for _, c := range cuts {
		if c <= last {
			continue
		}
		b.WriteString(strings.TrimRight(line[last:c], " "))
		b.WriteByte('\n')
		last = c
	}
	b.WriteString(line[last:])
	return b.String()
}

// condLeadRe is a lead-in to a list of conditions.
var condLeadRe = regexp.MustCompile(`条件|情形|对象|资格|要求|之一|范围|标准|主体`)

// procLeadRe is a lead-in to a list of documents or steps.
var procLeadRe = regexp.MustCompile(`材料|提供|提交|携带|报送|流程|程序|步骤|审核|办理方式|申请方式|申报方式`)

// opensClause reports whether what comes before a number leaves it at the
// start of a clause: the line's start, a sentence or field end, a space.
func opensClause(before string) bool {
	t := strings.TrimRight(before, " ")
	if t == "" {
		return true
	}
	if len(t) < len(before) {
		return true // 。 2.… and 【享受条件】 1.… leave a space
	}
	r, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune("：:；;。！？", r)
}

// itemNumber reads the number of one kind of numbering; 0 when it is none.
func itemNumber(kind int, s string) int {
	switch kind {
	case 1, 4:
		n, _ := strconv.Atoi(s)
		return n
	case 2:
		r, _ := utf8.DecodeRuneInString(s)
		return int(r-'①') + 1
	default:
		return chineseNumber(s)
	}
}

// chineseNumber reads 一 … 九十九; 0 when s is not one.
func chineseNumber(s string) int {
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10
	case len(rs) == 1:
		return digits[rs[0]]
	case len(rs) == 2 && rs[0] == '十':
		return 10 + digits[rs[1]]
	case len(rs) == 2 && rs[1] == '十':
		return digits[rs[0]] * 10
	case len(rs) == 3 && rs[1] == '十':
		return digits[rs[0]]*10 + digits[rs[2]]
	}
	return 0
}
