package web

import (
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"

	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// condView is a condition tree in plain words: a group (Head and Items) or
// one condition (Plain), with the policy text it came from (Source).
type condView struct {
	Head   string
	Items  []*condView
	Plain  string
	Source string
	// Check marks a clause no machine could read: a person checks it.
	Check bool
}

// describer states conditions in plain Chinese for the audience of one
// benefit (注册地 for an enterprise, 户籍 for a resident).
type describer struct {
	regions  interface{ regionName(string) string }
	audience string
}

// fieldWords names each CONTRACT field as a person would, with its unit.
var fieldWords = map[string]struct{ name, unit string }{
	"revenue":                   {"营业收入", "money"},
	"tax_paid":                  {"纳税总额", "money"},
	"rd_expense":                {"研发费用", "money"},
	"total_assets":              {"资产总额", "money"},
	"export_value":              {"出口额", "money"},
	"registered_capital":        {"注册资本", "money"},
	"income_per_capita_monthly": {"家庭人均月收入", "money"},
	"employees":                 {"从业人员数", "人"},
	"insured_employees":         {"参保职工人数", "人"},
	"established_years":         {"成立年限", "年"},
	"graduation_years":          {"毕业年限", "年"},
	"age":                       {"年龄", "周岁"},
	"rd_ratio":                  {"研发费用占营业收入的比例", "ratio"},
	"layoff_rate":               {"裁员率", "ratio"},
	"disability_level":          {"残疾等级", "级"},
	"industry":                  {"所属行业（国民经济行业分类代码）", ""},
	"scale":                     {"企业规模", ""},
	"gender":                    {"性别", ""},
	"hukou_type":                {"户口类型", ""},
	"employment":                {"就业状态", ""},
	"degree":                    {"最高学历", ""},
	"birth_date":                {"出生日期", ""},
	"graduation_date":           {"毕业日期", ""},
	"established":               {"成立日期", ""},
}

// enumWords names the values of the enumerated fields.
var enumWords = map[string]string{
	"large": "大型企业", "medium": "中型企业", "small": "小型企业", "micro": "微型企业",
	"male": "男", "female": "女", "urban": "城镇户口", "rural": "农村户口",
	"employed": "在职", "unemployed": "失业", "self_employed": "自主创业或灵活就业", "retired": "退休", "student": "在校学生",
	"none": "无学历", "junior": "初中", "senior": "高中", "vocational": "中专或技校", "associate": "大专",
	"bachelor": "本科", "master": "硕士研究生", "doctor": "博士研究生",
}

var opWords = map[string]string{"gte": "不低于", "gt": "高于", "lte": "不超过", "lt": "低于", "eq": "为", "ne": "不为"}

// negOp is the comparison a negation turns an op into.
var negOp = map[string]string{"gte": "lt", "gt": "lte", "lte": "gt", "lt": "gte", "eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in"}

// describe states c in plain words; neg is true under a negation.
func (d describer) describe(c *pb.Condition, neg bool) *condView {
	switch {
	case len(c.All) > 0 || len(c.Any) > 0:
		kids, all := c.All, len(c.All) > 0
		if !all {
			kids = c.Any
		}
		// Under a negation, all and any swap (De Morgan) so every item
		// can be stated positively.
		if neg {
			all = !all
		}
		v := &condView{Head: "同时满足以下全部条件：", Source: c.Text}
		if !all {
			v.Head = "满足以下任一条件："
		}
		for _, k := range kids {
			if k != nil {
				v.Items = append(v.Items, d.describe(k, neg))
			}
		}
		if len(v.Items) == 1 && v.Source == "" {
			return v.Items[0]
		}
		return v
	case c.Not != nil:
		v := d.describe(c.Not, !neg)
		if v.Source == "" {
			v.Source = c.Text
		}
		return v
	}
	return d.atom(c, neg)
}

func (d describer) atom(c *pb.Condition, neg bool) *condView {
	v := &condView{Source: c.Text}
	op := c.Op
	if neg {
		if n, ok := negOp[op]; ok {
			op = n
		}
	}
	val := c.Value
	switch c.Field {
	case "unparsed":
		v.Check = true
		v.Plain = "需人工核实：" + c.Text
		if neg {
			v.Plain = "需人工核实（不属于此情形）：" + c.Text
		}
		return v
	case "tags":
		tags := strings.Join(strList(val), "”或“")
		yes := op == "has" || op == "in" || op == "eq"
		if neg {
			yes = !yes
		}
		if yes {
			v.Plain = "属于“" + tags + "”"
		} else {
			v.Plain = "不属于“" + tags + "”"
		}
		return v
	case "dishonest":
		bad := val.GetBoolValue()
		if op == "ne" {
			bad = !bad
		}
		if bad {
			v.Plain = "已列入严重失信主体名单"
		} else {
			v.Plain = "未列入严重失信主体名单"
		}
		return v
	case "region", "residence_region":
		place := d.placeWord(c.Field)
		names := []string{}
		for _, code := range strList(val) {
			names = append(names, d.regions.regionName(code))
		}
		in := c.Op == "within" || c.Op == "eq" || c.Op == "in"
		if neg {
			in = !in
		}
		if in {
			v.Plain = place + "在" + strings.Join(names, "或")
		} else {
			v.Plain = place + "不在" + strings.Join(names, "或")
		}
		return v
	case "industry":
		w := "属于"
		if (op == "within") == neg || op == "ne" || op == "not_in" {
			w = "不属于"
		}
		v.Plain = "所属行业" + w + "国民经济行业分类 " + strings.Join(strList(val), "、")
		return v
	case "disability_level":
		n := int(val.GetNumberValue())
		switch op {
		case "lte":
			v.Plain = "持有残疾人证，残疾等级为一级至" + chineseNum(n) + "级（一级最重）"
			return v
		case "lt":
			v.Plain = "持有残疾人证，残疾等级为一级至" + chineseNum(n-1) + "级（一级最重）"
			return v
		case "eq":
			v.Plain = "持有残疾人证，残疾等级为" + chineseNum(n) + "级"
			return v
		}
	}
	fw, ok := fieldWords[c.Field]
	if !ok {
		fw.name = c.Field
	}
	name := yearWord(c.Year, c.Field) + fw.name
	switch op {
	case "in", "not_in":
		var vs []string
		for _, s := range strList(val) {
			vs = append(vs, enumWord(s))
		}
		w := "为"
		if op == "not_in" {
			w = "不为"
		}
		v.Plain = name + w + strings.Join(vs, "、") + (map[bool]string{true: "之一", false: ""})[len(vs) > 1 && op == "in"]
		return v
	case "has":
		v.Plain = name + "包含" + strings.Join(strList(val), "、")
		return v
	}
	w, ok := opWords[op]
	if !ok {
		w = op
	}
	sep := " " // a space sets a number apart from the words, as in 不低于 2000 万元
	if val.GetStringValue() != "" || val.GetListValue() != nil {
		sep = ""
	}
	v.Plain = name + w + sep + valueWords(val, fw.unit)
	return v
}

func (d describer) placeWord(field string) string {
	if field == "residence_region" {
		return "常住地（居住地）"
	}
	if d.audience == "resident" {
		return "户籍"
	}
	return "注册地"
}

// yearWord names the year of a per-year field (上年度营业收入).
func yearWord(y *int32, field string) string {
	if y == nil {
		return ""
	}
	switch *y {
	case -1:
		return "上年度"
	case 0:
		return "本年度"
	case -2:
		return "前年"
	}
	if *y < 0 {
		return strconv.Itoa(int(-*y)) + "年前的"
	}
	return ""
}

func valueWords(v *structpb.Value, unit string) string {
	if v == nil {
		return ""
	}
	switch x := v.Kind.(type) {
	case *structpb.Value_NumberValue:
		switch unit {
		case "money":
			return money(x.NumberValue)
		case "ratio":
			return percent(x.NumberValue)
		case "":
			return num(x.NumberValue)
		}
		return num(x.NumberValue) + " " + unit
	case *structpb.Value_StringValue:
		return enumWord(x.StringValue)
	case *structpb.Value_BoolValue:
		if x.BoolValue {
			return "是"
		}
		return "否"
	}
	return strings.Join(strList(v), "、")
}

func enumWord(s string) string {
	if w, ok := enumWords[s]; ok {
		return w
	}
	return s
}

// strList reads a string or a list of strings (numbers as text).
func strList(v *structpb.Value) []string {
	if v == nil {
		return nil
	}
	if l := v.GetListValue(); l != nil {
		var out []string
		for _, e := range l.Values {
			out = append(out, strList(e)...)
		}
		return out
	}
	switch x := v.Kind.(type) {
	case *structpb.Value_StringValue:
		return []string{x.StringValue}
	case *structpb.Value_NumberValue:
		return []string{num(x.NumberValue)}
	case *structpb.Value_BoolValue:
		return []string{strconv.FormatBool(x.BoolValue)}
	}
	return nil
}

func chineseNum(n int) string {
	if n >= 1 && n <= 10 {
		return []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}[n-1]
	}
	return strconv.Itoa(n)
}
