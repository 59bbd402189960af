package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
)

// LiveBenefits gives every live benefit compiled for today. sweep.Worker's
// Live does: it compiles again only when the library changed (the
// matcher's outbox cursor moved), the day changed or a minute passed.
type LiveBenefits interface {
	Live(ctx context.Context) (*sweep.Compiled, error)
}

// calcEnterpriseID is the 统一社会信用代码 the calculator's made-up
// enterprise carries: profiles need a valid one, and nothing is stored.
const calcEnterpriseID = "91321002MA37124213"

// factField is one fact the calculator asks for.
type factField struct {
	Key   string // CONTRACT profile key
	Label string
	// Input: money (万元 typed, yuan stored, 上年度 for per-year keys),
	// yuan, int, date, age (stored as birth_date), region, select, text.
	Input   string
	Unit    string
	Hint    string
	Options []option
	PerYear bool
}

var selectUnknown = option{Value: "", Label: "不填（不确定）"}

func enumOptions(keys ...string) []option {
	out := []option{selectUnknown}
	for _, k := range keys {
		out = append(out, option{Value: k, Label: enumWords[k]})
	}
	return out
}

var enterpriseFacts = []factField{
	{Key: "region", Label: "注册地", Input: "region", Hint: "地区名称或 6 位行政区划代码，如 广州市天河区、440106"},
	{Key: "revenue", Label: "上年度营业收入", Input: "money", Unit: "万元", PerYear: true},
	{Key: "tax_paid", Label: "上年度纳税总额", Input: "money", Unit: "万元", PerYear: true},
	{Key: "rd_expense", Label: "上年度研发费用", Input: "money", Unit: "万元", PerYear: true},
	{Key: "employees", Label: "从业人员数", Input: "int", Unit: "人"},
	{Key: "insured_employees", Label: "参保职工人数", Input: "int", Unit: "人"},
	{Key: "registered_capital", Label: "注册资本", Input: "money", Unit: "万元"},
	{Key: "established", Label: "成立日期", Input: "date"},
	{Key: "industry", Label: "所属行业代码", Input: "text", Hint: "国民经济行业分类（GB/T 4754）代码，如 C39、I6510"},
	{Key: "layoff_rate", Label: "上年度裁员率", Input: "percent", Unit: "%", Hint: "裁员人数占职工总数的百分比，没有裁员填 0"},
	{Key: "scale", Label: "企业规模", Input: "select", Options: enumOptions("large", "medium", "small", "micro")},
	{Key: "dishonest", Label: "是否列入严重失信主体名单", Input: "select", Options: []option{selectUnknown, {Value: "false", Label: "否"}, {Value: "true", Label: "是"}}},
}

var residentFacts = []factField{
	{Key: "region", Label: "户籍所在地", Input: "region", Hint: "地区名称或 6 位行政区划代码，如 广州市天河区、440106"},
	{Key: "residence_region", Label: "常住地（居住地）", Input: "region", Hint: "与户籍地不同时填写"},
	{Key: "birth_date", Label: "年龄", Input: "age", Unit: "周岁"},
	{Key: "gender", Label: "性别", Input: "select", Options: enumOptions("female", "male")},
	{Key: "hukou_type", Label: "户口类型", Input: "select", Options: enumOptions("urban", "rural")},
	{Key: "employment", Label: "就业状态", Input: "select", Options: enumOptions("employed", "unemployed", "self_employed", "retired", "student")},
	{Key: "degree", Label: "最高学历", Input: "select", Options: enumOptions("none", "junior", "senior", "vocational", "associate", "bachelor", "master", "doctor")},
	{Key: "graduation_date", Label: "毕业日期", Input: "date"},
	{Key: "disability_level", Label: "残疾等级（持残疾人证）", Input: "select", Options: []option{{Value: "", Label: "无残疾人证或不填"}, {Value: "1", Label: "一级"}, {Value: "2", Label: "二级"}, {Value: "3", Label: "三级"}, {Value: "4", Label: "四级"}}},
	{Key: "income_per_capita_monthly", Label: "家庭人均月收入", Input: "yuan", Unit: "元"},
}

// The tags offered as checkboxes (CONTRACT vocabulary).
var (
	enterpriseTags = []string{"高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”企业", "创新型中小企业", "规模以上工业企业", "限额以上批发零售企业", "农业产业化龙头企业", "技术先进型服务企业", "个体工商户", "上市企业", "外贸企业", "瞪羚企业"}
	residentTags   = []string{"低保对象", "特困人员", "低收入人口", "脱贫人口", "残疾人", "退役军人", "登记失业人员", "就业困难人员", "高校毕业生", "独居老人", "孤儿", "事实无人抚养儿童", "城乡居民养老保险参保人", "计划生育特殊家庭"}
)

// fieldView is one form control as the calculator page draws it.
type fieldView struct {
	factField
	ID, Name, Value string
	Missing         bool // named by a needs-one-more-fact result
}

// kindForm is the fieldset of one subject kind.
type kindForm struct {
	Kind, Label  string
	Fields       []fieldView
	Tags         []option
	TagsName     string
	TagsComplete bool
}

// calcResult is one benefit in the calculator's answer.
type calcResult struct {
	PolicyID, PolicyTitle, Name, Amount, Estimate, Deadline string
	ApplyFree                                               bool
	Met, Check                                              []string
	// Need names the one missing fact and links to its control.
	Need, NeedLink string
	Missing        []string
	score          float64
	yuan           float64
}

// calcView is the calculator page's data.
type calcView struct {
	Kind          string
	Forms         []kindForm
	Asked         bool
	Errors        []string
	Unavailable   string
	At            string
	Eligible      []calcResult
	OneMore       []calcResult
	Unknown       []calcResult
	UnknownMore   int
	Total         string
	TotalUncalced int
	Places        []string
}

// maxUnknownShown bounds the list of benefits that need more than one fact.
const maxUnknownShown = 10

// calcPage shows the fact form and, once facts are given, which live
// benefits they qualify for, which need one more fact, and how much.
func (s *Server) calcPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := calcView{Kind: q.Get("kind")}
	if v.Kind != "enterprise" && v.Kind != "resident" {
		v.Kind = ""
	}
	v.Forms = []kindForm{
		s.kindForm(q, "enterprise", "企业", "e_", enterpriseFacts, enterpriseTags),
		s.kindForm(q, "resident", "个人", "r_", residentFacts, residentTags),
	}
	v.Places = s.places(r.Context())
	status := http.StatusOK
	if v.Kind != "" {
		v.Asked = true
		status = s.calculate(r.Context(), q, &v)
	}
	s.render(w, r, status, "calc", page{Title: "政策计算器", Data: v})
}

func (s *Server) kindForm(q url.Values, kind, label, prefix string, facts []factField, tags []string) kindForm {
	f := kindForm{Kind: kind, Label: label, TagsName: prefix + "tags", TagsComplete: q.Get(prefix+"tags_complete") == "1"}
	for _, ff := range facts {
		f.Fields = append(f.Fields, fieldView{factField: ff, ID: "f-" + prefix + ff.Key, Name: prefix + ff.Key, Value: strings.TrimSpace(q.Get(prefix + ff.Key))})
	}
	have := map[string]bool{}
	for _, t := range q[prefix+"tags"] {
		have[t] = true
	}
	for _, t := range tags {
		f.Tags = append(f.Tags, option{Value: t, Label: t, Selected: have[t]})
	}
	return f
}

// calculate evaluates the facts of v.Kind's form; it returns the status.
func (s *Server) calculate(ctx context.Context, q url.Values, v *calcView) int {
	if s.cfg.Live == nil {
		v.Unavailable = "本站未开启政策计算器。"
		return http.StatusServiceUnavailable
	}
	live, err := s.cfg.Live.Live(ctx)
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "web: calculator: live benefits", "err", err)
		v.Unavailable = "读取现行政策时出错，请稍后再试。"
		return http.StatusServiceUnavailable
	}
	at := live.Set().At()
	v.At = at.String()
	var form *kindForm
	for i := range v.Forms {
		if v.Forms[i].Kind == v.Kind {
			form = &v.Forms[i]
		}
	}
	prof, places, errs := s.profileOf(form, at)
	if len(errs) > 0 {
		v.Errors = errs
		return http.StatusBadRequest
	}
	fields := map[string]*fieldView{}
	for i := range form.Fields {
		fields[form.Fields[i].Key] = &form.Fields[i]
	}
	var sc matcher.Scratch
	matched := live.Set().Match(&prof, &sc)
	var total float64
	for _, m := range matched {
		ref := live.Ref(int(m.Benefit))
		res := live.Set().Explain(int(m.Benefit), &prof)
		cr := calcResult{PolicyID: ref.PolicyID, PolicyTitle: ref.PolicyTitle, Name: ref.Benefit.Name, Amount: ref.Benefit.Amount,
			ApplyFree: ref.Benefit.ApplyFree, Met: res.Met, Check: res.Check, score: res.Score}
		if !ref.Benefit.Deadline.IsZero() {
			cr.Deadline = ref.Benefit.Deadline.String()
		}
		cr.Estimate, cr.yuan = estimate(amountOf(ref.Benefit.Calc, ref.Benefit.Amount, ref.Benefit.Name))
		// A local policy reaches only subjects of its region, though its
		// text may name no place (CONTRACT §2): out of it, the benefit is
		// not offered; with no place given, the place is one more fact.
		scope := inScope(ref.PolicyRegion, places)
		if scope == matcher.False {
			continue
		}
		if scope == matcher.Unknown {
			res.Missing = append([]string{"region"}, res.Missing...)
			if res.Verdict == matcher.True {
				res.Verdict = matcher.Unknown
			}
		}
		switch {
		case res.Verdict == matcher.True:
			if cr.yuan > 0 {
				total += cr.yuan
			} else {
				v.TotalUncalced++
			}
			v.Eligible = append(v.Eligible, cr)
		case len(res.Missing) == 1 && len(res.Check) == 0:
			key := res.Missing[0]
			if key == "birth_date" || key == "age" {
				key = "birth_date"
			}
			cr.Need = factName(key, form)
			if f, ok := fields[key]; ok {
				f.Missing = true
				cr.NeedLink = "/calc?" + q.Encode() + "#" + f.ID
			} else if key == "tags" {
				cr.NeedLink = "/calc?" + q.Encode() + "#tags-" + v.Kind
			}
			v.OneMore = append(v.OneMore, cr)
		default:
			for _, k := range res.Missing {
				cr.Missing = append(cr.Missing, factName(k, form))
			}
			v.Unknown = append(v.Unknown, cr)
		}
	}
	for _, l := range [][]calcResult{v.Eligible, v.OneMore, v.Unknown} {
		sort.SliceStable(l, func(i, j int) bool {
			if l[i].yuan != l[j].yuan {
				return l[i].yuan > l[j].yuan
			}
			return l[i].score > l[j].score
		})
	}
	if len(v.Unknown) > maxUnknownShown {
		v.UnknownMore = len(v.Unknown) - maxUnknownShown
		v.Unknown = v.Unknown[:maxUnknownShown]
	}
	if total > 0 {
		v.Total = money(total)
	}
	return http.StatusOK
}

// factName names a profile key for the person filling in the form.
func factName(key string, form *kindForm) string {
	for _, f := range form.Fields {
		if f.Key == key {
			return f.Label
		}
	}
	switch key {
	case "tags":
		return "身份或资质（勾选并确认已勾选全部）"
	case "birth_date":
		return "年龄"
	}
	if fw, ok := fieldWords[key]; ok {
		return fw.name
	}
	return key
}

// profileOf turns the form into a CONTRACT profile and parses it the way
// imports are parsed, so the calculator judges exactly as the matcher does.
// It returns the errors a person must fix, each naming the field.
func (s *Server) profileOf(form *kindForm, at corpus.Date) (matcher.Profile, []string, []string) {
	obj := map[string]any{"kind": form.Kind}
	if form.Kind == "enterprise" {
		obj["id"] = calcEnterpriseID
	} else {
		obj["id"] = "calculator"
	}
	var errs []string
	bad := func(f *fieldView, msg string) { errs = append(errs, f.Label+"："+msg) }
	for i := range form.Fields {
		f := &form.Fields[i]
		if f.Value == "" {
			continue
		}
		switch f.Input {
		case "region":
			code, err := resolveRegion(s.cfg.Regions, f.Value)
			if err != nil {
				bad(f, err.Error())
				continue
			}
			obj[f.Key] = code
		case "money", "yuan":
			n, err := strconv.ParseFloat(f.Value, 64)
			if err != nil || n < 0 {
				bad(f, "请填一个不小于 0 的数字（单位："+f.Unit+"）")
				continue
			}
			if f.Input == "money" {
				n *= 1e4
			}
			if f.PerYear {
				obj[f.Key] = map[string]float64{strconv.Itoa(at.Year - 1): n}
			} else {
				obj[f.Key] = n
			}
		case "percent":
			n, err := strconv.ParseFloat(f.Value, 64)
			if err != nil || n < 0 || n > 100 {
				bad(f, "请填 0 到 100 之间的数字（百分比）")
				continue
			}
			obj[f.Key] = n / 100
		case "int", "age":
			n, err := strconv.Atoi(f.Value)
			if err != nil || n < 0 || n > 10000000 {
				bad(f, "请填一个不小于 0 的整数")
				continue
			}
			if f.Input == "age" {
				if n > 150 {
					bad(f, "年龄超出范围")
					continue
				}
				// The birthday is today, n years ago: the age is n today.
				obj[f.Key] = corpus.Date{Year: at.Year - n, Month: at.Month, Day: at.Day}.String()
				if at.Month == 2 && at.Day == 29 {
					obj[f.Key] = corpus.Date{Year: at.Year - n, Month: 2, Day: 28}.String()
				}
				continue
			}
			obj[f.Key] = n
		case "date":
			if _, err := corpus.ParseDate(f.Value); err != nil {
				bad(f, "请按 年-月-日 填写，如 2020-05-01")
				continue
			}
			obj[f.Key] = f.Value
		case "select":
			if f.Key == "dishonest" {
				obj[f.Key] = f.Value == "true"
			} else if f.Key == "disability_level" {
				n, _ := strconv.Atoi(f.Value)
				obj[f.Key] = n
			} else {
				obj[f.Key] = f.Value
			}
		default:
			obj[f.Key] = f.Value
		}
	}
	var tags []string
	for _, t := range form.Tags {
		if t.Selected {
			tags = append(tags, t.Value)
		}
	}
	// Ticked tags, or an explicit "that is all of them", make the tags
	// known; otherwise conditions on tags stay unknown (CONTRACT §2).
	if len(tags) > 0 || form.TagsComplete {
		if tags == nil {
			tags = []string{}
		}
		obj["tags"] = tags
	}
	if len(errs) > 0 {
		return matcher.Profile{}, nil, errs
	}
	var places []string
	for _, k := range []string{"region", "residence_region"} {
		if c, ok := obj[k].(string); ok {
			places = append(places, c)
		}
	}
	line, err := json.Marshal(obj)
	if err != nil {
		return matcher.Profile{}, nil, []string{fmt.Sprintf("内部错误：%v", err)}
	}
	ps, lerrs, err := matcher.NewParser(matcher.ParseOptions{Regions: s.cfg.Regions}).ReadAll(bytes.NewReader(line))
	if err != nil || len(lerrs) > 0 || len(ps) != 1 {
		for _, le := range lerrs {
			name := le.Field
			for _, f := range form.Fields {
				if strings.HasPrefix(le.Field, f.Key) {
					name = f.Label
				}
			}
			errs = append(errs, name+"："+le.Err.Error())
		}
		if len(errs) == 0 {
			errs = append(errs, fmt.Sprintf("无法读取所填信息：%v", err))
		}
		return matcher.Profile{}, nil, errs
	}
	return ps[0], places, nil
}

// inScope says whether a subject in places (registered or home region, and
// where a resident lives) is within a policy's issuing region.
func inScope(policyRegion string, places []string) matcher.Tri {
	if policyRegion == "" || policyRegion == region.National {
		return matcher.True
	}
	if len(places) == 0 {
		return matcher.Unknown
	}
	for _, p := range places {
		if region.Within(p, policyRegion) {
			return matcher.True
		}
	}
	return matcher.False
}
