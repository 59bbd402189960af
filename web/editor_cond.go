package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// Condition trees on the editor pages. An atom is addressed by its benefit
// index and a path of steps from the benefit's root (all.1.any.0, not), so a
// form can name the atom it edits without JS and the page can link it to its
// span of the policy text.

// opLabels are the operators as editors read them.
var opLabels = []struct{ op, label string }{
	{"eq", "等于"}, {"ne", "不等于"}, {"gt", "大于（不含）"}, {"gte", "不低于（≥）"},
	{"lt", "小于（不含）"}, {"lte", "不超过（≤）"}, {"in", "属于其中之一"}, {"not_in", "不属于其中任何一个"},
	{"has", "具有标签"}, {"within", "位于（含下级）"},
}

func opLabel(op string) string {
	for _, o := range opLabels {
		if o.op == op {
			return o.label
		}
	}
	return op
}

// enumLabels names the CONTRACT enum values in Chinese.
var enumLabels = map[string]string{
	"large": "大型", "medium": "中型", "small": "小型", "micro": "微型",
	"male": "男", "female": "女", "urban": "城镇", "rural": "农村",
	"employed": "在职", "unemployed": "失业", "self_employed": "灵活就业/自主创业", "retired": "退休", "student": "在校学生",
	"none": "无学历", "junior": "初中", "senior": "高中", "vocational": "中专/职高", "associate": "大专",
	"bachelor": "本科", "master": "硕士", "doctor": "博士",
	"enterprise": "企业", "resident": "居民", "both": "企业和居民",
}

func fieldLabel(name string) string {
	if f, ok := corpus.LookupField(name); ok {
		return f.Label
	}
	return name
}

func yearLabel(y *int32) string {
	if y == nil {
		return ""
	}
	switch *y {
	case 0:
		return "当年"
	case -1:
		return "上年度"
	case -2:
		return "前年"
	}
	return fmt.Sprintf("%d 年前", -*y)
}

// formatNumber writes n without an exponent and, for money-sized values, with
// its 万元 reading beside it.
func formatNumber(n float64) string {
	s := strconv.FormatFloat(n, 'f', -1, 64)
	if math.Abs(n) >= 10000 && math.Mod(n, 100) == 0 {
		s += "（" + strconv.FormatFloat(n/10000, 'f', -1, 64) + " 万）"
	}
	return s
}

// valueText shows a condition value as editors read it.
func valueText(field string, v *structpb.Value, regions *region.Table) string {
	if v == nil {
		return "（空）"
	}
	switch k := v.Kind.(type) {
	case *structpb.Value_NumberValue:
		if field == "rd_ratio" || field == "layoff_rate" {
			return strconv.FormatFloat(k.NumberValue*100, 'f', -1, 64) + "%"
		}
		return formatNumber(k.NumberValue)
	case *structpb.Value_BoolValue:
		if field == corpus.FieldUnparsed {
			return "需人工核实"
		}
		if k.BoolValue {
			return "是"
		}
		return "否"
	case *structpb.Value_StringValue:
		s := k.StringValue
		if l, ok := enumLabels[s]; ok {
			return l
		}
		if f, ok := corpus.LookupField(field); ok && (f.Type == corpus.TypeRegion) {
			if s == region.National {
				return "全国"
			}
			if r, ok := regions.Lookup(s); ok {
				return r.Name + "（" + s + "）"
			}
		}
		return s
	case *structpb.Value_ListValue:
		var parts []string
		for _, e := range k.ListValue.GetValues() {
			parts = append(parts, valueText(field, e, regions))
		}
		return strings.Join(parts, "、")
	}
	return "（空）"
}

// valueInput is the value as the edit form shows it: the form a person can
// type back (codes, plain numbers, enum values by their Chinese names, a
// list with 、).
func valueInput(field string, v *structpb.Value) string {
	if v == nil {
		return ""
	}
	switch k := v.Kind.(type) {
	case *structpb.Value_NumberValue:
		return strconv.FormatFloat(k.NumberValue, 'f', -1, 64)
	case *structpb.Value_BoolValue:
		if field == corpus.FieldUnparsed {
			return ""
		}
		if k.BoolValue {
			return "是"
		}
		return "否"
	case *structpb.Value_StringValue:
		if f, ok := corpus.LookupField(field); ok && containsStr(f.Enum, k.StringValue) {
			if l, ok := enumLabels[k.StringValue]; ok {
				return l
			}
		}
		return k.StringValue
	case *structpb.Value_ListValue:
		var parts []string
		for _, e := range k.ListValue.GetValues() {
			parts = append(parts, valueInput(field, e))
		}
		return strings.Join(parts, "、")
	}
	return ""
}

// valueOptions are the suggestions for field's value: its enum values by
// name, or the tag vocabulary for its audience.
func valueOptions(field string, aud corpus.Audience) []string {
	f, ok := corpus.LookupField(field)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range f.Enum {
		if l, ok := enumLabels[e]; ok {
			out = append(out, l)
		} else {
			out = append(out, e)
		}
	}
	if f.Type == corpus.TypeTags {
		if aud != corpus.AudienceResident {
			out = append(out, corpus.EnterpriseTags()...)
		}
		if aud != corpus.AudienceEnterprise {
			out = append(out, corpus.ResidentTags()...)
		}
	}
	return out
}

// syncUnparsed keeps the document's list of unread clauses in step with one
// edit, touching nothing else: the old atom's clause leaves the list when
// it was unparsed and no unparsed atom carries it any more; the new atom's
// clause joins it when the new atom is unparsed.
func syncUnparsed(doc *pb.PolicyDocument, oldText string, wasUnparsed bool, newText string, isUnparsed bool) {
	carried := false
	if wasUnparsed {
		for _, b := range doc.Benefits {
			for _, t := range unparsedTexts(b.Conditions, nil) {
				carried = carried || t == oldText
			}
		}
	}
	var out []string
	listed := false
	for _, u := range doc.Unparsed {
		if wasUnparsed && !carried && u == oldText {
			continue
		}
		listed = listed || u == newText
		out = append(out, u)
	}
	if isUnparsed && newText != "" && !listed {
		out = append(out, newText)
	}
	doc.Unparsed = out
}

// unreadClauses is what the review page lists as not read: the document's
// list and the clauses of its unparsed atoms, each once, in that order.
func unreadClauses(doc *pb.PolicyDocument) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, u := range doc.Unparsed {
		add(u)
	}
	for _, b := range doc.Benefits {
		for _, t := range unparsedTexts(b.Conditions, nil) {
			add(t)
		}
	}
	return out
}

// parseValue reads what an editor typed for field and op into a condition
// value, or says what is wrong in words for the form. Numbers may carry 万
// or 亿 (2000万 → 20000000) and ratios a % sign; a region may be a code or a
// unique name; in/not_in take a list separated by 、 or commas.
func parseValue(field, op, in string, regions *region.Table) (*structpb.Value, string) {
	f, ok := corpus.LookupField(field)
	if !ok {
		return nil, "请选择字段"
	}
	in = strings.TrimSpace(in)
	if op == "in" || op == "not_in" {
		parts := strings.FieldsFunc(in, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' })
		var vs []*structpb.Value
		for _, p := range parts {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			v, msg := parseScalar(f, p, regions)
			if msg != "" {
				return nil, msg
			}
			vs = append(vs, v)
		}
		if len(vs) == 0 {
			return nil, "请填写至少一个值，多个值用“、”分隔"
		}
		return structpb.NewListValue(&structpb.ListValue{Values: vs}), ""
	}
	if in == "" && f.Type != corpus.TypeUnparsed {
		return nil, "请填写值"
	}
	return parseScalar(f, in, regions)
}

func parseScalar(f corpus.Field, in string, regions *region.Table) (*structpb.Value, string) {
	switch f.Type {
	case corpus.TypeNumber:
		s := strings.ReplaceAll(strings.TrimSpace(in), ",", "")
		mul := 1.0
		for _, u := range []struct {
			suffix string
			m      float64
		}{{"万元", 1e4}, {"亿元", 1e8}, {"元", 1}, {"万", 1e4}, {"亿", 1e8}, {"%", 0.01}, {"％", 0.01}, {"周岁", 1}, {"岁", 1}, {"人", 1}, {"年", 1}} {
			if t, ok := strings.CutSuffix(s, u.suffix); ok {
				s, mul = strings.TrimSpace(t), u.m
				break
			}
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fmt.Sprintf("“%s”不是数字（可写 2000万、5%%、35）", in)
		}
		return structpb.NewNumberValue(n * mul), ""
	case corpus.TypeBool:
		switch strings.TrimSpace(in) {
		case "true", "是", "1":
			return structpb.NewBoolValue(true), ""
		case "false", "否", "0":
			return structpb.NewBoolValue(false), ""
		}
		return nil, "请填写“是”或“否”"
	case corpus.TypeUnparsed:
		return structpb.NewBoolValue(true), ""
	case corpus.TypeRegion:
		s := strings.TrimSpace(in)
		if s == "全国" {
			return structpb.NewStringValue(region.National), ""
		}
		if regions.Valid(s) {
			return structpb.NewStringValue(s), ""
		}
		codes := regions.ByName(s)
		switch len(codes) {
		case 0:
			return nil, fmt.Sprintf("“%s”不是已知的行政区划代码或地名", s)
		case 1:
			return structpb.NewStringValue(codes[0]), ""
		}
		return nil, fmt.Sprintf("“%s”有多个地区（%s），请填写6位代码", s, strings.Join(codes, "、"))
	case corpus.TypeString:
		s := strings.TrimSpace(in)
		// An editor may type the Chinese label of an enum value.
		for code, label := range enumLabels {
			if label == s && containsStr(f.Enum, code) {
				s = code
			}
		}
		return structpb.NewStringValue(s), ""
	}
	return structpb.NewStringValue(strings.TrimSpace(in)), ""
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// atomPath is a path of steps from a benefit's root condition to a node:
// "" is the root; "all.1.any.0" the first of the second's alternatives.
type atomPath string

// node follows p from root, returning nil when a step does not exist.
func (p atomPath) node(root *pb.Condition) *pb.Condition {
	c := root
	if p == "" {
		return c
	}
	parts := strings.Split(string(p), ".")
	for i := 0; i < len(parts) && c != nil; i++ {
		switch parts[i] {
		case "not":
			c = c.Not
		case "all", "any":
			if i+1 >= len(parts) {
				return nil
			}
			n, err := strconv.Atoi(parts[i+1])
			list := c.All
			if parts[i] == "any" {
				list = c.Any
			}
			if err != nil || n < 0 || n >= len(list) {
				return nil
			}
			c = list[n]
			i++
		default:
			return nil
		}
	}
	return c
}

// parent splits p into its parent group's path, the group kind (all or
// any) and the index within it; ok is false for the root or a not.
func (p atomPath) parent() (atomPath, string, int, bool) {
	parts := strings.Split(string(p), ".")
	if p == "" || len(parts) < 2 {
		return "", "", 0, false
	}
	kind := parts[len(parts)-2]
	n, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil || (kind != "all" && kind != "any") {
		return "", "", 0, false
	}
	return atomPath(strings.Join(parts[:len(parts)-2], ".")), kind, n, true
}

// twirp returns the path as the services name it in field errors:
// all.1.any.0 → .all[1].any[0].
func (p atomPath) twirp() string {
	if p == "" {
		return ""
	}
	var b strings.Builder
	parts := strings.Split(string(p), ".")
	for i := 0; i < len(parts); i++ {
		if (parts[i] == "all" || parts[i] == "any") && i+1 < len(parts) {
			fmt.Fprintf(&b, ".%s[%s]", parts[i], parts[i+1])
			i++
			continue
		}
		b.WriteString("." + parts[i])
	}
	return b.String()
}

// anchor is an HTML id fragment for the atom of benefit b at p.
func anchorID(b int, p atomPath) string {
	s := strings.ReplaceAll(string(p), ".", "-")
	if s == "" {
		s = "root"
	}
	return fmt.Sprintf("b%d-%s", b, s)
}

// groupNot heads a 不属于 node, to which nothing is added (its one child is
// the excluded case).
const groupNot = "不属于以下情形"

// editorCondView is one node of a condition tree as the review page lists it.
type editorCondView struct {
	// Group is 全部满足 / 满足其一 / 不满足 for inner nodes, "" for atoms.
	Group    string
	Children []editorCondView
	// Atom fields.
	ID       string
	Benefit  int
	Path     string
	Field    string
	Label    string
	Op       string
	Value    string
	Year     string
	Text     string
	Unparsed bool
	// Located is false when the atom's text was not found in the policy text.
	Located bool
	// Edit is the atom's edit form; for a group, Add is the form that adds
	// a condition to it.
	Edit string
	Add  string
}

// setEdit fills in the edit links of the atoms of v for policy pid.
func setEdit(v *editorCondView, pid string) {
	form := "/editor/p/" + url.PathEscape(pid) + "/atom?"
	if v.ID != "" {
		v.Edit = form + url.Values{"b": {strconv.Itoa(v.Benefit)}, "path": {v.Path}}.Encode()
	} else if v.Group != "" && v.Group != groupNot {
		v.Add = form + url.Values{"b": {strconv.Itoa(v.Benefit)}, "path": {v.Path}, "add": {"1"}}.Encode()
	}
	for i := range v.Children {
		setEdit(&v.Children[i], pid)
	}
}

// buildView turns a benefit's tree into views, recording each atom's id so
// the text can be marked.
func buildView(c *pb.Condition, b int, p atomPath, regions *region.Table, located map[string]bool) editorCondView {
	if c == nil {
		return editorCondView{Group: "无条件（所有对象）", Benefit: b}
	}
	step := func(kind string, i int) atomPath {
		s := fmt.Sprintf("%s.%d", kind, i)
		if p != "" {
			s = string(p) + "." + s
		}
		return atomPath(s)
	}
	switch {
	case len(c.All) > 0 || (c.Field == "" && c.Not == nil && len(c.Any) == 0):
		v := editorCondView{Group: "同时满足以下全部条件", Benefit: b, Path: string(p)}
		if len(c.All) == 0 {
			v.Group = "无条件（所有对象）"
		}
		for i, sub := range c.All {
			v.Children = append(v.Children, buildView(sub, b, step("all", i), regions, located))
		}
		return v
	case len(c.Any) > 0:
		v := editorCondView{Group: "满足以下任一条件", Benefit: b, Path: string(p)}
		for i, sub := range c.Any {
			v.Children = append(v.Children, buildView(sub, b, step("any", i), regions, located))
		}
		return v
	case c.Not != nil:
		np := atomPath("not")
		if p != "" {
			np = p + ".not"
		}
		return editorCondView{Group: groupNot, Benefit: b, Path: string(p), Children: []editorCondView{buildView(c.Not, b, np, regions, located)}}
	}
	id := anchorID(b, p)
	return editorCondView{ID: id, Benefit: b, Path: string(p), Field: c.Field, Label: fieldLabel(c.Field), Op: opLabel(c.Op),
		Value: valueText(c.Field, c.Value, regions), Year: yearLabel(c.Year), Text: c.Text,
		Unparsed: c.Field == corpus.FieldUnparsed, Located: located[id]}
}

// atomRef is one atom with its id, for marking the text.
type atomRef struct {
	id   string
	text string
}

// collectAtoms lists the atoms of a tree with their ids, depth first.
func collectAtoms(c *pb.Condition, b int, p atomPath, out []atomRef) []atomRef {
	if c == nil {
		return out
	}
	join := func(kind string, i int) atomPath {
		s := kind
		if i >= 0 {
			s = fmt.Sprintf("%s.%d", kind, i)
		}
		if p != "" {
			s = string(p) + "." + s
		}
		return atomPath(s)
	}
	if len(c.All) > 0 || len(c.Any) > 0 || c.Not != nil {
		for i, s := range c.All {
			out = collectAtoms(s, b, join("all", i), out)
		}
		for i, s := range c.Any {
			out = collectAtoms(s, b, join("any", i), out)
		}
		if c.Not != nil {
			out = collectAtoms(c.Not, b, join("not", -1), out)
		}
		return out
	}
	if c.Field == "" {
		return out
	}
	return append(out, atomRef{id: anchorID(b, p), text: c.Text})
}

// editorFuncs are the template helpers of the editor pages.
func editorFuncs() template.FuncMap {
	return template.FuncMap{
		"opLabel":    opLabel,
		"fieldLabel": fieldLabel,
		"enumLabel": func(s string) string {
			if l, ok := enumLabels[s]; ok {
				return l
			}
			return s
		},
		"statusLabel": statusLabel,
	}
}

func statusLabel(s string) string {
	switch s {
	case "draft":
		return "草稿"
	case "published":
		return "已发布"
	case "retracted":
		return "已撤回"
	case "expired":
		return "已失效"
	}
	return s
}
