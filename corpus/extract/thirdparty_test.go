package extract

import (
	"strings"
	"testing"

	"github.com/zhida/zhida/corpus"
)

// TestThirdParty checks that the people a firm hires are not read as the
// firm's own facts, nor as the text's audience.
func TestThirdParty(t *testing.T) {
	tests := []struct {
		name, text string
		aud        corpus.Audience
		want       []string
	}{
		{
			name: "a firm measured by the young people it hires: their ages and register stay one unparsed clause, the text is for firms",
			text: "吸纳就业补助办法\n（一）人员范围\n对新招用毕业三年内的青年人员、登记失业的18至30岁人员，并为其缴纳社会保险满3个月的用人单位，按每招用1人2000元给予补助。其中青年人员的范围包括中专、大专和本科毕业生；登记失业人员名单从就业服务系统获取。\n",
			aud:  corpus.AudienceEnterprise,
			want: []string{`all(?, ?)`},
		},
		{
			name: "a firm's own size stays read beside the hires it counts",
			text: "小微企业当年新招用退役军人等人员达到职工总数10%的，给予贷款贴息，最高200万元。\n",
			aud:  corpus.AudienceEnterprise,
			want: []string{`all(scale in ["small","micro"], ?)`},
		},
		{
			name: "an aim to hire (为鼓励企业吸纳青年就业) adds no requirement and no benefit",
			text: "扩岗补助通知\n为鼓励企业吸纳高校毕业生等青年就业，我县将参照执行。\n对招用离校两年内未就业高校毕业生并为其缴纳社会保险1个月以上的企业，按每招用1人1000元给予补助。\n",
			aud:  corpus.AudienceEnterprise,
			want: []string{`all(?, ?)`},
		},
		{
			name: "a list of measures for graduates that also pays their employers stays one for people",
			text: "高校毕业生就业政策清单\n一、求职补贴。毕业学年的在校学生，家庭困难的，可申请每人3000元求职补贴。\n二、灵活就业社保补贴。毕业2年内高校毕业生灵活就业并缴纳社会保险费的，按每人每月300元给予补贴。\n三、扩岗补助。对招用离校两年内未就业高校毕业生的企业，按每招用1人1500元给予补助。\n",
			aud:  corpus.AudienceResident,
		},
		{
			name: "a firm named by the old people it serves: their age is no age of the firm, and the text is for firms",
			text: "助餐服务补贴通知\n为本区65周岁以上老年人提供助餐服务的企业，给予每餐3元补贴。\n",
			aud:  corpus.AudienceEnterprise,
			want: []string{`?`},
		},
		{
			name: "hires named by a register (脱贫人口) are kept, and a school in the hires' name is no subject type",
			text: "吸纳就业补贴\n吸纳脱贫人口就业的企业，按每人1000元给予补贴。\n用人单位招用毕业年度高校毕业生，签订1年以上劳动合同的，给予每人800元补贴。\n",
			aud:  corpus.AudienceEnterprise,
			want: []string{`?`, `all(?, ?)`},
		},
		{
			name: "who runs a firm is no tag of the firm; a text for both keeps the person's own grant",
			text: "创业补贴\n对企业法定代表人为退役军人的小微企业，给予2万元补贴。\n对退役军人个人创业的，给予每人5000元补贴。\n",
			aud:  corpus.AudienceBoth,
			want: []string{`all(?, scale in ["small","micro"])`, `tags has "退役军人"`},
		},
		{
			name: "in a text for people, a grant to a firm named by its founder is no person's benefit",
			text: "创业补贴\n主要创办人为40周岁以下青年的企业，给予10万元奖励。\n登记失业人员自主创业的，给予一次性创业补贴3000元。\n",
			aud:  corpus.AudienceResident,
			want: []string{`tags has "登记失业人员"`},
		},
		{
			name: "a text that also grants to the persons themselves is not turned into one for firms",
			text: "创业贷款政策\n符合条件的失业人员可申请最高20万元个人贷款。\n招用失业人员达到一定比例的企业，可申请最高300万元贷款。\n",
			aud:  corpus.AudienceResident,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "440100"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Audience != tt.aud {
				t.Errorf("audience %s, want %s", res.Audience, tt.aud)
			}
			if tt.want == nil {
				return
			}
			got := benefitShapes(t, tt.text, "440100")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestPeopleNote(t *testing.T) {
	tests := []struct {
		s    string
		a    corpus.Audience
		want bool
	}{
		{"其中高校毕业生的范围是取得毕业证书的学生，包括本科和专科毕业生", corpus.AudienceEnterprise, true},
		{"失业青年信息从人社部门数据库获取", corpus.AudienceEnterprise, true},
		{"其中高校毕业生的范围是取得毕业证书的学生", corpus.AudienceResident, false}, // the persons are the subject
		{"申请企业包括有限责任公司和合伙企业", corpus.AudienceEnterprise, false},
		{"招用人员的范围包括…的企业，给予每人1000元补贴", corpus.AudienceEnterprise, false},
	}
	for _, tt := range tests {
		if got := peopleNote(tt.s, tt.a); got != tt.want {
			t.Errorf("peopleNote(%q, %s) = %v, want %v", tt.s, tt.a, got, tt.want)
		}
	}
}

func TestTopicHeading(t *testing.T) {
	for _, tt := range []struct {
		head string
		want bool
	}{
		{"（一）关于人员范围", true},
		{"二、人员认定标准", true},
		{"三、个人申请", false},
	} {
		if got := topicHeadingRe.MatchString(tt.head); got != tt.want {
			t.Errorf("topicHeading(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
