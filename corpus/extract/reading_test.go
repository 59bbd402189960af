package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// shape renders a tree compactly for tests: all(…), any(…), not(…) and
// atoms as "field op value" (unparsed atoms as "?").
func shape(c corpus.Cond) string {
	list := func(name string, cs []corpus.Cond) string {
		var parts []string
		for _, x := range cs {
			parts = append(parts, shape(x))
		}
		return name + "(" + strings.Join(parts, ", ") + ")"
	}
	switch c.Kind() {
	case corpus.NodeAll:
		return list("all", c.All)
	case corpus.NodeAny:
		return list("any", c.Any)
	case corpus.NodeNot:
		return "not(" + shape(*c.Not) + ")"
	}
	if c.Field == corpus.FieldUnparsed {
		return "?"
	}
	k := strings.ReplaceAll(atomKey(c), "\x00", " ")
	return strings.TrimSuffix(k, " -")
}

// benefitShapes extracts a text and renders each benefit's tree.
func benefitShapes(t *testing.T, text, regionCode string) []string {
	t.Helper()
	res, err := Extract(text, Options{Region: regionCode})
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	var out []string
	for _, b := range res.Benefits {
		out = append(out, shape(b.Conditions))
	}
	return out
}

// amounts lists each benefit's amount text, in order.
func amounts(res Result) []string {
	var out []string
	for _, b := range res.Benefits {
		out = append(out, b.Amount)
	}
	return out
}

func TestReadingRules(t *testing.T) {
	tests := []struct {
		name, text, region string
		want               []string
	}{
		{
			name:   "a resident guide's 服务对象 lists groups clause by clause: any of them",
			text:   "服务对象：登记失业人员，享受城镇居民低保的人员，一级、二级残疾人，脱贫人口。\n补贴标准：每人每月补贴300元。\n",
			region: "440100",
			want:   []string{`any(tags has "登记失业人员", all(tags has "低保对象", hukou_type eq "urban"), all(disability_level lte 2, tags has "残疾人"), tags has "脱贫人口")`},
		},
		{
			name:   "each numbered item of a list of grants is a benefit; an item that only caps is not",
			text:   "服务内容\n1．对新建养老驿站，项目资金支持比例不超过投资额的30%。\n2．对社区食堂予以补贴，每个食堂补助金额不超过20万元。\n3．单家企业支持金额累计不超过100万元，补贴期限不超过2年。\n条件要求\n1．在本市注册的企业；\n",
			region: "110000",
			want:   []string{`region within "110000"`, `region within "110000"`},
		},
		{
			name:   "a list of refused cases is not(any); 纳入黑名单 is dishonest; an anti-duplication rule is no atom",
			text:   "申报条件\n1．在本市注册的企业；\n2．获得其他财政资金支持的不得重复申报；\n3．有下列情形的不予支持：申报企业纳入失信联合惩戒黑名单的；项目存在违法违规行为的。\n对符合条件的企业给予一次性奖励10万元。\n",
			region: "110000",
			want:   []string{`all(region within "110000", not(any(dishonest eq true, ?)))`},
		},
		{
			name:   "one unparsed atom per qualitative clause of a list item",
			text:   "申报条件\n1．企业经营状况良好，财务管理制度健全；\n2．经认定，项目投资真实有效。\n对符合条件的企业给予一次性奖励10万元。\n",
			region: "110000",
			want:   []string{`all(?, ?, ?)`},
		},
		{
			name:   "a |-table row reads like a card: its 享受条件 cell holds the conditions; 免予申报 and a purpose sentence grant nothing",
			text:   "为进一步优化营商环境，提升企业满意度，我区对企业可免予申报的政策进行了梳理。\n序号 | 政策名称 | 政策内容 | 享受条件 | 责任部门\n1 | 技改补助 | 按设备投资额的8%予以补助，最高50万元。 | 上年度营业收入5000万元以下的科技型企业。 | 区工信局\n",
			region: "440100",
			want:   []string{`all(revenue lte 50000000 -1, any(tags has "科技型中小企业", tags has "高新技术企业", ?))`},
		},
		{
			name:   "，或 joins alternatives; 以下3个条件之一 is a lead-in; 申领方式 is procedure",
			text:   "一、一次性求职补贴\n符合以下3个条件之一，可申请一次性补贴，补贴标准为每人2000元。\n（1）属于低保家庭，或属于特困人员；\n（2）属于持证残疾人；\n（3）曾获得助学贷款。\n申领方式：登录网上办事大厅，进行补贴申领操作。\n",
			region: "440100",
			want:   []string{`any(any(tags has "低保对象", tags has "特困人员"), tags has "残疾人", ?)`},
		},
		{
			name:   "kinds of subject listed beside a tag are unread alternatives; 减按 grants; a cited document is no clause",
			text:   "房产税减免政策\n对增值税小规模纳税人、农民专业合作社和个体工商户减按50%征收房产税。\n政策依据：\n1.《关于小微企业房产税减免政策的公告》（2023年第5号）\n",
			region: "440100",
			want:   []string{`tags has "个体工商户"`, `?`},
		},
		{
			name:   "items under a field label inside a numbered section belong to the label",
			text:   "青年创业补贴\n1、一次性创业资助\n补贴条件：\n（1）退役军人；\n（2）创办的企业经营状况良好，且经营场所产权清晰。\n补贴标准：10000元。\n",
			region: "440100",
			want:   []string{`all(tags has "退役军人", ?, ?)`},
		},
		{
			name:   "【】 field labels of a one-line card; 从事个体经营 is self-employment; 减免税额 is no grant; 自主就业 has no field",
			text:   "退役士兵创业扣减政策 【享受主体】 自主就业退役士兵 【优惠内容】 退役士兵从事个体经营的，按每户每年12000元为限额扣减其当年应缴纳的税款。 【享受条件】 减免税额以其实际缴纳的税款为限。",
			region: "100000",
			want:   []string{`all(?, tags has "退役军人", employment eq "self_employed")`},
		},
		{
			name:   "a general grant before a special case of it is a benefit too",
			text:   "社保补贴\n申报条件：户籍为本市的登记失业人员。\n补贴期限：符合条件的人员可享受三年社保补贴，对于首次申请时女性年满50周岁的，可享受补贴至法定退休年龄止。\n",
			region: "440100",
			want: []string{`all(region within "440100", tags has "登记失业人员")`,
				`all(region within "440100", tags has "登记失业人员", gender eq "female", age gte 50, ?)`},
		},
		{
			name:   "amount bands by degree: one benefit per band, 其他 is the rest of the allowed degrees",
			text:   "一、人才安家补贴\n普通高校、技工院校毕业生到用人单位就业的，按博士每人30000元、硕士每人20000元、其他每人5000元给予补贴。\n",
			region: "440100",
			want: []string{
				`all(degree in ["vocational","associate","bachelor","master","doctor"], employment eq "employed", degree eq "doctor")`,
				`all(degree in ["vocational","associate","bachelor","master","doctor"], employment eq "employed", degree eq "master")`,
				`all(degree in ["vocational","associate","bachelor","master","doctor"], employment eq "employed", degree in ["vocational","associate","bachelor"])`,
			},
		},
		{
			name:   "a city paying for its own firms in a provincial text is a region; a discretionary clause grants nothing",
			text:   "高企奖励\n同时，各市可根据实际情况给予配套资金支持，如佛山市对高新技术企业，给予20万元奖励。\n",
			region: "440000",
			want:   []string{`all(region within "440600", tags has "高新技术企业")`},
		},
		{
			name:   "本省 before a group on a register is its 户籍; 在校及毕业N年内 is either state",
			text:   "创业资助\n申请条件：\n（1）申请人符合以下条件之一：\n①高校学生（在校及毕业3年内）；\n②本省脱贫人口、退役军人。\n补贴标准：5000元。\n",
			region: "440100",
			want:   []string{`any(any(employment eq "student", graduation_years lt 3), any(all(tags has "脱贫人口", region within "440000"), tags has "退役军人"))`},
		},
		{
			name:   "a parenthesised exception is not(unparsed); a named place of work is unparsed beside employed",
			text:   "一、就业补贴\n离校2年内的毕业生到山区县用人单位就业（已享受同类补贴的除外）的，给予每人3000元补贴。\n",
			region: "440000",
			want:   []string{`all(graduation_years lt 2, employment eq "employed", ?, not(?))`},
		},
		{
			name:   "不裁员或少裁员 is none or an unstated few; its 或 splits nothing else in the clause",
			text:   "一、岗位补助\n对坚持零裁员或少裁员的参保单位，按其上年度缴纳失业保险费的40%给予补助。\n",
			region: "440100",
			want:   []string{`all(any(layoff_rate eq 0, ?), insured_employees gte 1)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benefitShapes(t, tt.text, tt.region)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("%s\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestResidentStatusWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"重度残疾人", `tags has "残疾人" -; disability_level lte 2 -`},
		{"享受农村低保的家庭", `tags has "低保对象" -; hukou_type eq "rural" -`},
		{"城市居民最低生活保障对象", `tags has "低保对象" -; hukou_type eq "urban" -`},
		{"中等职业学校、技工院校毕业生", `degree in ["vocational"] -`},
		{"普通高校和技师学院毕业生", `degree in ["vocational","associate","bachelor","master","doctor"] -`},
		{"具有全日制本科及以上学历", `degree in ["bachelor","master","doctor"] -`},
		{"大专以上的人员", `degree in ["associate","bachelor","master","doctor"] -`},
		{"博士每人10000元", ``},
		{"到用人单位就业的", `employment eq "employed" -`},
		{"返乡青年创业的", `employment eq "self_employed" -`},
		{"组织青年创业培训", ``},
		{"自主择业的军转干部", `tags has "退役军人" -; unparsed eq true - 自主择业`},
		{"到县内用人单位就业的", `employment eq "employed" -; unparsed eq true - 到县内用人单位就业`},
		{"毕业学年学生", `employment eq "student" -`},
		{"全日制本专科生", `employment eq "student" -`},
		{"法定退休年龄内的失业人员", `employment eq "unemployed" -; unparsed eq true - 法定退休年龄内`},
		{"可享受补贴到达法定退休年龄止", ``},
	}
	for _, tt := range tests {
		if got := strings.Join(atomsOf(t, tt.in, "440100", "resident"), "; "); !sameSet(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSettleAudience(t *testing.T) {
	age := corpus.Atom("age", corpus.OpGte, corpus.Number(18), "年满18周岁")
	est := corpus.Atom("established_years", corpus.OpLt, corpus.Number(1), "经营期不足1年")
	tag := corpus.Atom("tags", corpus.OpHas, corpus.String("退役军人"), "退役士兵")
	tests := []struct {
		name string
		in   corpus.Cond
		aud  corpus.Audience
		want string
	}{
		{"resident fields only", corpus.All(tag, age), corpus.AudienceResident, `all(tags has "退役军人", age gte 18)`},
		{"mixed: the minority field is unparsed", corpus.All(tag, age, est), corpus.AudienceResident, `all(tags has "退役军人", age gte 18, ?)`},
		{"enterprise field only", est, corpus.AudienceEnterprise, `established_years lt 1`},
		{"neither", tag, corpus.AudienceBoth, `tags has "退役军人"`},
	}
	for _, tt := range tests {
		aud, got := settleAudience(tt.in.Clone())
		if aud != tt.aud || shape(got) != tt.want {
			t.Errorf("%s: got %s %s, want %s %s", tt.name, aud, shape(got), tt.aud, tt.want)
		}
	}
}

func TestFitAudienceTags(t *testing.T) {
	c := corpus.All(
		corpus.Atom("tags", corpus.OpHas, corpus.String("个体工商户"), "个体户经营者"),
		corpus.Atom("tags", corpus.OpHas, corpus.String("退役军人"), "退役军人"))
	if got, want := shape(fitAudience(c.Clone(), corpus.AudienceResident)), `all(?, tags has "退役军人")`; got != want {
		t.Errorf("resident: got %s, want %s", got, want)
	}
	firm := corpus.Atom("tags", corpus.OpHas, corpus.String("个体工商户"), "个体工商户")
	if got, want := shape(fitAudience(firm, corpus.AudienceEnterprise)), `tags has "个体工商户"`; got != want {
		t.Errorf("enterprise: got %s, want %s", got, want)
	}
}

func TestLeftoverClauses(t *testing.T) {
	c := &collector{ctx: &docContext{region: "440100", audience: corpus.AudienceEnterprise}}
	tests := []struct {
		in   string
		want int // unparsed atoms kept
	}{
		{"企业经营状况良好，财务管理制度健全", 2},
		{"产品应获得主管部门批准，现行有效", 1}, // a 4-character tail qualifies the clause before it
		{"自办理登记当月起", 0},         // when a grant starts is no condition
		{"补贴金额以实际缴纳的税款为限", 0},
	}
	for _, tt := range tests {
		if got := c.leftoversIn(tt.in, nil, true, true); len(got) != tt.want {
			t.Errorf("%s: got %d unparsed atoms, want %d", tt.in, len(got), tt.want)
		}
	}
}
