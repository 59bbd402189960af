package extract

import "regexp"

// closingScopeRe is an unnumbered sentence after a list of measures that
// scopes all of them (上述政策适用于在本市注册的企业, 以上措施面向…, 本措施
// 适用于…): it belongs to the whole text, not to the last item it follows.
var closingScopeRe = regexp.MustCompile(`^(?:上述|以上|前述|本)(?:各项|所有|全部)?(?:政策|措施|条款|办法|细则|奖励|补贴|扶持|支持|事项)?[^，。；：]{0,8}?(?:适用于|适用对象为|适用范围为|面向|享受主体为|支持对象为|扶持对象为)`)

// closesList reports a line that scopes every item before it.
func closesList(line string) bool {
	return closingScopeRe.MatchString(line)
}
