package web

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

func TestSafeSnippet(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"高新<mark>补贴</mark>政策", "高新<mark>补贴</mark>政策"},
		// A backend that escaped already, and one that did not: the same page.
		{"a &lt;b&gt; <mark>c</mark>", "a &lt;b&gt; <mark>c</mark>"},
		{"a <b> <mark>c</mark>", "a &lt;b&gt; <mark>c</mark>"},
		{`<mark><script>alert(1)</script></mark>`, "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>"},
		{"<mark>未闭合", "<mark>未闭合</mark>"},
		{`<mark onclick="x">y</mark>`, "&lt;mark onclick=&#34;x&#34;&gt;y&lt;/mark&gt;"},
	} {
		if got := string(safeSnippet(tc.in)); got != tc.want {
			t.Errorf("safeSnippet(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestResolveRegion(t *testing.T) {
	tab := region.Default()
	for _, tc := range []struct{ in, want, err string }{
		{"440106", "440106", ""},
		{"天河区", "440106", ""},
		{"广州市天河区", "440106", ""},
		{"广东 广州 天河", "440106", ""},
		{"扬州市广陵区", "321002", ""},
		{"全国", region.National, ""},
		{"999999", "", "没有这个行政区划代码"},
		{"朝阳区", "", "多个同名地区"},
		{"北京市朝阳区", "110105", ""},
		{"火星", "", "没有找到地区"},
	} {
		got, err := resolveRegion(tab, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("resolveRegion(%q) = %q, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("resolveRegion(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func atom(field, op string, v any, year *int32, text string) *pb.Condition {
	val, err := structpb.NewValue(v)
	if err != nil {
		panic(err)
	}
	return &pb.Condition{Field: field, Op: op, Value: val, Year: year, Text: text}
}

// plain flattens a described tree into one line for comparison.
func plain(v *condView) string {
	if v.Head == "" {
		return v.Plain
	}
	var parts []string
	for _, it := range v.Items {
		parts = append(parts, plain(it))
	}
	return v.Head + "[" + strings.Join(parts, "; ") + "]"
}

func TestDescribeConditions(t *testing.T) {
	s := &Server{cfg: Config{Regions: region.Default()}}
	last := int32(-1)
	ent := describer{regions: s, audience: "enterprise"}
	res := describer{regions: s, audience: "resident"}
	for _, tc := range []struct {
		name string
		d    describer
		c    *pb.Condition
		want string
	}{
		{"revenue with its year", ent, atom("revenue", "gte", 2e7, &last, "上年度营业收入不低于2000万元"), "上年度营业收入不低于 2000 万元"},
		{"enterprise region", ent, atom("region", "within", "440106", nil, ""), "注册地在广东省广州市天河区"},
		{"resident region is 户籍", res, atom("region", "within", "440100", nil, ""), "户籍在广东省广州市"},
		{"ratio", ent, atom("rd_ratio", "gte", 0.03, &last, ""), "上年度研发费用占营业收入的比例不低于 3%"},
		{"enum list", ent, atom("scale", "in", []any{"small", "micro"}, nil, ""), "企业规模为小型企业、微型企业之一"},
		{"tag", res, atom("tags", "has", "低保对象", nil, ""), "属于“低保对象”"},
		{"negated tag", res, &pb.Condition{Not: atom("tags", "has", "特困人员", nil, "")}, "不属于“特困人员”"},
		{"negated comparison flips", res, &pb.Condition{Not: atom("age", "lt", 18.0, nil, "")}, "年龄不低于 18 周岁"},
		{"string value", ent, atom("scale", "eq", "large", nil, ""), "企业规模为大型企业"},
		{"dishonest", ent, atom("dishonest", "eq", false, nil, "未被列入严重失信名单"), "未列入严重失信主体名单"},
		{"disability", res, atom("disability_level", "lte", 2.0, nil, ""), "持有残疾人证，残疾等级为一级至二级（一级最重）"},
		{"unparsed", res, atom("unparsed", "eq", true, nil, "本人前12个月月均收入低于…"), "需人工核实：本人前12个月月均收入低于…"},
		{"any", ent, &pb.Condition{Any: []*pb.Condition{atom("tags", "has", "高新技术企业", nil, ""), atom("employees", "gte", 100.0, nil, "")}},
			"满足以下任一条件：[属于“高新技术企业”; 从业人员数不低于 100 人]"},
		{"not of all is any of the opposites", ent, &pb.Condition{Not: &pb.Condition{All: []*pb.Condition{atom("employees", "gte", 100.0, nil, ""), atom("region", "within", "440106", nil, "")}}},
			"满足以下任一条件：[从业人员数低于 100 人; 注册地不在广东省广州市天河区]"},
	} {
		if got := plain(tc.d.describe(tc.c, false)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		stated, name, want string
		yuan               float64
	}{
		{"", "高齡津貼（80-89周歲，每月30元）", "每月约 30 元（一年约 360 元）", 360},
		{"", "首都科技创新券：高新技术企业或科技型中小企业（每年不超过50万元）", "每年最高 50 万元", 0},
		{"", "重新通过高企认定奖励（5万元）", "约 5 万元", 5e4},
		{"按研发费用的10%给予补助，最高不超过100万元", "研发补助", "按 10% 计算，最高 100 万元", 0},
		{"", "一般企业稳岗返还", "", 0},
	} {
		got, y := estimate(amountOf(nil, tc.stated, tc.name))
		if got != tc.want || y != tc.yuan {
			t.Errorf("%s %s: %q %v, want %q %v", tc.stated, tc.name, got, y, tc.want, tc.yuan)
		}
	}
}

// TestPlaceInQuery: a word naming one place becomes the region filter; the
// words people search for — ambiguous or lone place names, and short names
// that are everyday words where no policy is issued — stay words.
func TestPlaceInQuery(t *testing.T) {
	tab := region.Default()
	live := []string{"440106", "321000", region.National, "510000"}
	for _, c := range []struct{ q, word, rest string }{
		{"残疾人 补贴 天河", "天河", "残疾人 补贴"},
		{"广州 残疾人补贴", "广州", "残疾人补贴"}, // a policy of 天河 is inside 广州
		{"稳岗返还 广陵", "广陵", "稳岗返还"},   // 扬州's policies apply in 广陵

		{"广州市天河区 残疾人补贴", "广州市天河区", "残疾人补贴"},
		{"稳岗返还 440106", "440106", "稳岗返还"},
		{"人才 安居 补贴", "", "人才 安居 补贴"}, // 四川's policies do not make 遂宁安居区 one
		{"人才 安居区 补贴", "安居区", "人才 补贴"},
		{"乡村 振兴 补贴", "", "乡村 振兴 补贴"},
		{"天河", "", "天河"}, // a lone word is what is searched for
		{"失业了有什么补助", "", "失业了有什么补助"},
		{"高企 补贴", "", "高企 补贴"},
		{"创业 担保 贷款 人才 住房 养老", "", "创业 担保 贷款 人才 住房 养老"},
		{"和平区 补贴", "", "和平区 补贴"}, // 天津 and 沈阳 both have a 和平区
		{"补贴 全国", "", "补贴 全国"},
	} {
		word, rest := placeInQuery(tab, c.q, live)
		if word != c.word || rest != c.rest {
			t.Errorf("placeInQuery(%q) = %q, %q; want %q, %q", c.q, word, rest, c.word, c.rest)
		}
	}
}
