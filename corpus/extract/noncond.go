package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// Policy texts mix who qualifies with how much is paid, for how long, how
// the amount is computed and where the page came from. The rules below
// recognise text that is none of the subject's conditions, so that it is
// neither read as a condition nor kept as an unparsed one (an unparsed atom
// makes every profile "needs information", so a spurious one hides a real
// verdict).

// calcSentenceRe is a sentence about how an amount is computed (换算公式为…,
// 应当按月换算其限额, 计税依据是…): arithmetic of the grant, not a condition.
var calcSentenceRe = regexp.MustCompile(`换算|计算公式|公式为|计税依据|计算方法|计算方式|计算办法|折算为|[=÷×]`)

// pastRateRe is a sentence that states what applied before (原…标准为,
// 2023年…费率为…，现…): the old figure grants nothing.
var pastRateRe = regexp.MustCompile(`^(?:此前|原|以往|过去|去年|上年度?)[^，。；]{0,16}(?:标准|费率|比例|额度)(?:为|是)`)

// accountRuleRe is a rule about insurance accounts and their transfer
// (建立临时缴费账户, 关系转移接续): how records move, with its own ages
// and years, not who qualifies for a benefit.
var accountRuleRe = regexp.MustCompile(`临时(?:基本养老保险)?(?:缴费)?账户|转移接续|关系转移|账户转移`)

// nonConditionSentence reports a sentence that states no condition and
// grants nothing.
func nonConditionSentence(s string) bool {
	return calcSentenceRe.MatchString(s) && !condCueStrongRe.MatchString(s) || pastRateRe.MatchString(s) || accountRuleRe.MatchString(s)
}

// condCueStrongRe marks a sentence that names who qualifies, which keeps it
// even when it also computes something.
var condCueStrongRe = regexp.MustCompile(`符合|条件|对象|凡`)

// timeFrameRe is a clause that only says when or for how long a grant
// runs (在3年（36个月）内, 自办理登记当月起, 自领取营业执照之日起,
// 其提供的应税服务3年内, 贷款期限最长不超过3年, 补贴期限不超过2年).
var timeFrameRe = regexp.MustCompile(`^(?:在|于)?(?:\d+|[一二三四五六七八九十两半])(?:年|个月|个自然年度?)(?:（[^）]*）)?(?:内|期间)$` +
	`|^(?:自|从)[^，。；]{0,30}(?:起|之日起|当月起|次月起)$` +
	`|^其[^，。；]{0,14}(?:\d+|[一二三四五])(?:年|个月)内$` +
	`|^[^，。；]{0,8}(?:贷款|补贴|补助|扶持|支持|享受|贴息)期限(?:最长)?(?:不超过|为|最长|最多)?(?:\d+|[一二三四五六七八九十两])(?:年|个月)(?:（含）)?$`)

// timeSubjectRe marks a time frame that qualifies the subject (注册3年内,
// 毕业2年内, 登记失业6个月以上): those are conditions.
var timeSubjectRe = regexp.MustCompile(`成立|注册|毕业|离校|登记失业|失业|退役|设立|创办|参保|缴纳|经营|工作|居住|入驻|认定|获得`)

// isTimeFrame reports a clause that only times a grant.
func isTimeFrame(s string) bool {
	t := trimPunct(s)
	// 自…起 and 其…年内 time what is granted, whatever words they hold.
	anchored := strings.HasPrefix(t, "自") || strings.HasPrefix(t, "从") || strings.HasPrefix(t, "其")
	return timeFrameRe.MatchString(t) && (anchored || !timeSubjectRe.MatchString(t))
}

// dropNonConditions removes, from the conjunctions of a tree, unparsed
// atoms whose text only times a grant or says how it is paid (依次扣减
// 其应缴纳的税费). Alternatives and negations are left
// alone: removing an alternative would narrow who qualifies.
func dropNonConditions(c corpus.Cond) corpus.Cond {
	if c.Kind() != corpus.NodeAll {
		return c
	}
	var kept []corpus.Cond
	for _, ch := range c.All {
		if ch.Kind() == corpus.NodeAtom && ch.Field == corpus.FieldUnparsed && (isTimeFrame(ch.Text) || payVerbRe.MatchString(ch.Text)) {
			continue
		}
		kept = append(kept, dropNonConditions(ch))
	}
	if len(kept) == len(c.All) || len(kept) == 0 {
		return c // an empty tree would hold for everyone
	}
	return corpus.All(kept...)
}

// definitionRest keeps, as an unparsed atom, what a definition requires
// beyond the words the rules read (自主就业退役士兵，是指依照…的规定退出现役
// 并按自主就业方式安置的退役士兵: the tag is read, the manner of placement
// is not). Without it the definition would read as the bare tag and a
// profile that has the tag would look eligible. cond is what was read from
// body; ok is false when nothing needs adding.
func definitionRest(name, body string, cond corpus.Cond) (corpus.Cond, bool) {
	if !personNameRe.MatchString(name) {
		return corpus.Cond{}, false // services and firms are defined by what they do or measure
	}
	rest := body
	for _, a := range cond.Atoms() {
		if a.Field == corpus.FieldUnparsed {
			return corpus.Cond{}, false // the rules already kept what they could not read
		}
		if a.Text != "" {
			rest = strings.ReplaceAll(rest, a.Text, "")
		}
	}
	rest = trimPunct(rest)
	if hanCount(rest) < 6 {
		return corpus.Cond{}, false
	}
	text := trimPunct(body)
	// The defined subject closes the body (…安置的退役士兵): keep the
	// qualifier before it.
	if k := strings.LastIndex(text, "的"); k > 0 && runeLen(text[k:]) <= 10 {
		text = text[:k]
	}
	return corpus.Unparsed(text), true
}

// personNameRe is the name of a group of people a definition defines.
var personNameRe = regexp.MustCompile(`(?:人员|士兵|军人|干部|家属|人口|学生|毕业生|老年人|老人|儿童|青年|家庭|妇女)$`)

func hanCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			n++
		}
	}
	return n
}

// validityRe is a clause saying how long a policy runs.
var validityRe = regexp.MustCompile(`执行期限|有效期|延续执行|执行至|实施期限`)

// skippedTail cuts from a sentence the trailing clauses that say how long
// the policy runs (参加失业保险的企业，政策执行期限延续至年底: the subject stays,
// the validity clause goes), so that a run-on item whose clauses were never
// split into sentences keeps its condition. It returns "" when nothing
// before them is left, and s itself when the match is not trailing.
func skippedTail(s string) string {
	clauses := splitKeep(s, "，")
	k := len(clauses)
	for k > 0 && validityRe.MatchString(clauses[k-1]) {
		k--
	}
	if k == len(clauses) {
		return s
	}
	rest := strings.Join(clauses[:k], "")
	if skipRe.MatchString(rest) {
		return ""
	}
	return rest
}
