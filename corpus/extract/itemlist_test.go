package extract

import (
	"strings"
	"testing"
)

// A part of a policy that lists its grants as numbered items under a title
// that is neither 支持标准 nor 申报条件; written for this test.
const grantListPolicy = `某县关于支持数字经济发展的若干措施
一、支持对象
在本县注册登记、具有独立法人资格的企业，且未被列入严重失信主体名单。
二、扶持措施
1.数字化改造补助。按企业软硬件投入的20%给予补助，最高不超过150万元。
2.上云用云补贴。按云服务费用的30%给予补贴，最高不超过10万元。
3.示范项目奖励。获评省级数字化示范项目的，给予一次性奖励30万元。
4.单个企业年度享受本条补助合计不超过200万元。
三、申报程序
企业于每年3月向县经信局提交申请材料，经审核、公示后拨付资金。
四、联系方式
县经信局，电话：12345678。`

func TestGrantListItemsAreBenefits(t *testing.T) {
	res, err := Extract(grantListPolicy, Options{Region: "330122"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range res.Benefits {
		got = append(got, b.Amount)
	}
	want := []string{"按企业软硬件投入的20%给予补助，最高不超过150万元", "按云服务费用的30%给予补贴，最高不超过10万元", "给予一次性奖励30万元"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("benefits:\n%s\nwant (one per item, no cap, no procedure):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, b := range res.Benefits {
		keys := atomKeys(b.Conditions)
		for _, w := range []string{`region within "330122"`, "dishonest eq false"} {
			if !strings.Contains(keys, w) {
				t.Errorf("benefit %d lacks the shared %q: %s", i, w, keys)
			}
		}
	}
}
