package corpus

import "slices"

// FieldType is how a profile field is compared.
type FieldType uint8

// The field types of the CONTRACT vocabulary.
const (
	TypeNumber   FieldType = iota + 1
	TypeString             // an enum or free string compared with eq/ne/in/not_in
	TypeBool               // true/false
	TypeDate               // YYYY-MM-DD, compared as dates
	TypeRegion             // a 6-digit 行政区划代码; supports within
	TypeIndustry           // a GB/T 4754 code; supports within
	TypeTags               // a set of labels; supports has
	TypeUnparsed           // a clause the vocabulary cannot express
)

// Field describes one key a condition may test (CONTRACT §1–2).
type Field struct {
	Name     string
	Type     FieldType
	Audience Audience // enterprise, resident, or both
	// PerYear fields are maps year→amount in profiles; atoms on them carry a
	// relative year (default -1, the last completed year).
	PerYear bool
	// Derived fields are computed from other keys at evaluation time; Source
	// names the key a derived value rests on (for verification).
	Derived bool
	Source  []string
	// Enum lists the allowed string values, when the field is an enum.
	Enum []string
	// Label is the Chinese name shown to editors and in explanations.
	Label string
}

// fields is the CONTRACT vocabulary, in the order forms show it.
var fields = []Field{
	{Name: "region", Type: TypeRegion, Audience: AudienceBoth, Label: "注册地/户籍地"},
	{Name: "tags", Type: TypeTags, Audience: AudienceBoth, Label: "资质/身份标签"},
	{Name: "established", Type: TypeDate, Audience: AudienceEnterprise, Label: "成立日期"},
	{Name: "established_years", Type: TypeNumber, Audience: AudienceEnterprise, Derived: true, Source: []string{"established"}, Label: "成立年限"},
	{Name: "registered_capital", Type: TypeNumber, Audience: AudienceEnterprise, Label: "注册资本（元）"},
	{Name: "employees", Type: TypeNumber, Audience: AudienceEnterprise, Label: "从业人员数"},
	{Name: "insured_employees", Type: TypeNumber, Audience: AudienceEnterprise, Label: "参保职工人数"},
	{Name: "industry", Type: TypeIndustry, Audience: AudienceEnterprise, Label: "国民经济行业"},
	{Name: "scale", Type: TypeString, Audience: AudienceEnterprise, Enum: []string{"large", "medium", "small", "micro"}, Label: "企业规模"},
	{Name: "revenue", Type: TypeNumber, Audience: AudienceEnterprise, PerYear: true, Label: "营业收入（元）"},
	{Name: "tax_paid", Type: TypeNumber, Audience: AudienceEnterprise, PerYear: true, Label: "纳税总额（元）"},
	{Name: "rd_expense", Type: TypeNumber, Audience: AudienceEnterprise, PerYear: true, Label: "研发费用（元）"},
	{Name: "rd_ratio", Type: TypeNumber, Audience: AudienceEnterprise, PerYear: true, Derived: true, Source: []string{"rd_expense", "revenue"}, Label: "研发费用占营业收入比例"},
	{Name: "total_assets", Type: TypeNumber, Audience: AudienceEnterprise, PerYear: true, Label: "资产总额（元）"},
	{Name: "export_value", Type: TypeNumber, Audience: AudienceEnterprise, PerYear: true, Label: "出口额（元）"},
	{Name: "layoff_rate", Type: TypeNumber, Audience: AudienceEnterprise, Label: "上年度裁员率"},
	{Name: "dishonest", Type: TypeBool, Audience: AudienceEnterprise, Label: "列入严重失信主体名单"},
	{Name: "birth_date", Type: TypeDate, Audience: AudienceResident, Label: "出生日期"},
	{Name: "age", Type: TypeNumber, Audience: AudienceResident, Derived: true, Source: []string{"birth_date"}, Label: "年龄（周岁）"},
	{Name: "gender", Type: TypeString, Audience: AudienceResident, Enum: []string{"male", "female"}, Label: "性别"},
	{Name: "residence_region", Type: TypeRegion, Audience: AudienceResident, Label: "常住地"},
	{Name: "hukou_type", Type: TypeString, Audience: AudienceResident, Enum: []string{"urban", "rural"}, Label: "户口性质"},
	{Name: "disability_level", Type: TypeNumber, Audience: AudienceResident, Label: "残疾等级"},
	{Name: "employment", Type: TypeString, Audience: AudienceResident, Enum: []string{"employed", "unemployed", "self_employed", "retired", "student"}, Label: "就业状态"},
	{Name: "degree", Type: TypeString, Audience: AudienceResident, Enum: []string{"none", "junior", "senior", "vocational", "associate", "bachelor", "master", "doctor"}, Label: "最高学历"},
	{Name: "graduation_date", Type: TypeDate, Audience: AudienceResident, Label: "毕业日期"},
	{Name: "graduation_years", Type: TypeNumber, Audience: AudienceResident, Derived: true, Source: []string{"graduation_date"}, Label: "毕业年限"},
	{Name: "income_per_capita_monthly", Type: TypeNumber, Audience: AudienceResident, Label: "家庭人均月收入（元）"},
	{Name: FieldUnparsed, Type: TypeUnparsed, Audience: AudienceBoth, Label: "需人工核实的条件"},
}

// AllFields returns the CONTRACT vocabulary, in the order forms show it.
func AllFields() []Field { return slices.Clone(fields) }

var fieldsByName = func() map[string]*Field {
	m := make(map[string]*Field, len(fields))
	for i := range fields {
		m[fields[i].Name] = &fields[i]
	}
	return m
}()

// LookupField returns the vocabulary entry for name.
func LookupField(name string) (Field, bool) {
	f, ok := fieldsByName[name]
	if !ok {
		return Field{}, false
	}
	return *f, true
}

// EnterpriseTags returns the CONTRACT enterprise tag vocabulary (more may be added).
func EnterpriseTags() []string { return slices.Clone(enterpriseTags) }

var enterpriseTags = []string{
	"高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”企业", "创新型中小企业",
	"规模以上工业企业", "限额以上批发零售企业", "农业产业化龙头企业", "技术先进型服务企业",
	"个体工商户", "上市企业", "外贸企业", "瞪羚企业",
}

// ResidentTags returns the CONTRACT resident tag vocabulary (more may be added).
func ResidentTags() []string { return slices.Clone(residentTags) }

var residentTags = []string{
	"低保对象", "特困人员", "低收入人口", "脱贫人口", "残疾人", "退役军人", "登记失业人员",
	"就业困难人员", "高校毕业生", "独居老人", "孤儿", "事实无人抚养儿童", "城乡居民养老保险参保人",
	"计划生育特殊家庭",
}
