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
	got := amounts(res)
	want := []string{"按企业软硬件投入的20%给予补助，最高不超过150万元", "按云服务费用的30%给予补贴，最高不超过10万元", "给予一次性奖励30万元"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("benefits:\n%s\nwant (one per item, no cap, no procedure):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, title := range []string{"数字化改造补助", "上云用云补贴", "示范项目奖励"} {
		if !strings.HasPrefix(res.Benefits[i].Name, title+"（") {
			t.Errorf("benefit %d is named %q, want it after its item's title %q", i, res.Benefits[i].Name, title)
		}
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

func TestProcedureItemsAreNoBenefits(t *testing.T) {
	// Numbered steps, documents and contacts name money and grant words
	// (拨付奖励资金, 超过100万元的) but grant nothing.
	text := "某区关于支持企业上市的若干措施\n一、支持对象\n在本区注册的股份有限公司。\n二、奖励标准\n" +
		"1.在境内主板上市的，奖励300万元。\n2.在新三板挂牌的，奖励50万元。\n" +
		"三、申报流程\n1.企业填写申请表，经区金融办初审；\n2.区财政局复核后，在10个工作日内拨付奖励资金；\n3.奖励资金超过100万元的，分两次拨付。\n" +
		"四、申报材料\n1.营业执照复印件；\n2.上市证明材料。\n五、联系方式\n1.区金融办：电话12345678；\n2.区财政局：电话87654321。"
	res, err := Extract(text, Options{Region: "330106"})
	if err != nil {
		t.Fatal(err)
	}
	got := amounts(res)
	if want := []string{"奖励300万元", "奖励50万元"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("benefits %q, want %q", got, want)
	}
	for i, b := range res.Benefits {
		if keys := atomKeys(b.Conditions); !strings.Contains(keys, "region within") {
			t.Errorf("benefit %d lacks the shared 支持对象: %s", i, keys)
		}
	}
}
