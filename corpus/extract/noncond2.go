package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// Besides who qualifies, a policy states its principles (坚持需求导向,
// 确保服务覆盖到…), what offices do (市残联制定目录，明确…), how to apply in
// a special case (如需…，应先办理…后方可申请; 可持病历申请) and where data
// comes from. None of these is a condition on the subject; read as one, each
// adds an unparsed atom that turns every verdict into "needs information".

var (
	// principleRe is a statement of working principles or aims.
	principleRe = regexp.MustCompile(`^[^，。；经由被为是的对]{0,24}?(?:坚持|着力|积极推广|大力推进|全面推进|普及)|坚持[^，。；]{0,16}(?:原则|导向|方式|方针)|^确保[^，。；]{0,40}(?:覆盖|落实|到位|惠及)`)
	// officeDutyRe is an office or agency as the subject of its own work.
	// The office must be the subject: nothing before it may make it an
	// agent (经民政部门审核认定的低收入家庭 names the family, not a duty).
	officeDutyRe = regexp.MustCompile(`^[^，。；经由被为是的对]{0,24}?(?:联合会|残联|人社局|财政局|民政局|税务局|管理局|委员会|办公室|部门|政府|服务中心|经办机构)(?:负责|牵头|统筹|会同[^，。；]{0,12})?(?:制定|明确|组织|开展|做好|落实|协调|建立|编制|发布|公布|审核|核定|拨付)`)
	// strongPersonCueRe marks a sentence that, whatever office it names,
	// states who qualifies.
	strongPersonCueRe = regexp.MustCompile(`申请人(?:为|须|应)|年龄|周岁|户籍|须|应当具|符合|满足|凡`)
	// specialProcedureRe is how to apply in a special case or with which
	// papers: 如需…申请的, 应先…手续, …后方可申请, 可持…申请.
	specialProcedureRe = regexp.MustCompile(`^如需(?:要)?[^，。；]{0,30}(?:申请|办理)|^应先[^，。；]{0,30}(?:手续|评定|鉴定|办理|登记)|方可(?:申请|办理|享受)$|(?:可以?|须|应|凭)持[^，。；]{1,50}(?:申请|办理)`)
)

// notEligibility reports a sentence with no eligibility condition in it
// (see above); it never holds for a sentence that grants an amount. Inside
// a list of conditions (inList) a principle is a requirement (申报条件：
// 1．坚持社会效益优先…), so only procedure and data sources are dropped.
func notEligibility(s string, a corpus.Audience, inList bool) bool {
	t := trimPunct(s)
	if amountRe.MatchString(t) {
		return false
	}
	switch {
	case !inList && principleRe.MatchString(t) && !strongPersonCueRe.MatchString(t):
		return true
	case !inList && officeDutyRe.MatchString(t) && !strongPersonCueRe.MatchString(t):
		return true
	case dataSourceRe.MatchString(t) && !strongPersonCueRe.MatchString(t):
		return true
	case peopleNote(t, a):
		return true
	}
	for _, cl := range splitKeep(t, "，") {
		if specialProcedureRe.MatchString(trimPunct(cl)) && !strongPersonCueRe.MatchString(t) {
			return true
		}
	}
	return false
}

// cueText is s as the condition-cue rules should see it: 需求 (a need, a
// demand) is not 需 (must), so 坚持需求导向 does not read as a requirement.
func cueText(s string) string {
	return strings.ReplaceAll(s, "需求", "  ")
}

// certifiedStatusRe is a status someone holds because an office checked it
// (经民政部门审核认定的低收入家庭, 经审批确认的特困人员): the word 审核 in it
// is no procedure, the sentence names who qualifies.
var certifiedStatusRe = regexp.MustCompile(`(?:审核|审批|核定|认定|确认|评定)(?:认定|确认|确定|通过|核实)?(?:为|的)[^，。；]{0,12}?(?:家庭|人员|人口|对象|企业|残疾人|老年人|老人|儿童|学生|单位)`)

// certifiedStatus reports such a sentence.
func certifiedStatus(s string) bool { return certifiedStatusRe.MatchString(s) }
