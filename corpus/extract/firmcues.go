package extract

import "regexp"

// Two more wordings about a firm itself:
//   - 未被认定为失信惩戒对象 / 不属于失信被执行人 / 未被列为失信联合惩戒对象:
//     the firm is not on a list of dishonest subjects (dishonest eq false);
//   - X区行政区域内的…企业 / 辖区内的企业: a firm located in X, which for a
//     firm is where it is registered (region within X).

// dishonestMoreRe is a wording of "not dishonest" the base rule misses.
var dishonestMoreRe = regexp.MustCompile(`未(?:被)?(?:认定为|列为|确定为)[^，。；]{0,10}失信|非失信(?:被执行人|惩戒对象|主体)|不(?:是|属于)失信(?:被执行人|惩戒对象|主体)`)

// firmInAreaRe follows a place that a firm sits in (行政区域内的…企业).
var firmInAreaRe = regexp.MustCompile(`^(?:行政区域内|区域内|辖区内|范围内|境内|内)(?:的)?(?:符合条件的)?[^，。；的]{0,12}?(?:企业|公司|经营主体|市场主体)`)

// firmInArea reports a place followed by the firms inside it.
func firmInArea(after string) bool { return firmInAreaRe.MatchString(after) }
