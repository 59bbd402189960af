package web

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// makeDocx builds a minimal .docx whose document.xml is body.
func makeDocx(t *testing.T, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadUpload(t *testing.T) {
	docx := makeDocx(t, `<w:p><w:r><w:t>关于稳岗返还的通知</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">一、对象：</w:t></w:r><w:r><w:t>参保企业</w:t></w:r><w:r><w:tab/><w:t>甲</w:t></w:r></w:p>`)
	gbk := []byte("\xb9\xd8\xd3\xda") // 关于 in GBK
	for _, tc := range []struct {
		name      string
		file      string
		data      []byte
		wantText  string
		wantTitle string
		wantErr   string
	}{
		{"utf-8 text", "a.txt", []byte("关于\n通知"), "关于\n通知", "", ""},
		{"byte-order mark dropped", "a.TXT", []byte("\xef\xbb\xbf关于"), "关于", "", ""},
		{"gbk text refused with the line", "a.txt", append([]byte("第一行\n"), gbk...), "", "", "第 2 行"},
		{"docx paragraphs", "p.docx", docx, "关于稳岗返还的通知\n一、对象：参保企业\t甲", "", ""},
		{"docx that is no zip", "p.docx", []byte("not a zip"), "", "", "不是有效的 Word 文档"},
		{"docx without document.xml", "p.docx", func() []byte {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			zw.Create("x.xml")
			zw.Close()
			return b.Bytes()
		}(), "", "", "缺少 word/document.xml"},
		{"html visible text", "p.html", []byte(`<html><head><title>某市通知</title><style>p{}</style></head><body><h1>通知</h1><script>alert(1)</script><p>对象：<b>参保</b>企业</p><div><p>二、标准</p></div></body></html>`),
			"通知\n对象：参保企业\n二、标准", "某市通知", ""},
		{"old word", "p.doc", []byte("x"), "", "", ".docx"},
		{"pdf", "p.pdf", []byte("x"), "", "", "PDF"},
		{"unknown type", "p.xls", []byte("x"), "", "", "不支持的文件类型"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readUpload(tc.file, tc.data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.text != tc.wantText || got.title != tc.wantTitle {
				t.Errorf("got %q / %q, want %q / %q", got.text, got.title, tc.wantText, tc.wantTitle)
			}
		})
	}
}

func TestLocateAndMark(t *testing.T) {
	// The extractor reads folded text: full-width digits made half width,
	// a wrapped line joined. The span is still found in the original.
	text := "一、企业上年度营业收入不低于２０００\n万元的，给予奖励。"
	spans := locate(text, []atomRef{
		{id: "b0-all-0", text: "上年度营业收入不低于2000万元"},
		{id: "b0-all-1", text: "营业收入"},
		{id: "b0-all-2", text: "不在原文中"},
	})
	if len(spans) != 2 {
		t.Fatalf("spans = %+v", spans)
	}
	rs := []rune(text)
	if got := string(rs[spans[0].start:spans[0].end]); got != "上年度营业收入不低于２０００\n万元" {
		t.Errorf("span 0 = %q", got)
	}
	html := string(markText(text, spans))
	for _, want := range []string{
		`<span class="anchor" id="s-b0-all-0"></span>`,
		`<mark data-atoms="b0-all-0 b0-all-1">营业收入</mark>`,
		`<mark data-atoms="b0-all-0">上年度</mark>`,
		`，给予奖励。`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("marked text lacks %q:\n%s", want, html)
		}
	}
	// Text is escaped.
	if got := string(markText("<b>&", nil)); got != "&lt;b&gt;&amp;" {
		t.Errorf("escaped = %q", got)
	}
}

func TestParseValue(t *testing.T) {
	regions := region.Default()
	num := func(n float64) *structpb.Value { return structpb.NewNumberValue(n) }
	str := structpb.NewStringValue
	for _, tc := range []struct {
		field, op, in string
		want          *structpb.Value
		wantErr       string
	}{
		{"revenue", "gte", "2000万", num(2e7), ""},
		{"revenue", "gte", "1.5亿元", num(1.5e8), ""},
		{"revenue", "gte", "35,000", num(35000), ""},
		{"layoff_rate", "lte", "5.5%", num(0.055), ""},
		{"age", "gte", "40周岁", num(40), ""},
		{"age", "gte", "四十", nil, "不是数字"},
		{"region", "within", "三门峡市", str("411200"), ""},
		{"region", "within", "全国", str("100000"), ""},
		{"region", "within", "朝阳", nil, "多个地区"},
		{"scale", "eq", "大型", str("large"), ""},
		{"scale", "in", "大型、中型", structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{str("large"), str("medium")}}), ""},
		{"scale", "in", " 、 ", nil, "至少一个值"},
		{"dishonest", "eq", "否", structpb.NewBoolValue(false), ""},
		{"dishonest", "eq", "也许", nil, "是"},
		{"tags", "has", "高新技术企业", str("高新技术企业"), ""},
		{"employees", "gte", "", nil, "请填写值"},
		{"nonsense", "eq", "1", nil, "请选择字段"},
	} {
		t.Run(tc.field+" "+tc.in, func(t *testing.T) {
			got, msg := parseValue(tc.field, tc.op, tc.in, regions)
			if tc.wantErr != "" {
				if !strings.Contains(msg, tc.wantErr) {
					t.Fatalf("msg = %q, want %q", msg, tc.wantErr)
				}
				return
			}
			if msg != "" {
				t.Fatal(msg)
			}
			if valueInput(tc.field, got) != valueInput(tc.field, tc.want) || got.String() != tc.want.String() {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAtomPath(t *testing.T) {
	leaf := &pb.Condition{Field: "age", Op: "gte"}
	root := &pb.Condition{All: []*pb.Condition{{Field: "x"}, {Any: []*pb.Condition{{Not: leaf}, {Field: "y"}}}}}
	for _, tc := range []struct {
		path, twirp, parent, kind string
		idx                       int
		ok                        bool
		node                      *pb.Condition
	}{
		{"all.1.any.0.not", ".all[1].any[0].not", "", "", 0, false, leaf},
		{"all.1.any.1", ".all[1].any[1]", "all.1", "any", 1, true, root.All[1].Any[1]},
		{"all.0", ".all[0]", "", "all", 0, true, root.All[0]},
		{"all.7", ".all[7]", "", "all", 7, true, nil},
		{"", "", "", "", 0, false, root},
	} {
		p := atomPath(tc.path)
		if got := p.twirp(); got != tc.twirp {
			t.Errorf("%q.twirp() = %q", tc.path, got)
		}
		if got := p.node(root); got != tc.node {
			t.Errorf("%q.node() = %v", tc.path, got)
		}
		par, kind, idx, ok := p.parent()
		if ok != tc.ok || (ok && (string(par) != tc.parent || kind != tc.kind || idx != tc.idx)) {
			t.Errorf("%q.parent() = %q %q %d %v", tc.path, par, kind, idx, ok)
		}
	}
	if canDelete(root, "all.1.any.0.not") || !canDelete(root, "all.1.any.1") || !canDelete(root, "all.0") {
		t.Error("canDelete")
	}
}

func TestSessions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newSessions(time.Hour, func() time.Time { return now })
	a := s.create("tok")
	b := s.create("tok")
	if a.id == b.id || a.csrf == b.csrf || a.id == a.csrf {
		t.Fatal("session ids or csrf tokens repeat")
	}
	now = now.Add(50 * time.Minute)
	if s.get(a.id) == nil {
		t.Fatal("session gone before its time")
	}
	// Use extended a; b expires.
	now = now.Add(50 * time.Minute)
	if s.get(a.id) == nil {
		t.Error("a used session expired")
	}
	if s.get(b.id) != nil {
		t.Error("an idle session outlived its time")
	}
	if !a.validCSRF(a.csrf) || a.validCSRF(b.csrf) || a.validCSRF("") {
		t.Error("validCSRF")
	}
	s.drop(a.id)
	if s.get(a.id) != nil {
		t.Error("dropped session still there")
	}
	// The table is bounded.
	for range maxSessions + 5 {
		s.create("tok")
	}
	if n := len(s.m); n > maxSessions {
		t.Errorf("%d sessions kept, limit %d", n, maxSessions)
	}
}

func TestSyncUnparsed(t *testing.T) {
	tree := func() *pb.Condition {
		return &pb.Condition{All: []*pb.Condition{
			{Field: "employees", Op: "gte", Text: "甲"}, // was unparsed, now rewritten
			{Field: "unparsed", Op: "eq", Text: "乙"},
			{Field: "unparsed", Op: "eq", Text: "丁"}, // carried but never listed: left as it is
		}}
	}
	for _, tc := range []struct {
		name, old   string
		wasUnparsed bool
		newText     string
		isUnparsed  bool
		want        string
	}{
		{"rewritten clause leaves", "甲", true, "甲", false, "乙,丙"},
		{"clause still carried stays", "乙", true, "乙x", false, "甲,乙,丙"},
		{"new unparsed clause joins", "", false, "戊", true, "甲,乙,丙,戊"},
		{"listed clause not repeated", "", false, "乙", true, "甲,乙,丙"},
		{"an ordinary edit changes nothing", "x", false, "y", false, "甲,乙,丙"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := &pb.PolicyDocument{Unparsed: []string{"甲", "乙", "丙"}, Benefits: []*pb.Benefit{{Conditions: tree()}}}
			syncUnparsed(doc, tc.old, tc.wasUnparsed, tc.newText, tc.isUnparsed)
			if got := strings.Join(doc.Unparsed, ","); got != tc.want {
				t.Errorf("unparsed = %s, want %s", got, tc.want)
			}
		})
	}
	doc := &pb.PolicyDocument{Unparsed: []string{"丙"}, Benefits: []*pb.Benefit{{Conditions: tree()}}}
	if got := strings.Join(unreadClauses(doc), ","); got != "丙,乙,丁" {
		t.Errorf("unread = %s", got)
	}
}

func TestDiffLines(t *testing.T) {
	a := []string{"1", "2", "3", "4", "5", "6", "7", "8"}
	b := []string{"1", "2", "3", "4", "5", "六", "7", "8"}
	d := diffLines(a, b)
	var ops []string
	for _, l := range d.Lines {
		ops = append(ops, l.Op+l.Text)
	}
	want := "…（3 行未改动）| 4| 5|-6|+六| 7| 8"
	if got := strings.Join(ops, "|"); got != want {
		t.Errorf("diff = %s\nwant   %s", got, want)
	}
	if !diffLines(a, a).Same {
		t.Error("equal lists differ")
	}
}

func TestAddAtom(t *testing.T) {
	atom := func(f string) *pb.Condition { return &pb.Condition{Field: f, Op: "eq"} }
	for _, tc := range []struct {
		name     string
		root     *pb.Condition
		path     atomPath
		wantPath atomPath
		check    func(root *pb.Condition) bool
	}{
		{"no conditions", nil, "", "all.0", func(r *pb.Condition) bool { return len(r.All) == 1 }},
		{"into all", &pb.Condition{All: []*pb.Condition{atom("a"), atom("b")}}, "", "all.2", func(r *pb.Condition) bool { return len(r.All) == 3 }},
		{"into a nested any", &pb.Condition{All: []*pb.Condition{{Any: []*pb.Condition{atom("a"), atom("b")}}}}, "all.0", "all.0.any.2",
			func(r *pb.Condition) bool { return len(r.All[0].Any) == 3 }},
		{"beside a root atom", atom("a"), "", "all.1", func(r *pb.Condition) bool { return len(r.All) == 2 && r.All[0].Field == "a" && r.Field == "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ben := &pb.Benefit{Conditions: tc.root}
			c, p := addAtom(ben, tc.path)
			c.Field = "new"
			if p != tc.wantPath || p.node(ben.Conditions) != c || !tc.check(ben.Conditions) {
				t.Errorf("path %q (want %q), tree %v", p, tc.wantPath, ben.Conditions)
			}
		})
	}
}

// TestFirstLine: the stand-in title skips the addressee line a notice opens
// with (扬州's 稳岗返还 notice has no title line, only 各县(市、区)…:).
func TestFirstLine(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"\n  广州市困难残疾人生活补贴\n正文", "广州市困难残疾人生活补贴"},
		{"各县(市、区)人力资源和社会保障局、财政局:\n为应对疫情影响,支持企业复工复产", "为应对疫情影响,支持企业复工复产"},
		{"各区人民政府，市政府各部门：\n\n关于印发某某办法的通知\n", "关于印发某某办法的通知"},
		{"各有关单位：\n", "未命名政策"},
		// 扬州's notice: the opening sentence ends in a colon too, but is no addressee.
		{"各县(市、区)人力资源和社会保障局、财政局:\n" + strings.Repeat("为应对疫情影响", 10) + "明确如下:\n一、企业裁员率计算",
			strings.Repeat("为应对疫情影响", 8) + "为应对疫…"},
		{strings.Repeat("长", 70), strings.Repeat("长", 60) + "…"},
	} {
		if got := firstLine(c.text); got != c.want {
			t.Errorf("firstLine(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
