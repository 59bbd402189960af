package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// historyData lists a policy's versions and its draft, with the form that
// picks two of them to compare.
type historyData struct {
	edBase
	ID, Title, Status string
	Versions          []versionRow
	Draft             *pb.Draft
	Retracted         string
	RetractReason     string
	// Choices are the diff form's options: version numbers and "draft".
	Choices  []choice
	From, To string
}

type versionRow struct {
	Version   int32
	Published string
	Title     string
	Benefits  int
	Live      bool
}

type choice struct{ Value, Label string }

// maxHistory bounds how many versions the history page loads one by one.
const maxHistory = 50

func (s *Server) editorHistory(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	p := resp.Policy
	d := historyData{edBase: edBase{CSRF: x.csrf, Notice: editorNotices[r.URL.Query().Get("msg")]}, ID: id, Status: p.Status,
		Draft: p.Draft, Retracted: shortTime(p.RetractedAt), RetractReason: p.RetractReason}
	if doc := workingDoc(p); doc != nil {
		d.Title = doc.Title
	}
	vs := resp.Versions
	if len(vs) > maxHistory {
		vs = vs[len(vs)-maxHistory:]
	}
	for i := len(vs) - 1; i >= 0; i-- {
		n := vs[i]
		v, err := s.loadPolicy(r.Context(), id, n)
		if err != nil {
			s.serviceFail(w, r, err)
			return
		}
		row := versionRow{Version: n, Published: shortTime(v.Version.PublishedAt), Title: v.Version.Document.Title,
			Benefits: len(v.Version.Document.Benefits), Live: p.Live != nil && p.Live.Version == n && p.Status == "published"}
		d.Versions = append(d.Versions, row)
		d.Choices = append(d.Choices, choice{strconv.Itoa(int(n)), fmt.Sprintf("第 %d 版", n)})
	}
	if p.Draft != nil {
		d.Choices = append([]choice{{"draft", "当前草稿"}}, d.Choices...)
	}
	if len(d.Choices) >= 2 {
		d.To, d.From = d.Choices[0].Value, d.Choices[1].Value
	}
	s.edPage(w, r, http.StatusOK, "editor_history", "版本历史："+d.Title, d)
}

// diffData is a line diff between two states of a policy.
type diffData struct {
	edBase
	ID, Title      string
	FromLabel      string
	ToLabel        string
	Sections       []diffSection
	Added, Removed int
	Choices        []choice
	From, To       string
}

type diffSection struct {
	Name  string
	Lines []diffLine
	Same  bool
}

type diffLine struct {
	// Op is "+", "-", " " or "…" (a run of unchanged lines left out).
	Op   string
	Text string
}

// docFor loads the draft ("draft") or version n of policy id.
func (s *Server) docFor(r *http.Request, id, which string) (*pb.PolicyDocument, string, error) {
	if which == "draft" {
		resp, err := s.loadPolicy(r.Context(), id, 0)
		if err != nil {
			return nil, "", err
		}
		if resp.Policy.Draft == nil {
			return nil, "", fmt.Errorf("这项政策没有草稿")
		}
		return resp.Policy.Draft.Document, "当前草稿", nil
	}
	n, err := strconv.Atoi(which)
	if err != nil || n <= 0 {
		return nil, "", fmt.Errorf("“%s”不是版本号", which)
	}
	resp, err := s.loadPolicy(r.Context(), id, int32(n))
	if err != nil {
		return nil, "", err
	}
	return resp.Version.Document, fmt.Sprintf("第 %d 版", n), nil
}

func (s *Server) editorDiff(w http.ResponseWriter, r *http.Request, x *session) {
	id := r.PathValue("id")
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	a, fromLabel, err := s.docFor(r, id, from)
	if err == nil {
		var b *pb.PolicyDocument
		var toLabel string
		if b, toLabel, err = s.docFor(r, id, to); err == nil {
			d := diffData{edBase: edBase{CSRF: x.csrf}, ID: id, Title: b.Title, FromLabel: fromLabel, ToLabel: toLabel, From: from, To: to}
			for _, sec := range []struct {
				name string
				f    func(*pb.PolicyDocument, *region.Table) []string
			}{
				{"基本信息", metaLines}, {"权益与条件", benefitLines}, {"未能识别的条款", unparsedLines}, {"正文", textLines},
			} {
				ds := diffLines(sec.f(a, s.cfg.Regions), sec.f(b, s.cfg.Regions))
				ds.Name = sec.name
				for _, l := range ds.Lines {
					switch l.Op {
					case "+":
						d.Added++
					case "-":
						d.Removed++
					}
				}
				d.Sections = append(d.Sections, ds)
			}
			s.edPage(w, r, http.StatusOK, "editor_diff", "版本对比："+d.Title, d)
			return
		}
	}
	var te twirp.Error
	if errors.As(err, &te) {
		s.serviceFail(w, r, err)
		return
	}
	s.fail(w, r, http.StatusBadRequest, err.Error())
}

// contextLines is how many unchanged lines a diff keeps around a change.
const contextLines = 2

// diffLines compares two line lists with go-diff's line mode and keeps the
// unchanged lines near a change.
func diffLines(a, b []string) diffSection {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var all []diffLine
	for _, df := range diffs {
		op := " "
		switch df.Type {
		case diffmatchpatch.DiffInsert:
			op = "+"
		case diffmatchpatch.DiffDelete:
			op = "-"
		}
		for _, l := range strings.Split(strings.TrimSuffix(df.Text, "\n"), "\n") {
			all = append(all, diffLine{Op: op, Text: l})
		}
	}
	sec := diffSection{Same: true}
	near := make([]bool, len(all))
	for i, l := range all {
		if l.Op != " " {
			sec.Same = false
			for j := max(0, i-contextLines); j <= min(len(all)-1, i+contextLines); j++ {
				near[j] = true
			}
		}
	}
	if sec.Same {
		return sec
	}
	skipped := 0
	for i, l := range all {
		if !near[i] {
			skipped++
			continue
		}
		if skipped > 0 {
			sec.Lines = append(sec.Lines, diffLine{Op: "…", Text: fmt.Sprintf("（%d 行未改动）", skipped)})
			skipped = 0
		}
		sec.Lines = append(sec.Lines, l)
	}
	if skipped > 0 {
		sec.Lines = append(sec.Lines, diffLine{Op: "…", Text: fmt.Sprintf("（%d 行未改动）", skipped)})
	}
	return sec
}

func metaLines(d *pb.PolicyDocument, regions *region.Table) []string {
	reg := d.Region
	if r, ok := regions.Lookup(reg); ok {
		reg += " " + r.Name
	}
	return []string{
		"标题：" + d.Title, "文号：" + d.DocNumber, "发文机关：" + d.Issuer, "发文地区：" + reg,
		"类别：" + d.Category, "适用对象：" + enumLabels[d.Audience], "发布日期：" + d.PublishDate,
		"生效日期：" + d.EffectiveFrom, "失效日期：" + d.EffectiveTo, "来源：" + d.SourceUrl,
	}
}

// benefitLines writes each benefit and its condition tree as indented
// lines, so a changed atom is one changed line.
func benefitLines(d *pb.PolicyDocument, regions *region.Table) []string {
	var out []string
	for _, b := range d.Benefits {
		free := ""
		if b.ApplyFree {
			free = "（免申即享）"
		}
		out = append(out, fmt.Sprintf("【%s】%s %s%s", b.Key, b.Name, b.Amount, free))
		out = condLines(b.Conditions, 1, regions, out)
	}
	return out
}

func condLines(c *pb.Condition, depth int, regions *region.Table, out []string) []string {
	ind := strings.Repeat("  ", depth)
	switch {
	case c == nil:
		return append(out, ind+"（无条件）")
	case len(c.All) > 0:
		out = append(out, ind+"同时满足：")
		for _, s := range c.All {
			out = condLines(s, depth+1, regions, out)
		}
	case len(c.Any) > 0:
		out = append(out, ind+"满足其一：")
		for _, s := range c.Any {
			out = condLines(s, depth+1, regions, out)
		}
	case c.Not != nil:
		out = append(out, ind+"不属于：")
		out = condLines(c.Not, depth+1, regions, out)
	case c.Field == "":
		out = append(out, ind+"（无条件）")
	default:
		y := yearLabel(c.Year)
		if y != "" {
			y = "（" + y + "）"
		}
		out = append(out, fmt.Sprintf("%s%s%s %s %s ←“%s”", ind, fieldLabel(c.Field), y, opLabel(c.Op), valueText(c.Field, c.Value, regions), c.Text))
	}
	return out
}

func unparsedLines(d *pb.PolicyDocument, _ *region.Table) []string {
	return append([]string(nil), d.Unparsed...)
}

func textLines(d *pb.PolicyDocument, _ *region.Table) []string {
	return strings.Split(strings.ReplaceAll(d.Text, "\r\n", "\n"), "\n")
}
