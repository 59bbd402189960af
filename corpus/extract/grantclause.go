package extract

import "regexp"

// boundClauseRe is a clause whose amount is a threshold on the subject
// (对上年度完成技术改造投资500万元以上的企业, 营业收入不低于2000万元), not a
// sum paid: under 支持标准 such a clause is no bare grant.
var boundClauseRe = regexp.MustCompile(`\d\s*(?:亿元|万元|元|%)\s*(?:（含）)?(?:以上|以下|以内)|(?:不低于|不少于|不高于|超过|达到|突破|低于|高于|满)\s*\d`)

// statsEntryRe is a firm entering a statistical register (首次纳入规模以上
// 工业企业统计, 新入统): a status that is rewarded, not a statistic quoted.
var statsEntryRe = regexp.MustCompile(`(?:纳入|列入|进入)([^，。；]{0,16})统计|入统`)

// cumulativeCapRe is a cap on what one subject gets in all (单家企业累计不超过
// 100万元) or a requirement on its record (累计缴纳失业保险费12个月以上): a
// limit or a condition, not a running total quoted.
var cumulativeCapRe = regexp.MustCompile(`累计([^，。；]{0,10}?(?:不超过|不高于|最高|最多|上限|封顶)|(?:缴纳|缴费|参保|参加|工作|经营|就业))`)

// maskStatsEntry hides from the test for narrative sentences (据统计, 累计
// 发放) the words that look like it but belong to a grant: a statistical
// register's name and a cumulative cap.
func maskStatsEntry(s string) string {
	if statsEntryRe.MatchString(s) {
		s = statsEntryRe.ReplaceAllString(s, "纳入${1}名录")
	}
	if cumulativeCapRe.MatchString(s) {
		s = cumulativeCapRe.ReplaceAllString(s, "合计${1}")
	}
	return s
}

// grantLeadRe is a lead-in that names a grant and leaves its amounts to the
// list after the colon (对高新技术企业给予一次性奖励：首次认定的，10万元；…).
var grantLeadRe = regexp.MustCompile(`(?:给予|予以)[^，。；：]{0,12}(?:奖励|补助|补贴|资助|奖补)[：:]|(?:奖励|补助|补贴|资助)[：:]`)

// leadBareAmount reports a clause of a line led in by grantLeadRe that
// states an amount alone (10万元): it is the grant of its item, as under a
// 奖励标准 heading. Caps and thresholds are none.
func leadBareAmount(line, cl string) bool {
	return moneyOrRateRe.MatchString(cl) && !capWordRe.MatchString(cl) && !boundClauseRe.MatchString(cl) && !notGrantRe.MatchString(cl) &&
		grantLeadRe.MatchString(line)
}
