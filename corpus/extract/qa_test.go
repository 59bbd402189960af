package extract

import (
	"strings"
	"testing"
)

// The pages below are written for these tests in the manner of official
// FAQ pages; they copy no evaluation text.

// qaSubsidyPage asks who qualifies once and then about procedure, amount,
// materials and timing, whose answers hold numbers and 的-clauses that
// are no conditions.
const qaSubsidyPage = `社区托育补贴热点五问
一、哪些家庭可以申请托育补贴？
答：在本市参加社会保险且家庭人均收入低于本市最低工资标准的家庭，可以申请。
二、托育补贴怎么申请？
答：由家长通过本市政务服务平台提出申请，托育机构在5个工作日内确认。
三、补贴标准是多少？
答：每名婴幼儿每月补贴500元；多孩家庭的第二个孩子每月补贴800元。
四、需要准备哪些材料？
答：户口簿、托育服务合同；未在本市就业的，还需提供居住证。
五、补贴什么时候发放？
答：审核通过的，次月15日前发放到家长社会保障卡。`

// qaTwoBenefitsPage asks about the conditions of two benefits, each named
// by its question, and then how much one pays.
const qaTwoBenefitsPage = `求职创业补贴一文说清
问：求职补贴领取条件是什么？
答：同时符合以下条件的，可以领取求职补贴：
1.毕业学年内的高校毕业生；
2.已进行求职登记。
问：创业补贴领取条件是什么？
答：在本市首次创办小微企业且正常经营6个月以上的，可以领取创业补贴。
问：求职补贴每人发多少？
答：每人一次性发放1500元；年满30周岁的，另加500元。`

// qaFourBenefitsPage names a benefit in each question on conditions; a
// page read as one text would merge them into one benefit.
const qaFourBenefitsPage = `就业创业扶持问答
1.一次性求职补贴的申领条件是什么？
答：毕业学年内的低保家庭高校毕业生，可以申领。
2.一次性求职补贴的标准是多少？
答：每人2000元。
3.哪些人员可以申请灵活就业社会保险补贴？
答：符合以下条件的人员可以申请：
（1）本市户籍就业困难人员；
（2）以灵活就业方式就业。
4.灵活就业社会保险补贴怎么申请？
答：通过网上服务平台申请。
5.申请创业贷款贴息需要满足什么条件？
答：在本市登记注册的小微企业，且经营满1年。
6.一次性创业资助的享受对象有哪些？
答：在本市初次创办企业的退役军人。
7.资助资金多久到账？
答：20个工作日内。`

// qaOneBenefitPage asks twice about who qualifies for one benefit, named
// in full once and shortly once, and then how much it pays.
const qaOneBenefitPage = `稳岗返还政策问答
一、哪些企业可以申请失业保险稳岗返还？
答：上年度裁员率不高于5.5%的参保企业可以申请。
二、稳岗返还的申请条件还有哪些？
答：未被列入严重失信主体名单。
三、稳岗返还标准是多少？
答：中小微企业按60%返还。`

func TestQAAmount(t *testing.T) {
	res, err := Extract(qaFourBenefitsPage, Options{Region: "440100"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range res.Benefits {
		got[b.Name] = b.Amount
	}
	// The answer on how much names its benefit; the others state none.
	want := map[string]string{"一次性求职补贴": "每人2000元", "灵活就业社会保险补贴": "", "创业贷款贴息": "", "一次性创业资助": ""}
	for name, amount := range want {
		if got[name] != amount {
			t.Errorf("%s: amount %q, want %q", name, got[name], amount)
		}
	}
	// The page names one benefit: its answer on how much is that one's.
	res, err = Extract(qaOneBenefitPage, Options{Region: "440100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Benefits) != 1 || res.Benefits[0].Amount != "中小微企业按60%返还" {
		t.Errorf("benefits = %+v, want one paying 中小微企业按60%%返还", res.Benefits)
	}
}

func TestQuestionLines(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int // questions found; 0: not a Q&A page
	}{
		{"numbered questions with answers", qaSubsidyPage, 5},
		{"问/答 pairs", qaTwoBenefitsPage, 3},
		{"a notice with one rhetorical question is no Q&A page",
			"一、支持对象\n在本区注册的小微企业。\n二、为什么要支持小微企业？\n小微企业吸纳就业多。\n三、补贴标准\n每人2000元。", 0},
		{"answers on the line of their question", "托育补贴问答\n1.谁可以申请托育补贴？答：本市户籍家庭。\n2.怎么申请？答：网上申请。", 2},
		{"a question title repeated above the text is no Q&A page",
			"怎么申领社保卡？\n政务服务\n怎么申领社保卡？\n发表时间：2026-01-01\n一、申领对象\n本市户籍人员。", 0},
		{"a notice without questions", "一、支持对象\n在本区注册的小微企业。\n二、补贴标准\n每人2000元。", 0},
		{"questions with no answers are a list, not a Q&A page",
			"常见问题\n1.什么是托育补贴？\n2.谁可以申请？\n3.怎么申请？", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(questionLines(strings.Split(splitInlineAnswers(normalize(tt.text)), "\n"))); got != tt.want {
				t.Errorf("questions = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestQAKind(t *testing.T) {
	tests := []struct {
		q        string
		want     sectionKind
		wantName string
	}{
		{"失业保险金领取条件是什么", kindCondition, "失业保险金"},
		{"哪些企业可以申请稳岗返还", kindCondition, "稳岗返还"},
		{"申领育儿补贴需要符合什么条件", kindCondition, "育儿补贴"},
		{"哪些人可以享受", kindCondition, ""},
		{"灵活就业人员是否可以享受社保补贴", kindCondition, "社保补贴"},
		{"灵活就业社保补贴的补贴对象是谁", kindCondition, "灵活就业社保补贴"},
		{"已领取失业保险金的人员能否申请技能提升补贴", kindCondition, "技能提升补贴"},
		{"创业担保贷款有哪些申请条件", kindCondition, "创业担保贷款"},
		{"什么是稳岗返还", kindProcedure, ""},
		{"不能享受稳岗返还的情形有哪些", kindCondition, "稳岗返还"},
		{"年满60周岁但不符合补缴条件，怎样才能缴够年限", kindProcedure, ""},
		{"灵活就业人员，可以申请社保补贴吗", kindCondition, "社保补贴"},
		{"缴费满多少年可以领取养老金", kindCondition, "养老金"},
		{"家庭收入低于低保标准的可以申请临时救助吗", kindCondition, "临时救助"},
		{"什么情况下可以领取失业保险金", kindCondition, "失业保险金"},
		{"失业保险金每月能领多少", kindProcedure, ""},
		{"在校大学生可以申请创业担保贷款吗", kindCondition, "创业担保贷款"},
		{"高校毕业生可以享受哪些补贴", kindOther, ""},
		{"新政策的主要内容有哪些", kindOther, ""},
		{"对小微企业有哪些扶持政策", kindOther, ""},
		{"稳岗返还怎么申请", kindProcedure, ""},
		{"符合条件的企业如何办理", kindProcedure, ""},
		{"补贴标准是多少", kindProcedure, ""},
		{"需要准备哪些材料", kindProcedure, ""},
		{"补贴什么时候到账", kindProcedure, ""},
		{"在哪里办理", kindProcedure, ""},
		{"养老金如何计算", kindProcedure, ""},
		{"领取期间生病了怎么办", kindProcedure, ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			for _, prefix := range []string{"", "问：", "问题三：", "2.问："} {
				_, head, kind, named := qaQuestion(prefix+tt.q+"？", 1)
				if kind != tt.want {
					t.Errorf("%s: kind = %d, want %d", prefix, kind, tt.want)
				}
				if name := map[bool]string{true: head}[named]; name != tt.wantName {
					t.Errorf("%s: benefit name = %q, want %q", prefix, name, tt.wantName)
				}
			}
		})
	}
}

func TestQAPage(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		benefits []string // names, in order
		atoms    []int    // atoms of each
		// from: the answers atoms may come from; an atom of any other
		// answer was read from procedure.
		from string
	}{
		{"only the answer on who qualifies holds conditions", qaSubsidyPage,
			[]string{"托育补贴"}, []int{1}, "在本市参加社会保险且家庭人均收入低于本市最低工资标准的家庭，可以申请。"},
		{"each question's benefit gets its own answer", qaTwoBenefitsPage,
			[]string{"求职补贴", "创业补贴"}, []int{2, 2}, "1.毕业学年内的高校毕业生；2.已进行求职登记。在本市首次创办小微企业且正常经营6个月以上的，可以领取创业补贴。"},
		{"benefits named by their questions are apart", qaFourBenefitsPage,
			[]string{"一次性求职补贴", "灵活就业社会保险补贴", "创业贷款贴息", "一次性创业资助"}, []int{1, 2, 1, 1},
			"毕业学年内的低保家庭高校毕业生，可以申领。（1）本市户籍就业困难人员；（2）以灵活就业方式就业。在本市登记注册的小微企业，且经营满1年。在本市初次创办企业的退役军人。"},
		{"the page's footer is no part of the last answer",
			"托育补贴问答\n一、托育补贴怎么申请？\n答：网上申请。\n二、哪些家庭可以申请托育补贴？\n答：符合以下条件的家庭：\n1.本市户籍；\n2.家有3周岁以下婴幼儿。\n返回顶部\n无障碍浏览\n打印本页\n扫一扫在手机打开当前页",
			[]string{"托育补贴"}, []int{2}, "符合以下条件的家庭：1.本市户籍；2.家有3周岁以下婴幼儿。"},
		{"two questions on one benefit are one benefit", qaOneBenefitPage,
			[]string{"失业保险稳岗返还"}, []int{2}, "上年度裁员率不高于5.5%的参保企业可以申请。未被列入严重失信主体名单。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.text, Options{Region: "440100"})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			var atoms []int
			for _, b := range res.Benefits {
				names = append(names, b.Name)
				as := b.Conditions.Atoms()
				atoms = append(atoms, len(as))
				for _, a := range as {
					if !strings.Contains(tt.from, a.Text) {
						t.Errorf("%s: atom %s %q read from an answer that holds no conditions", b.Name, a.Field, a.Text)
					}
				}
			}
			if strings.Join(names, "|") != strings.Join(tt.benefits, "|") {
				t.Fatalf("benefits = %q, want %q", names, tt.benefits)
			}
			for i := range atoms {
				if atoms[i] < tt.atoms[i] || atoms[i] > tt.atoms[i]+2 {
					t.Errorf("%s: %d atoms, want %d (+2 at most)", names[i], atoms[i], tt.atoms[i])
				}
			}
		})
	}
}
