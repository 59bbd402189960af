package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// Synthetic sentences written for these tests.

func TestJoinSplitGrants(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"named loan, then its amount", []string{"返乡青年创业的，", "可申请财政贴息的创业担保贷款，", "最高贷款额度为30万元。"},
			[]string{"返乡青年创业的，", "可申请财政贴息的创业担保贷款，最高贷款额度为30万元。"}},
		{"limit, then how it is deducted", []string{"按每户每年1万元为限额，", "依次扣减其当年应缴纳的税费。"},
			[]string{"按每户每年1万元为限额，依次扣减其当年应缴纳的税费。"}},
		{"a whole grant is left alone", []string{"给予一次性补贴5000元，", "最高不超过1万元。"},
			[]string{"给予一次性补贴5000元，", "最高不超过1万元。"}},
		{"a refusal is not a grant", []string{"不得享受创业补贴，", "最高不超过1万元。"},
			[]string{"不得享受创业补贴，", "最高不超过1万元。"}},
	}
	for _, tt := range tests {
		got := joinSplitGrants(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestIsLoanGrant(t *testing.T) {
	for in, want := range map[string]bool{
		"可申请最高不超过20万元的创业担保贷款": true,
		"贷款额度最高为50万元":         true,
		"贷款期限最长不超过3年":         false,
		"且担保贷款额度在100万元（含）以上":  false, // a condition on the loan, not a grant
		"可申请创业担保贷款":           false, // no amount: only in a measure
	} {
		if got := isLoanGrant(in); got != want {
			t.Errorf("isLoanGrant(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestAsideRequirements(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"其经营所得2年内免征个人所得税（须持有主管部门出具的认定证明）", []string{"须持有主管部门出具的认定证明"}},
		{"从事个体经营的烈士遗属（有民政部门出具的身份证明）", []string{"有民政部门出具的身份证明"}},
		{"小微企业（包括个体工商户，下同）", nil},
		{"按月发放（每月10日前）", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range asideRequirements(tt.in) {
			if h.cond.Field != corpus.FieldUnparsed {
				t.Errorf("%q: an aside requirement must be unparsed, got %s", tt.in, h.cond.Field)
			}
			got = append(got, h.cond.Text)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("asideRequirements(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSkippedTail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"参加工伤保险的企业，政策执行期限至2027年12月31日，", "参加工伤保险的企业，"},
		{"本政策有效期至2027年12月31日。", ""},
		{"符合条件的企业，累计获得补贴不超过10万元。", "符合条件的企业，累计获得补贴不超过10万元。"},
	}
	for _, tt := range tests {
		if got := skippedTail(tt.in); got != tt.want {
			t.Errorf("skippedTail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// residentPage is a page for residents, by group of persons, that also
// tells firms what they get for hiring them.
const residentPage = `一、烈士遗属
烈士遗属从事个体经营的，按每户每年8000元为限额，依次扣减其当年应缴纳的税费。
企业招用烈士遗属并签订1年以上劳动合同的，按每人每年6000元的定额标准扣减税费。
二、随迁子女家长
从事个体经营的随迁子女家长（有街道出具的随迁证明），其经营所得2年内免征个人所得税。`

func TestHeadingAudienceAndFirmGrants(t *testing.T) {
	root := parseDocument(normalize(residentPage))
	if got := headingAudience(root); got != corpus.AudienceResident {
		t.Fatalf("headingAudience = %q, want resident", got)
	}
	res, err := Extract(residentPage, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Audience != corpus.AudienceResident {
		t.Fatalf("audience %q, want resident", res.Audience)
	}
	if len(res.Benefits) != 2 {
		t.Fatalf("got %d benefits, want 2 (the firm's deduction is not a resident benefit): %+v", len(res.Benefits), res.Benefits)
	}
	for _, b := range res.Benefits {
		if strings.Contains(b.Amount, "6000") {
			t.Errorf("grant to hiring firms kept: %+v", b)
		}
		for _, a := range b.Conditions.Atoms() {
			if a.Field == corpus.FieldUnparsed && (strings.HasPrefix(a.Text, "依次扣减") || strings.HasSuffix(a.Text, "年内")) {
				t.Errorf("how or how long a grant is paid is not a condition: %q", a.Text)
			}
		}
	}
	if got := atomKeys(res.Benefits[1].Conditions); !strings.Contains(got, "unparsed") {
		t.Errorf("the certificate in the aside must stay a condition, got %s", got)
	}
	if firmGrant("企业招用烈士遗属的", corpus.AudienceEnterprise) {
		t.Errorf("firmGrant holds only in a text for residents")
	}
}

// parallelGuide states conditions and loan amounts per kind of borrower
// in two sections; a third part is granted by its title alone.
const parallelGuide = `一、创业担保贷款
（一）申请条件
1.个人
本区户籍、18周岁以上的登记失业人员。
2.小微企业
上年度营业收入不超过500万元，且未被列入严重失信主体名单。
（二）贷款额度
1.个人
最高额度25万元。
2.小微企业
最高额度200万元。
二、阶段性减免场地租金
（一）享受对象：入驻本区创业孵化基地的小微企业，执行期限至2027年12月31日。`

func TestParallelSectionsAndTitleBenefits(t *testing.T) {
	res, err := Extract(parallelGuide, Options{Region: "440106"})
	if err != nil {
		t.Fatal(err)
	}
	var person, firm, title *Benefit
	for i := range res.Benefits {
		b := &res.Benefits[i]
		switch {
		case strings.Contains(b.Amount, "25万元"):
			person = b
		case strings.Contains(b.Amount, "200万元"):
			firm = b
		case strings.Contains(b.Name, "减免场地租金"):
			title = b
		}
	}
	if person == nil || firm == nil || title == nil {
		t.Fatalf("want the two loans and the titled benefit, got %+v", res.Benefits)
	}
	if k := atomKeys(person.Conditions); strings.Contains(k, "revenue") || !strings.Contains(k, "age gte 18") {
		t.Errorf("the person's loan takes the person's conditions only, got %s", k)
	}
	if k := atomKeys(firm.Conditions); !strings.Contains(k, "revenue lte 5000000 -1") || strings.Contains(k, "age") {
		t.Errorf("the firm's loan takes the firm's conditions only, got %s", k)
	}
	if k := atomKeys(title.Conditions); !strings.Contains(k, "scale") {
		t.Errorf("the titled benefit keeps its own condition, got %s", k)
	}
	if k := atomKeys(firm.Conditions); strings.Contains(k, "scale") {
		t.Errorf("the titled part's condition leaked into another benefit: %s", k)
	}
}
