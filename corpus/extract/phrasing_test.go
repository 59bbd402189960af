package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// TestPhrasing checks general readings of how policy texts phrase their
// conditions, each on a small text written for the test.
func TestPhrasing(t *testing.T) {
	tests := []struct {
		name, text, region string
		want               []string
	}{
		{
			name:   "参保企业 heads a clause with 或: it holds for both sides, and a second subject group keeps its own 参保企业",
			text:   "参保企业上年度未裁员或裁员率不高于5%，参保职工50人（含）以下的参保企业裁员率不高于10%的，可申请岗位补贴，按上年度缴费的50%返还。\n",
			region: "330100",
			want:   []string{`all(insured_employees gte 1, any(any(layoff_rate eq 0, layoff_rate lte 0.05), all(insured_employees lte 50, layoff_rate lte 0.1)))`},
		},
		{
			name:   "every 未裁员 of a sentence is read, one per kind of subject",
			text:   "申请条件：\n1、大型企业上年度未裁员或裁员率低于4%，中小微企业上年度未裁员或裁员率低于6%；\n2、企业管理规范。\n符合条件的企业给予返还，按缴费的50%返还。\n",
			region: "330100",
			want:   []string{`all(any(all(scale eq "large", any(layoff_rate eq 0, layoff_rate lt 0.04)), all(scale in ["medium","small","micro"], any(layoff_rate eq 0, layoff_rate lt 0.06))), ?)`},
		},
		{
			name:   "a requirement followed by 如有…的，…后可以申请 stays a requirement",
			text:   "申请条件：\n1、按时缴纳职工医疗保险费满2年以上，如有欠缴的，补缴欠费后可以申请；\n2、企业管理规范。\n符合条件的企业给予一次性奖励5万元。\n",
			region: "330100",
			want:   []string{`all(?, ?)`},
		},
		{
			name:   "到本市企业就业 is a place of work: no region atom, the place kept unparsed",
			text:   "对到本市企业就业的高校毕业生，给予每人3000元就业补贴。\n",
			region: "330100",
			want:   []string{`all(employment eq "employed", ?, tags has "高校毕业生")`},
		},
		{
			name:   "在本区就业 is a place of work too",
			text:   "对在本区稳定就业的退役军人，给予每人2000元补贴。\n",
			region: "330106",
			want:   []string{`all(employment eq "employed", ?, tags has "退役军人")`},
		},
		{
			name:   "本市户籍 beside a place of work is still the 户籍",
			text:   "对具有本市户籍并到本市企业就业的登记失业人员，给予每人2000元补贴。\n",
			region: "330100",
			want:   []string{`all(region within "330100", employment eq "employed", ?, tags has "登记失业人员")`},
		},
		{
			name:   "numbered items run into one line are read as a list: 1.…；2.…",
			text:   "申报条件：1.在本区注册的企业；2.上年度纳税总额不低于200万元；3.企业内部制度完善。奖励标准：对符合条件的企业给予20万元奖励。\n",
			region: "440106",
			want:   []string{`all(region within "440106", tax_paid gte 2000000 -1, ?)`},
		},
		{
			name:   "circled items run into one line",
			text:   "申报条件：①在本区注册的企业；②上年度纳税总额不低于200万元。奖励标准：对符合条件的企业给予20万元奖励。\n",
			region: "440106",
			want:   []string{`all(region within "440106", tax_paid gte 2000000 -1)`},
		},
		{
			name:   "（一）（二） items run into one line after a heading, 之一 makes them alternatives",
			text:   "一、申报条件 符合下列条件之一的企业：（一）上年度纳税总额不低于200万元；（二）属于高新技术企业。二、奖励标准 对符合条件的企业给予20万元奖励。\n",
			region: "440106",
			want:   []string{`any(tax_paid gte 2000000 -1, tags has "高新技术企业")`},
		},
		{
			name:   "a decimal after a semicolon is not an item number; a lone number is not a list",
			text:   "申报条件：上年度纳税总额不低于200万元；2.5%以上的研发投入比例须保持；1、在本区注册的企业。对符合条件的企业给予20万元奖励。\n",
			region: "440106",
			want:   []string{`all(tax_paid gte 2000000 -1, rd_ratio gte 0.025 -1, region within "440106")`},
		},
		{
			name:   "an item that ends like a sentence is a clause even when it names 管理 (not a procedure heading)",
			text:   "申报条件：\n（一）在本区注册的企业；\n（二）企业内部管理规范。\n奖励标准：\n对符合条件的企业给予20万元奖励。\n",
			region: "440106",
			want:   []string{`all(region within "440106", ?)`},
		},
		{
			name:   "formulas, tax bases and a source line in a list of conditions are no conditions",
			text:   "享受条件：1.在本区注册的个体工商户；2.经营期不足1年的，应当按月换算其扣减限额，换算公式为：扣减限额=年度限额÷12×经营月数；3.附加税费的计税依据是扣减前的增值税税额。\n来源：某市税务局\n优惠内容：每户每年扣减8000元。\n",
			region: "440106",
			want:   []string{`all(region within "440106", tags has "个体工商户")`},
		},
		{
			name:   "kinds of project with their own revenue floors: each grant gets the floors of the kinds it names, one benefit per kind, one for the kinds no floor names",
			text:   "支持内容\n1．对书店、文具店、花店、洗衣店等网点，给予不超过投资额30%的补助。\n2．对新建充电桩网点给予一次性补助5万元。\n3．对家政服务项目，给予不超过投资额40%的补助。\n申报条件\n1．在本市注册的企业；\n2．书店、文具店项目申报单位年营业收入应在300万元以上；花店及家政项目申报单位年营业收入应在100万元以上。\n",
			region: "110000",
			want: []string{
				`all(region within "110000", revenue gte 3000000 -1)`,
				`all(region within "110000", revenue gte 1000000 -1)`,
				`region within "110000"`,
				`region within "110000"`,
				`all(region within "110000", revenue gte 1000000 -1)`,
			},
		},
		{
			name:   "kinds of project with their own floors and no grant naming any: any of the floors",
			text:   "申报条件\n1．在本市注册的企业；\n2．甲类项目申报单位年营业收入应在300万元以上；乙类项目申报单位年营业收入应在100万元以上。\n对符合条件的项目给予一次性补助10万元。\n",
			region: "110000",
			want:   []string{`all(region within "110000", any(revenue gte 3000000 -1, revenue gte 1000000 -1))`},
		},
		{
			name:   "two groups of people joined by 和, each with its own qualifier: alternatives",
			text:   "补助对象：离校3年内的高校毕业生和年满45周岁的失业人员。\n补助标准：每人每月300元。\n",
			region: "320100",
			want:   []string{`any(all(graduation_years lt 3, tags has "高校毕业生"), all(age gte 45, employment eq "unemployed"))`},
		},
		{
			name:   "a qualifier written once before two groups joined by 及 holds for both",
			text:   "补助对象：本市户籍的退役军人及就业困难人员。\n补助标准：每人每月300元。\n",
			region: "320100",
			want:   []string{`all(region within "320100", any(tags has "退役军人", tags has "就业困难人员"))`},
		},
		{
			name:   "a group no rule reads stays an unparsed alternative",
			text:   "补助对象：返乡创业人员与脱贫人口。\n补助标准：每人每月300元。\n",
			region: "320100",
			want:   []string{`any(?, tags has "脱贫人口")`},
		},
		{
			name:   "requirements joined by 和 stay a conjunction",
			text:   "申请条件：具有本市户籍和年满70周岁的老年人。\n补助标准：每人每月100元。\n",
			region: "320100",
			want:   []string{`all(region within "320100", age gte 70)`},
		},
		{
			name:   "X与Y中… narrows both groups: not alternatives of the qualifier",
			text:   "补助对象：低保对象与特困人员中年满70周岁的老年人。\n补助标准：每人每月100元。\n",
			region: "320100",
			want:   []string{`all(any(tags has "低保对象", tags has "特困人员"), age gte 70)`},
		},
		{
			name:   "a text that names no kind of subject is for both, so a resident group is still read",
			text:   "补助对象：孤儿。\n补助标准：每人每月发放300元。\n",
			region: "320100",
			want:   []string{`tags has "孤儿"`},
		},
		{
			name:   "X或Y followed by the definitions of X and Y: any of the definitions, not both",
			text:   "申报条件\n1．在本市注册的企业；\n2．申报企业为小微或新创型科技企业。小微企业是指列入小微企业名录的企业；新创企业是指成立2年（含）以上、5年（含）以内的企业。\n支持内容\n对符合条件的企业给予一次性奖励10万元。\n",
			region: "110000",
			want:   []string{`all(region within "110000", any(scale in ["small","micro"], all(established_years gte 2, established_years lte 5)))`},
		},
		{
			name:   "a later subject group that relaxes one requirement leaves the other requirements common",
			text:   "参保企业按时缴纳失业保险费24个月以上，上年度未裁员或裁员率不高于4%，20人（含）以下的参保企业裁员率不高于15%的，可申请稳岗返还，按上年度缴费的50%返还。\n",
			region: "330100",
			want:   []string{`all(insured_employees gte 1, ?, any(any(layoff_rate eq 0, layoff_rate lte 0.04), all(insured_employees lte 20, layoff_rate lte 0.15)))`},
		},
		{
			name:   "a requirement written as a modifier of the subject in a grant sentence is kept unparsed, not dropped",
			text:   "对连续缴纳失业保险费36个月以上的参保单位，给予一次性奖励2万元。\n",
			region: "330100",
			want:   []string{`all(?, insured_employees gte 1)`},
		},
		{
			name:   "in a resident guide's list of groups, a clause that says what people do is required of every group, not one more group",
			text:   "服务对象：登记失业人员，从事个体经营并按月缴纳社会保险费，孤儿，低保家庭成员。\n补贴标准：每人每月补贴200元。\n",
			region: "440100",
			want:   []string{`all(employment eq "self_employed", ?, any(tags has "登记失业人员", tags has "孤儿", tags has "低保对象"))`},
		},
		{
			name:   "a qualifier of one joined group that no rule reads stays with that group (a true-for-all any would grant to everyone)",
			text:   "申领对象：本区户籍人员以及在本区连续缴纳医疗保险满一年的非本区户籍人员。\n补贴标准：每人一次性补贴100元。\n",
			region: "440106",
			want:   []string{`any(region within "440106", all(?, not(region within "440106")))`},
		},
		{
			name:   "groups listed before …等3类人员中 are alternatives; what follows 中 narrows every one of them",
			text:   "补贴对象：特困人员、低保对象、90周岁及以上的老年人等3类人员中独居的老年人。\n补贴标准：每人每月补贴100元。\n",
			region: "440100",
			want:   []string{`all(any(tags has "特困人员", tags has "低保对象", age gte 90), tags has "独居老人")`},
		},
		{
			name:   "a list of groups with one tag: the groups no rule reads are unparsed alternatives, not dropped",
			text:   "补贴对象：本省高校毕业学年学生，符合以下条件之一：\n（1）属于特困人员、零就业家庭、遭受重大灾害家庭成员；\n（2）属于持证残疾人。\n补贴标准：每人2000元。\n",
			region: "440000",
			want:   []string{`all(?, employment eq "student", any(any(tags has "特困人员", ?), tags has "残疾人"))`},
		},
		{
			name:   "…等2类人员中 followed by words no rule reads: any of the groups, and the unread narrowing kept unparsed",
			text:   "补贴对象：低保对象、特困人员等2类人员中长期卧床的。\n补贴标准：每人每月补贴100元。\n",
			region: "440100",
			want:   []string{`all(any(tags has "低保对象", tags has "特困人员"), ?)`},
		},
		{
			name:   "…家庭中的老年人 names who in the group, not one more requirement",
			text:   "补贴对象：低保家庭、特困人员家庭中的老年人。\n补贴标准：每人每月补贴100元。\n",
			region: "440100",
			want:   []string{`any(tags has "低保对象", tags has "特困人员")`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benefitShapes(t, tt.text, tt.region)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestSplitItemsInLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"条件：1.甲；2.乙；3.丙。", "条件：\n1.甲；\n2.乙；\n3.丙。"},
		{"①甲；②乙", "①甲；\n②乙"},
		{"条件（一）甲；（二）乙。", "条件\n（一）甲；\n（二）乙。"},
		{"一、条件 甲。二、标准 乙。", "一、条件 甲。\n二、标准 乙。"},
		{"补贴2.5万元；比例3.5%", "补贴2.5万元；比例3.5%"}, // decimals
		{"条件：1.甲；3.乙", "条件：1.甲；3.乙"},         // not in order
		{"按第（一）项、第（二）项执行", "按第（一）项、第（二）项执行"}, // references
		{"见（一）项和（二）项", "见（一）项和（二）项"},
		{"只有一项：1.甲。", "只有一项：1.甲。"},
		{"合同应当包括以下内容：（一）甲；（二）乙。", "合同应当包括以下内容：（一）甲；（二）乙。"}, // not conditions
		{"申请条件：须提供以下材料：1.甲；2.乙。", "申请条件：须提供以下材料：1.甲；2.乙。"}, // documents
	}
	for _, tt := range tests {
		if got := splitItemsInLine(tt.in); got != tt.want {
			t.Errorf("splitItemsInLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGuessAudience(t *testing.T) {
	tests := []struct {
		text string
		want corpus.Audience
	}{
		{"补贴标准：每月300元。", corpus.AudienceBoth},
		{"对上年度营业收入增长的企业给予奖励。", corpus.AudienceEnterprise},
		{"对脱贫人口和低保家庭给予补助。", corpus.AudienceResident},
		{"企业吸纳高校毕业生的，给予企业补贴。", corpus.AudienceEnterprise},
		{"个人和企业均可申请。", corpus.AudienceBoth},
	}
	for _, tt := range tests {
		if got := guessAudience(tt.text); got != tt.want {
			t.Errorf("guessAudience(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

func TestPrune(t *testing.T) {
	a := corpus.Atom("age", corpus.OpGte, corpus.Number(80), "80周岁以上")
	b := corpus.Atom("tags", corpus.OpHas, corpus.String("独居老人"), "独居")
	tests := []struct {
		name string
		in   corpus.Cond
		want string
	}{
		{"an empty all inside an any is dropped, not read as true", corpus.Any(a, corpus.All()), `age gte 80`},
		{"empty nodes deep down", corpus.All(b, corpus.Any(corpus.All(), corpus.Any()), a), `all(tags has "独居老人", age gte 80)`},
		{"a not keeps its child", corpus.Not(corpus.Any(a, corpus.All())), `not(age gte 80)`},
		{"nothing to prune", corpus.Any(a, b), `any(age gte 80, tags has "独居老人")`},
	}
	for _, tt := range tests {
		if got := shape(prune(tt.in)); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestBenefitAudience(t *testing.T) {
	tests := []struct {
		name, text string
		want       []corpus.Audience
	}{
		{
			name: "a text for residents with a grant paid to the employer: that benefit is for enterprises",
			text: "补贴对象：登记失业人员、就业困难人员。\n补贴标准：\n1．对符合条件的人员，给予每人每月300元生活补贴。\n2．招用上述人员的，给予企业每人1000元吸纳就业补贴。\n",
			want: []corpus.Audience{corpus.AudienceResident, corpus.AudienceEnterprise},
		},
	}
	for _, tt := range tests {
		res, err := Extract(tt.text, Options{Region: "440100"})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []corpus.Audience
		for _, b := range res.Benefits {
			got = append(got, b.Audience)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: got audiences %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: got audiences %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}
