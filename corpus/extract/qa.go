package extract

import (
	"regexp"
	"strings"
)

// Question-and-answer pages (常见问题解答, 热点N问, 一文说清 …) ask one
// thing per question: only the answers to questions about who qualifies
// hold conditions; answers about how, where, when, how much or what next
// are procedure, whatever numbers or 的-clauses they contain.

// minQuestions is how many question lines make a page a Q&A page: one
// rhetorical question in a notice does not.
const minQuestions = 2

var (
	// askRe opens an explicit question (问：…, Q：…, Q1.…).
	askRe = regexp.MustCompile(`^(?:问|Q\d{0,2}|问题[一二三四五六七八九十\d]{1,3})\s*[：:.、]\s*`)
	// questionEndRe ends a question: a question mark, or a short line
	// ending in a question word.
	questionEndRe  = regexp.MustCompile(`[？?]\s*$`)
	questionWordRe = regexp.MustCompile(`(?:吗|呢|什么|哪些|哪几类|如何|怎么|怎样|多少|多久|几年)\s*$`)
	// qaCondRe is a question about who qualifies or on what conditions.
	qaCondRe = regexp.MustCompile(`条件|(?:情况|情形)(?:有哪些|是什么|包括)|多少(?:年|岁|周岁|个月)[^？?]{0,8}(?:可以|能|才能|才可以)|(?:什么|哪些|何种)(?:情况|情形)|(?:哪些|哪类|什么)[^？?，]{0,6}(?:可以|能)(?:申请|申领|领取|享受|领)|哪些人|哪类人|哪几类|什么人|哪些企业|哪些单位|哪些群体|哪些人员|什么样的(?:人|企业|单位)|谁(?:可以|能)|符合[^？?]{0,10}(?:可以|能)|对象|资格|是否(?:可以|能够?)(?:享受|申请|申领|领取)|能否(?:享受|申请|申领|领取)|能不能(?:享受|申请|申领|领取|领)|(?:可以|能|能否|可否)(?:享受|申请|申领|领取|领)[^？?]{0,16}吗`)
	// qaProcRe is a question about procedure, materials, place, time,
	// amount or what follows: never conditions, even when it names them
	// (符合条件的怎么申请).
	qaProcRe = regexp.MustCompile(`怎么申请|如何申请|怎样申请|怎么办理|如何办理|怎样办理|怎么领|如何领|怎样领|材料|资料|在哪|哪里|何时|什么时候|多久|多长时间|时限|流程|程序|渠道|途径|方式|网点|银行|电话|咨询|怎么办|计算|多少(?:[^年岁个周]|$)|(?:补贴|补助|发放|资助|返还|支付|待遇|奖励)标准|标准(?:是|为|有)|额度|金额|到账|之后|以后|查询|如何操作`)
	// qaBenefitRe finds the benefit a condition question names: the words
	// before its condition phrase (失业保险金领取条件是什么 → 失业保险金).
	qaBenefitRe = regexp.MustCompile(`^(?:申请|申领|领取|享受|办理)?([^，,？?]{2,16}?)(?:的)?(?:申请|申领|领取|享受|发放|办理)?(?:条件|对象|资格)`)
)

// questionLines marks the lines of text that ask a question, when the text
// is a Q&A page: at least minQuestions such lines, each followed by an
// answer. Nil for any other text.
func questionLines(lines []string) map[int]bool {
	qs := map[int]bool{}
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" || i+1 >= len(lines) || !isQuestion(line) {
			continue
		}
		// An answer follows: a line that is no question itself.
		for j := i + 1; j < len(lines); j++ {
			next := strings.TrimSpace(lines[j])
			if next == "" {
				continue
			}
			if !isQuestion(next) {
				qs[i] = true
			}
			break
		}
	}
	// A page title that is a question, repeated above the text
	// (怎么申领社保卡？), is one question.
	distinct := map[string]bool{}
	for i := range qs {
		distinct[strings.TrimSpace(lines[i])] = true
	}
	if len(distinct) < minQuestions {
		return nil
	}
	return qs
}

// isQuestion reports a line that asks: 问：…, or a line of one sentence
// ending in ？, or a short line ending in a question word.
func isQuestion(line string) bool {
	if answerLeadRe.MatchString(line) {
		return false
	}
	if askRe.MatchString(line) {
		return true
	}
	_, content := enumerator(line, 1)
	body := strings.TrimRight(content, "？? ")
	if body == "" || strings.ContainsAny(body, "。；") {
		return false
	}
	if questionEndRe.MatchString(content) {
		return runeLen(body) <= 60
	}
	return runeLen(body) <= 24 && questionWordRe.MatchString(body)
}

var answerLeadRe = regexp.MustCompile(`^(?:答|A\d{0,2})\s*[：:]`)

// qaQuestion turns a question line into the heading of its answer: its
// level (an unnumbered question is a top item, and a numbered one never
// sits below another's answer), its title and what its answer holds.
// named is set when the question asks who qualifies for a benefit it
// names; the title is then that benefit's name.
func qaQuestion(line string, numExpect int) (level int, head string, kind sectionKind, named bool) {
	line = askRe.ReplaceAllString(line, "")
	level, content := enumerator(line, numExpect)
	if level == 0 || level > levelOne {
		level = levelOne
	}
	content = askRe.ReplaceAllString(content, "") // 1.问：…
	q := strings.TrimSpace(strings.TrimRight(content, "？? "))
	kind = qaKind(q)
	if kind == kindCondition {
		if name := qaBenefitName(q); name != "" {
			return level, name, kind, true
		}
	}
	return level, q, kind, false
}

// qaKind classifies a question: kindCondition when it asks who qualifies
// or on what conditions, kindProcedure for anything else (how, where,
// when, how much, what next).
func qaKind(q string) sectionKind {
	// …且不符合补缴条件，怎样才能缴够年限: the conditions are the premise;
	// what is asked is the last clause.
	last := q
	if i := strings.LastIndexAny(q, "，,"); i >= 0 {
		last = q[i:]
	}
	switch {
	case last != q && !qaCondRe.MatchString(last) && qaHowRe.MatchString(last):
		return kindProcedure
	case qaCondRe.MatchString(q) && !qaProcRe.MatchString(q):
		return kindCondition
	case qaContentRe.MatchString(q):
		return kindOther // the measures themselves, read as any text
	}
	return kindProcedure
}

// qaHowRe asks how, where or when.
var qaHowRe = regexp.MustCompile(`怎|如何|哪里|何时|什么时候|多久`)

// qaContentRe is a question that asks what a policy grants (主要内容有哪些,
// 有哪些扶持政策): its answer is the policy itself.
var qaContentRe = regexp.MustCompile(`主要内容|主要措施|(?:哪些|什么)(?:扶持|支持|优惠|补贴|奖励)?(?:政策|措施)|包括哪些(?:政策|补贴|支持)|有哪些(?:补贴|支持|扶持|优惠|奖励)|(?:享受|申请|领取)(?:哪些|什么)|哪些(?:补贴|补助|待遇|优惠|支持|扶持)`)

var (
	// qaNameBeforeRe is a benefit named before its condition phrase
	// (失业保险金领取条件是什么 → 失业保险金).
	qaNameBeforeRe = regexp.MustCompile(`^(?:不能|不得|不予|不可以|不可)?(?:申请|申领|领取|享受|办理)?([^，,、]{2,16}?)(?:的)?(?:有|需要|需|要|应|应当)?(?:符合|满足|具备)?(?:哪些|什么|何种|哪几类)?(?:申请|申领|领取|享受|发放|办理)?(?:需要|需|要|应|应当)?(?:符合|满足|具备)?(?:哪些|什么|何种|哪几类)?(?:条件|对象|资格|情形|情况)`)
	// qaNameAfterRe is a benefit named after the verb that asks for it
	// (哪些企业可以申请稳岗返还 → 稳岗返还).
	qaNameAfterRe = regexp.MustCompile(`(?:可以|能|能够|可|能否|能不能)(?:申请|申领|领取|享受)([^，,、]{2,16}?)(?:吗|呢)?$`)
	// qaNotNameRe are words that open a question without naming a benefit.
	qaNotNameRe = regexp.MustCompile(`^(?:哪|什么|谁|是否|能否|能不能|如何|怎么|有|需要|需|要|应|我|本人|个人|企业|单位)`)
)

// qaBenefitName returns the benefit a condition question names, or "".
func qaBenefitName(q string) string {
	for _, re := range []*regexp.Regexp{qaNameAfterRe, qaNameBeforeRe} {
		if m := re.FindStringSubmatch(q); m != nil {
			name := strings.TrimSpace(m[1])
			if i := strings.Index(name, "的"); i > 0 && runeLen(name[:i]) >= 2 {
				name = name[:i] // 社保补贴的补贴对象 → 社保补贴
			}
			if runeLen(name) >= 2 && !qaNotNameRe.MatchString(name) && !strings.ContainsAny(name, "哪谁什么") {
				return name
			}
		}
	}
	return ""
}

// inlineAnswerRe is an answer run on after its question on one line
// (1.谁可以申请？答：…).
var inlineAnswerRe = regexp.MustCompile(`([？?])[ \t]*((?:答|A\d{0,2})\s*[：:])`)

// splitInlineAnswers starts a new line at every 答： that follows a
// question mark, so that question and answer are lines of their own.
func splitInlineAnswers(text string) string {
	if !strings.Contains(text, "答") && !strings.Contains(text, "A") {
		return text
	}
	return inlineAnswerRe.ReplaceAllString(text, "$1\n$2")
}

// qaAmountRe is a question on how much a benefit pays.
var qaAmountRe = regexp.MustCompile(`多少|标准|额度|金额|怎么算|如何计算|怎样计算`)

// qaAmounts gives each benefit named by a question on who qualifies the
// amount that the answer to a question on how much it pays states: the
// question names the benefit, or the page names one benefit only. The
// amount is the first clause of the answer that holds a sum.
func qaAmounts(root *block) {
	var named, asks []*block
	var visit func(b *block)
	visit = func(b *block) {
		for _, ch := range b.children {
			switch {
			case ch.qaBenefit:
				named = append(named, ch)
			case ch.heading && ch.kind == kindProcedure && qaAmountRe.MatchString(ch.head):
				asks = append(asks, ch)
			}
			visit(ch)
		}
	}
	visit(root)
	if len(named) == 0 {
		return
	}
	for _, q := range asks {
		var to *block
		for _, n := range named {
			if strings.Contains(q.head, n.head) && (to == nil || runeLen(n.head) > runeLen(to.head)) {
				to = n
			}
		}
		if to == nil && oneBenefit(named) {
			to = named[0]
		}
		if to == nil || to.qaAmount != "" {
			continue
		}
		to.qaAmount = firstSum(q)
	}
	// Other questions on one benefit share its amount.
	for _, n := range named {
		if n.qaAmount != "" {
			continue
		}
		for _, m := range named {
			if m.qaAmount != "" && sameQABenefit([]*block{m}, n.head) != nil {
				n.qaAmount = m.qaAmount
				break
			}
		}
	}
}

// firstSum returns the first clause of a block's text that states a sum.
func firstSum(b *block) string {
	lines := append([]string(nil), b.lines...)
	for _, ch := range b.children {
		lines = append(lines, ch.lines...)
	}
	for _, l := range lines {
		for _, s := range splitKeep(l, "。；") {
			if amountRe.MatchString(s) {
				return strings.TrimRight(strings.TrimSpace(s), "。；")
			}
		}
	}
	return ""
}

// sameQABenefit returns the part among firsts whose benefit is the one
// named: the same name, or one holding the other (稳岗返还 and 失业保险稳岗返还)
// when the shorter is specific enough (4 characters or more, not 补贴).
func sameQABenefit(firsts []*block, name string) *block {
	for _, f := range firsts {
		short, long := f.head, name
		if runeLen(short) > runeLen(long) {
			short, long = long, short
		}
		if short == long || runeLen(short) >= 4 && strings.Contains(long, short) {
			return f
		}
	}
	return nil
}

// oneBenefit reports whether the questions all name one benefit.
func oneBenefit(named []*block) bool {
	for _, n := range named[1:] {
		if sameQABenefit(named[:1], n.head) == nil {
			return false
		}
	}
	return true
}

// pageChromeRe is a line of a web page's frame (返回顶部, 打印本页,
// 扫一扫在手机打开当前页 …): on a Q&A page it ends the last answer.
var pageChromeRe = regexp.MustCompile(`^(?:返回顶部|打印本页|打印页面|打印|关闭本页|关闭窗口|关闭|扫一扫|分享到|分享文章|相关附件|相关新闻|相关链接|内容纠错|使用帮助|网站地图|主办单位|版权所有|浏览次数)`)

// lastKey returns the greatest line number marked, or -1.
func lastKey(m map[int]bool) int {
	last := -1
	for k := range m {
		if k > last {
			last = k
		}
	}
	return last
}
