package web

import (
	"context"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// publicRoutes registers the pages for enterprises and residents: search,
// policy pages, the benefit calculator and the inbox.
func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "home", page{Title: "首页"})
	})
	mux.HandleFunc("GET /search", s.searchPage)
	mux.HandleFunc("GET /policy/{id}", s.policyPage)
	mux.HandleFunc("GET /calc", s.calcPage)
	s.inboxRoutes(mux)
}

// searchPageSize is how many hits a search page shows.
const searchPageSize = 10

// option is one choice of a select or a set of checkboxes, with the facet
// count shown beside it (-1 when there is none).
type option struct {
	Value, Label string
	Selected     bool
	Count        int
}

// hitView is one search hit as the page shows it.
type hitView struct {
	*pb.SearchHit
	Snippet   template.HTML
	Audiences string
}

// searchView is the search page's data.
type searchView struct {
	Query, Region, RegionInput, RegionName string
	RegionError                            string
	Audience, Sort                         string
	Audiences, Categories, Sorts           []option
	ApplyFree, Inactive                    bool
	ApplyFreeCount                         int
	Searched                               bool
	Unavailable                            string
	Total                                  int
	Hits                                   []hitView
	Next, First                            string
	Offset                                 int
	// Places are the regions live policies are issued for, suggested in
	// the region box.
	Places []string
	// PlaceWord is the word of the question taken as the region, and
	// AsTyped the same search without that reading.
	PlaceWord, AsTyped string
}

var audienceLabels = map[string]string{"enterprise": "企业", "resident": "个人", "both": "企业和个人"}

// searchPage runs a search from the query string (so a result page is a
// shareable URL) and shows the hits with facet counts beside the filters.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := searchView{
		Query:       strings.TrimSpace(q.Get("q")),
		RegionInput: strings.TrimSpace(q.Get("region")),
		Audience:    q.Get("audience"),
		Sort:        q.Get("sort"),
		ApplyFree:   q.Get("apply_free") == "1",
		Inactive:    q.Get("inactive") == "1",
	}
	if v.Audience != "enterprise" && v.Audience != "resident" {
		v.Audience = ""
	}
	if v.Sort != "date" {
		v.Sort = "relevance"
	}
	// "残疾人 补贴 天河": a word of the question that names one place is
	// read as the region filter rather than as a word to match, which
	// would rank every policy mentioning 天河 first. The page says so and
	// offers the words as typed (noplace=1).
	if v.RegionInput == "" && q.Get("noplace") != "1" {
		if word, rest := placeInQuery(s.cfg.Regions, v.Query, s.liveRegions(r.Context())); word != "" {
			asTyped := cloneValues(q)
			asTyped.Del("page")
			asTyped.Set("noplace", "1")
			v.PlaceWord, v.AsTyped = word, "/search?"+asTyped.Encode()
			v.Query, v.RegionInput = rest, word
		}
	}
	if v.RegionInput != "" {
		code, err := resolveRegion(s.cfg.Regions, v.RegionInput)
		if err != nil {
			v.RegionError = err.Error()
		} else {
			v.Region, v.RegionName = code, s.regionName(code)
		}
	}
	cats := map[string]bool{}
	for _, c := range q["category"] {
		cats[c] = true
	}
	req := &pb.SearchRequest{Query: v.Query, Region: v.Region, Audience: v.Audience, IncludeInactive: v.Inactive,
		ApplyFreeOnly: v.ApplyFree, Sort: v.Sort, PageSize: searchPageSize, PageToken: q.Get("page"), Facets: true}
	for _, c := range corpus.DefaultCategories() {
		if cats[string(c)] {
			req.Categories = append(req.Categories, string(c))
		}
	}
	counts := map[string]map[string]int{}
	status := http.StatusOK
	switch {
	case v.RegionError != "":
		status = http.StatusBadRequest
	case s.cfg.Search == nil:
		v.Unavailable = "本站未开启搜索服务，请稍后再试，或从政策计算器查找可享受的政策。"
		status = http.StatusServiceUnavailable
	default:
		resp, err := s.cfg.Search.Search(r.Context(), req)
		var te twirp.Error
		switch {
		case errors.As(err, &te) && te.Code() == twirp.Unavailable:
			// The service says which: still opening, or failed to open.
			v.Unavailable = "搜索服务暂时不可用，请稍后再试；也可以用政策计算器查找可享受的政策。"
			if strings.Contains(te.Msg(), "not ready") {
				v.Unavailable = "搜索服务正在启动（正在载入索引），请稍等几秒后刷新本页。"
			}
			status = http.StatusServiceUnavailable
		case errors.As(err, &te) && te.Code() == twirp.InvalidArgument:
			v.RegionError = "查询条件有误：" + te.Msg()
			status = http.StatusBadRequest
		case err != nil:
			s.cfg.Log.ErrorContext(r.Context(), "web: search", "err", err)
			v.Unavailable = "搜索暂时出错，请稍后再试。"
			status = http.StatusServiceUnavailable
		default:
			v.Searched = true
			v.Total = int(resp.Total)
			for _, h := range resp.Hits {
				var auds []string
				for _, a := range h.Audiences {
					auds = append(auds, audienceLabels[a])
				}
				v.Hits = append(v.Hits, hitView{SearchHit: h, Snippet: safeSnippet(h.Snippet), Audiences: strings.Join(auds, "、")})
			}
			for _, f := range resp.Facets {
				counts[f.Name] = map[string]int{}
				for _, c := range f.Counts {
					counts[f.Name][c.Value] = int(c.Count)
				}
			}
			if resp.NextPageToken != "" {
				next := cloneValues(q)
				next.Set("page", resp.NextPageToken)
				v.Next = "/search?" + next.Encode()
			}
			if q.Get("page") != "" {
				first := cloneValues(q)
				first.Del("page")
				v.First = "/search?" + first.Encode()
			}
		}
	}
	v.Places = s.places(r.Context())
	count := func(facet, value string) int {
		if m, ok := counts[facet]; ok {
			return m[value]
		}
		return -1
	}
	v.Audiences = []option{{Value: "", Label: "不限", Selected: v.Audience == "", Count: -1}}
	for _, a := range []string{"enterprise", "resident"} {
		v.Audiences = append(v.Audiences, option{Value: a, Label: audienceLabels[a], Selected: v.Audience == a, Count: count("audience", a)})
	}
	for _, c := range corpus.DefaultCategories() {
		v.Categories = append(v.Categories, option{Value: string(c), Label: string(c), Selected: cats[string(c)], Count: count("category", string(c))})
	}
	v.ApplyFreeCount = count("apply_free", "true")
	v.Sorts = []option{{Value: "relevance", Label: "按相关度", Selected: v.Sort == "relevance"}, {Value: "date", Label: "按发布日期（新的在前）", Selected: v.Sort == "date"}}
	title := "查政策"
	if v.Query != "" {
		title = v.Query + " - 查政策"
	}
	s.render(w, r, status, "search", page{Title: title, Data: v})
}

// places names the regions live policies are issued for (from the
// calculator's cached compiled set), for the region suggestions; nil when
// there is no such set.
func (s *Server) places(ctx context.Context) []string {
	var out []string
	for _, code := range s.liveRegions(ctx) {
		out = append(out, s.regionName(code))
	}
	slices.Sort(out)
	return out
}

// liveRegions lists the issuing regions of the live policies, once each.
func (s *Server) liveRegions(ctx context.Context) []string {
	if s.cfg.Live == nil {
		return nil
	}
	live, err := s.cfg.Live.Live(ctx)
	if err != nil {
		s.cfg.Log.WarnContext(ctx, "web: live regions", "err", err)
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i := 0; i < live.Set().Len(); i++ {
		code := live.Ref(i).PolicyRegion
		if code == "" || seen[code] {
			continue
		}
		seen[code] = true
		out = append(out, code)
	}
	return out
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// safeSnippet turns a backend snippet, whose highlights are <mark> tags,
// into HTML where only those tags survive: every other part is unescaped
// (a backend may or may not have escaped it) and escaped again, so the
// text of a policy can never inject markup.
func safeSnippet(s string) template.HTML {
	var b strings.Builder
	open := false
	for s != "" {
		tag := "<mark>"
		if open {
			tag = "</mark>"
		}
		i := strings.Index(s, tag)
		if i < 0 {
			b.WriteString(html.EscapeString(html.UnescapeString(s)))
			break
		}
		b.WriteString(html.EscapeString(html.UnescapeString(s[:i])))
		b.WriteString(tag)
		open = !open
		s = s[i+len(tag):]
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// resolveRegion reads a region as people type it: a 6-digit code, a name
// (天河区, 天河), or a name with its parents (广州市天河区, 广东广州天河).
func resolveRegion(t *region.Table, in string) (string, error) {
	in = strings.Join(strings.Fields(in), "")
	if sixDigits.MatchString(in) {
		if in == region.National || t.Valid(in) {
			return in, nil
		}
		return "", errors.New("没有这个行政区划代码：" + in)
	}
	if in == "全国" {
		return region.National, nil
	}
	codes := regionsNamed(t, in)
	switch len(codes) {
	case 0:
		return "", errors.New("没有找到地区“" + in + "”，请写全称（如 广州市天河区）或 6 位行政区划代码")
	case 1:
		return codes[0], nil
	}
	return "", errors.New("“" + in + "”有多个同名地区，请加上所属的省或市（如 广州市天河区）")
}

// placeInQuery finds the first word of a question of several words that
// names exactly one region and returns it with the other words. A lone word
// is left alone: it is what is searched for. Many short place names are
// also everyday words (安居 as in 人才安居, 振兴, 光明), so a short name
// counts only where some live policy is issued for that place, a place
// inside it, or the city or county containing it (a province's or the
// nation's policies do not make all their districts likely); a code or a
// full name (天河区, 广州市天河区) always counts.
func placeInQuery(t *region.Table, query string, live []string) (word, rest string) {
	words := strings.Fields(query)
	if len(words) < 2 {
		return "", query
	}
	for i, w := range words {
		if utf8.RuneCountInString(w) < 2 || w == "全国" {
			continue
		}
		code, err := resolveRegion(t, w)
		if err != nil {
			continue
		}
		full := sixDigits.MatchString(w) || strings.ContainsAny(string([]rune(w)[utf8.RuneCountInString(w)-1:]), "省市区县州盟旗")
		if !full && !slices.ContainsFunc(live, func(r string) bool {
			return r == code || region.Within(r, code) || (!strings.HasSuffix(r, "0000") && region.Within(code, r))
		}) {
			continue
		}
		others := append(append([]string(nil), words[:i]...), words[i+1:]...)
		return w, strings.Join(others, " ")
	}
	return "", query
}

// regionsNamed returns the codes a possibly qualified name can mean: the
// longest known name at its end, narrowed by what its prefix names.
func regionsNamed(t *region.Table, name string) []string {
	if codes := t.ByName(name); len(codes) > 0 {
		return codes
	}
	rs := []rune(name)
	for i := 1; i < len(rs); i++ {
		tail := t.ByName(string(rs[i:]))
		if len(tail) == 0 {
			continue
		}
		outer := regionsNamed(t, string(rs[:i]))
		var out []string
		for _, c := range tail {
			for _, o := range outer {
				if c != o && region.Within(c, o) {
					out = append(out, c)
					break
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// policyView is the policy page's data.
type policyView struct {
	ID       string
	Status   string
	Doc      *pb.PolicyDocument
	Version  int32
	Region   string
	Audience string
	Benefits []benefitView
}

// benefitView is one benefit with its conditions in plain words.
type benefitView struct {
	*pb.Benefit
	Audience   string
	Conditions *condView
	Estimate   string
}

var statusLabels = map[string]string{"published": "现行有效", "retracted": "已撤回", "expired": "已失效", "draft": "草稿"}

// policyPage shows the live version of a policy with each benefit's
// conditions stated in plain words.
func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	resp, err := s.cfg.Library.GetPolicy(r.Context(), &pb.GetPolicyRequest{Id: id})
	var te twirp.Error
	switch {
	case errors.As(err, &te) && (te.Code() == twirp.NotFound || te.Code() == twirp.InvalidArgument):
		s.fail(w, r, http.StatusNotFound, "没有找到这项政策（编号 "+id+"）。")
		return
	case err != nil:
		s.cfg.Log.ErrorContext(r.Context(), "web: get policy", "id", id, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "读取政策时出错，请稍后再试。")
		return
	}
	p := resp.Policy
	if p == nil || p.Live == nil || p.Live.Document == nil {
		s.fail(w, r, http.StatusNotFound, "这项政策尚未发布。")
		return
	}
	doc := p.Live.Document
	v := policyView{ID: p.Id, Status: statusLabels[p.Status], Doc: doc, Version: p.Live.Version,
		Region: s.regionName(doc.Region), Audience: audienceLabels[doc.Audience]}
	for _, b := range doc.Benefits {
		aud := b.Audience
		if aud == "" {
			aud = doc.Audience
		}
		d := describer{regions: s, audience: aud}
		bv := benefitView{Benefit: b, Audience: audienceLabels[aud]}
		bv.Estimate, _ = estimate(amountOf(amountFromPB(b.Calc), b.Amount, b.Name))
		if b.Conditions != nil {
			bv.Conditions = d.describe(b.Conditions, false)
		}
		v.Benefits = append(v.Benefits, bv)
	}
	s.render(w, r, http.StatusOK, "policy", page{Title: doc.Title, Data: v})
}

// amountOf is a benefit's computable amount: the stored one, else what
// the stated amount or the parenthesis of the name says (高龄津贴（每月30元）),
// as the extractor reads amounts; nil when none says a number.
func amountOf(calc *corpus.Amount, stated, name string) *corpus.Amount {
	if calc != nil && calc.Value > 0 {
		return calc
	}
	for _, t := range []string{stated, parenthesis(name)} {
		if t == "" {
			continue
		}
		if a := extract.ParseAmount(t); a != nil && a.Value > 0 {
			return a
		}
	}
	return nil
}

// parenthesis returns the text of the last parenthesis of s.
func parenthesis(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range [][2]string{{"（", "）"}, {"(", ")"}} {
		if strings.HasSuffix(s, p[1]) {
			if i := strings.LastIndex(s, p[0]); i >= 0 {
				return s[i+len(p[0]) : len(s)-len(p[1])]
			}
		}
	}
	return ""
}

func amountFromPB(a *pb.Amount) *corpus.Amount {
	if a == nil {
		return nil
	}
	return &corpus.Amount{Kind: corpus.AmountKind(a.Kind), Value: a.Value, Cap: a.Cap, Basis: a.Basis, Text: a.Text}
}

// upTo reports whether an amount's words make it a ceiling (最高, 不超过).
func upTo(a *corpus.Amount) bool {
	for _, w := range []string{"最高", "不超过", "不高于", "以内", "以下", "最多"} {
		if strings.Contains(a.Text, w) {
			return true
		}
	}
	return false
}

// estimate states an amount in plain words and the yuan it adds to a
// total: 0 when it cannot be computed from what the text gives or is only
// a ceiling. Monthly amounts count as one year's worth.
func estimate(a *corpus.Amount) (string, float64) {
	if a == nil || a.Value <= 0 {
		return "", 0
	}
	about, sure := "约 ", true
	if upTo(a) {
		about, sure = "最高 ", false
	}
	var t string
	var y float64
	switch a.Kind {
	case corpus.AmountFixed:
		t, y = about+money(a.Value), a.Value
	case corpus.AmountPerYear:
		t, y = "每年"+about+money(a.Value), a.Value
	case corpus.AmountPerMonth:
		t, y = "每月"+about+money(a.Value)+"（一年"+about+money(a.Value*12)+"）", a.Value*12
	case corpus.AmountPerPerson:
		t = "每人" + about + money(a.Value)
	case corpus.AmountRate:
		t = "按 " + percent(a.Value) + " 计算"
		if a.Basis != "" {
			t = "按" + a.Basis + "的 " + percent(a.Value) + " 计算"
		}
		if a.Cap > 0 {
			t += "，最高 " + money(a.Cap)
		}
	default:
		return "", 0
	}
	if !sure {
		y = 0
	}
	return t, y
}

// money states yuan the way policies do: 2000 万元, 1.5 亿元, 800 元.
func money(y float64) string {
	switch {
	case y >= 1e8 && isRound(y/1e8*100):
		return num(y/1e8) + " 亿元"
	case y >= 1e4 && isRound(y/1e4*100):
		return num(y/1e4) + " 万元"
	}
	return num(y) + " 元"
}

func isRound(f float64) bool { return f == float64(int64(f)) }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func percent(f float64) string { return num(float64(int64(f*10000+0.5))/100) + "%" }
