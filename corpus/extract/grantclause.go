package extract

import "regexp"

// boundClauseRe is a clause whose amount is a threshold on the subject
// (对上年度完成技术改造投资500万元以上的企业, 营业收入不低于2000万元), not a
// sum paid: under 支持标准 such a clause is no bare grant.
var boundClauseRe = regexp.MustCompile(`\d\s*(?:亿元|万元|元|%)\s*(?:（含）)?(?:以上|以下|以内)|(?:不低于|不少于|不高于|超过|达到|突破|低于|高于|满)\s*\d`)

// statsEntryRe is a firm entering a statistical register (首次纳入规模以上
// 工业企业统计, 新入统): a status that is rewarded, not a statistic quoted.
var statsEntryRe = regexp.MustCompile(`(?:纳入|列入|进入)([^，。；]{0,16})统计|入统`)

// maskStatsEntry hides a statistical register's name from the test for
// narrative sentences (据统计, 统计数据显示), which it would otherwise match.
func maskStatsEntry(s string) string {
	if !statsEntryRe.MatchString(s) {
		return s
	}
	return statsEntryRe.ReplaceAllString(s, "纳入${1}名录")
}
