package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/proto"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// listData is the policy list page.
type listData struct {
	edBase
	Status   string
	Statuses []string
	Rows     []listRow
	Next     string
}

type listRow struct {
	ID, Title, Status, Region, Updated string
	Version                            int32
	Draft                              bool
	Revision                           int32
}

func (s *Server) editorList(w http.ResponseWriter, r *http.Request, x *session) {
	q := r.URL.Query()
	status := q.Get("status")
	resp, err := s.cfg.Library.ListPolicies(r.Context(), &pb.ListPoliciesRequest{Status: status, PageSize: 50, PageToken: q.Get("page")})
	if err != nil {
		s.serviceFail(w, r, err)
		return
	}
	d := listData{edBase: edBase{CSRF: x.csrf, Notice: editorNotices[q.Get("msg")]}, Status: status,
		Statuses: []string{"draft", "published", "retracted", "expired"}}
	for _, p := range resp.Policies {
		doc := workingDoc(p)
		row := listRow{ID: p.Id, Status: p.Status, Version: p.LatestVersion, Updated: shortTime(p.UpdatedAt)}
		if doc != nil {
			row.Title, row.Region = doc.Title, s.regionName(doc.Region)
			if doc.Region == "" {
				row.Region = "未填"
			}
		}
		if p.Draft != nil {
			row.Draft, row.Revision = true, p.Draft.Revision
		}
		d.Rows = append(d.Rows, row)
	}
	if resp.NextPageToken != "" {
		d.Next = "/editor/policies?" + url.Values{"status": {status}, "page": {resp.NextPageToken}}.Encode()
	}
	s.edPage(w, r, http.StatusOK, "editor_list", "政策列表", d)
}

// shortTime shows an RFC 3339 time as YYYY-MM-DD HH:MM (UTC).
func shortTime(t string) string {
	if len(t) >= 16 {
		return strings.Replace(t[:16], "T", " ", 1)
	}
	return t
}

// workingDoc is the document an editor works on: the pending draft, or the
// live version when there is none.
func workingDoc(p *pb.Policy) *pb.PolicyDocument {
	if p.Draft != nil {
		return p.Draft.Document
	}
	if p.Live != nil {
		return p.Live.Document
	}
	return nil
}

// newData is the new-policy form.
type newData struct {
	edBase
	Title, Region, Category, Text string
	Categories                    []corpus.Category
	Errors                        map[string]string
}

func (s *Server) editorNew(w http.ResponseWriter, r *http.Request, x *session) {
	s.edPage(w, r, http.StatusOK, "editor_new", "新建政策", newData{edBase: edBase{CSRF: x.csrf}, Categories: corpus.DefaultCategories()})
}

// editorCreate reads the pasted text or uploaded file, runs the extractor
// and stores the result as a new draft.
func (s *Server) editorCreate(w http.ResponseWriter, r *http.Request, x *session) {
	d := newData{edBase: edBase{CSRF: x.csrf}, Categories: corpus.DefaultCategories(), Errors: map[string]string{},
		Title: strings.TrimSpace(r.PostFormValue("title")), Region: strings.TrimSpace(r.PostFormValue("region")),
		Category: r.PostFormValue("category"), Text: r.PostFormValue("text")}
	again := func(status int) { s.edPage(w, r, status, "editor_new", "新建政策", d) }
	text := d.Text
	var fileTitle string
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, MaxUpload+1))
		switch {
		case err != nil:
			d.Errors["file"] = "无法读取上传的文件。"
		case len(data) > MaxUpload:
			d.Errors["file"] = fmt.Sprintf("文件超过 %d MB 上限。", MaxUpload>>20)
		case len(data) > 0:
			up, err := readUpload(hdr.Filename, data)
			if err != nil {
				d.Errors["file"] = err.Error()
			} else if strings.TrimSpace(text) != "" {
				d.Errors["file"] = "请只用一种方式提供正文：粘贴文本或上传文件。"
			} else {
				text, fileTitle = up.text, up.title
			}
		}
	}
	if len(d.Errors) > 0 {
		again(http.StatusUnprocessableEntity)
		return
	}
	if strings.TrimSpace(text) == "" {
		d.Errors["text"] = "请粘贴政策正文，或上传 .txt / .docx / .html 文件。"
		again(http.StatusUnprocessableEntity)
		return
	}
	code := ""
	if d.Region != "" {
		c, msg := s.resolveRegion(d.Region)
		if msg != "" {
			d.Errors["region"] = msg
			again(http.StatusUnprocessableEntity)
			return
		}
		code = c
	}
	res, err := s.cfg.Extract(text, extract.Options{Region: code})
	if err != nil {
		d.Errors["text"] = "无法识别正文：" + err.Error()
		again(http.StatusUnprocessableEntity)
		return
	}
	doc := rpc.DocumentToPB(res.Document())
	doc.Text = text
	doc.Category = d.Category
	switch {
	case d.Title != "":
		doc.Title = d.Title
	case doc.Title == "" && fileTitle != "":
		doc.Title = fileTitle
	case doc.Title == "":
		doc.Title = firstLine(text)
	}
	p, err := s.cfg.Library.CreateDraft(r.Context(), &pb.CreateDraftRequest{Document: doc})
	if err != nil {
		var te twirp.Error
		if errors.As(err, &te) && te.Code() == twirp.InvalidArgument {
			d.Errors["form"] = describe(te)
			again(http.StatusUnprocessableEntity)
			return
		}
		s.serviceFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/editor/p/"+url.PathEscape(p.Id)+"?msg=created", http.StatusSeeOther)
}

// firstLine is a stand-in title: the text's first non-empty line, cut short.
// A short line ending in a colon is the notice's addressee (主送机关,
// 各县(市、区)…：), never its title, so it is passed over; a long one is the
// opening sentence (…明确如下：), the best stand-in left.
func firstLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		addressee := (strings.HasSuffix(l, "：") || strings.HasSuffix(l, ":")) && utf8.RuneCountInString(l) <= 60
		if l != "" && !addressee {
			rs := []rune(l)
			if len(rs) > 60 {
				return string(rs[:60]) + "…"
			}
			return l
		}
	}
	return "未命名政策"
}

// resolveRegion reads a region an editor typed: a 6-digit code, 全国, or a
// name that names one region.
func (s *Server) resolveRegion(in string) (string, string) {
	in = strings.TrimSpace(in)
	if in == "全国" {
		return region.National, ""
	}
	if s.cfg.Regions.Valid(in) {
		return in, ""
	}
	codes := s.cfg.Regions.ByName(in)
	switch len(codes) {
	case 0:
		return "", fmt.Sprintf("“%s”不是已知的6位行政区划代码或地名。", in)
	case 1:
		return codes[0], ""
	}
	var names []string
	for _, c := range codes {
		names = append(names, c+" "+s.regionName(c))
	}
	return "", fmt.Sprintf("“%s”对应多个地区（%s），请填写6位代码。", in, strings.Join(names, "；"))
}

// reviewData is the review page: the document beside its benefits.
type reviewData struct {
	edBase
	ID, Status     string
	IsDraft        bool
	Revision       int32
	LatestVersion  int32
	Doc            *pb.PolicyDocument
	Benefits       []editorBenefitView
	Text           template.HTML
	Unparsed       []string
	Atoms, Located int
	Meta           metaForm
}

type editorBenefitView struct {
	// AddRoot adds a condition beside a root that is a single atom.
	AddRoot                string
	Index                  int
	Key, Name, Amount, Aud string
	ApplyFree              bool
	Cond                   editorCondView
}

// metaForm is the basic-information form with its errors by field.
type metaForm struct {
	Title, DocNumber, Issuer, Region, RegionName, Category, Audience string
	PublishDate, EffectiveFrom, EffectiveTo, SourceURL               string
	Categories                                                       []corpus.Category
	Errors                                                           map[string]string
}

func (s *Server) loadPolicy(ctx context.Context, id string, version int32) (*pb.GetPolicyResponse, error) {
	return s.cfg.Library.GetPolicy(ctx, &pb.GetPolicyRequest{Id: id, Version: version})
}

// loadForEdit loads the request's policy {id} (its draft and live version).
// On a service error it has answered the request and ok is false.
func (s *Server) loadForEdit(w http.ResponseWriter, r *http.Request) (id string, resp *pb.GetPolicyResponse, ok bool) {
	id = r.PathValue("id")
	resp, err := s.loadPolicy(r.Context(), id, 0)
	if err != nil {
		s.serviceFail(w, r, err)
		return id, nil, false
	}
	return id, resp, true
}

func (s *Server) editorReview(w http.ResponseWriter, r *http.Request, x *session) {
	resp, err := s.loadPolicy(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		s.serviceFail(w, r, err)
		return
	}
	d := s.review(resp.Policy, x)
	d.Notice = editorNotices[r.URL.Query().Get("msg")]
	s.edPage(w, r, http.StatusOK, "editor_review", "核对："+d.Doc.Title, d)
}

// review builds the review page of p's working document.
func (s *Server) review(p *pb.Policy, x *session) reviewData {
	doc := workingDoc(p)
	if doc == nil {
		doc = &pb.PolicyDocument{}
	}
	d := reviewData{edBase: edBase{CSRF: x.csrf}, ID: p.Id, Status: p.Status, IsDraft: p.Draft != nil,
		LatestVersion: p.LatestVersion, Doc: doc, Unparsed: unreadClauses(doc), Meta: s.metaOf(doc)}
	if p.Draft != nil {
		d.Revision = p.Draft.Revision
	}
	var atoms []atomRef
	for i, b := range doc.Benefits {
		atoms = collectAtoms(b.Conditions, i, "", atoms)
	}
	spans := locate(doc.Text, atoms)
	located := map[string]bool{}
	for _, sp := range spans {
		located[sp.id] = true
	}
	d.Atoms, d.Located = len(atoms), len(located)
	d.Text = markText(doc.Text, spans)
	for i, b := range doc.Benefits {
		aud := b.Audience
		if aud == "" {
			aud = doc.Audience
		}
		d.Benefits = append(d.Benefits, editorBenefitView{Index: i, Key: b.Key, Name: b.Name, Amount: b.Amount, Aud: aud,
			ApplyFree: b.ApplyFree, Cond: buildView(b.Conditions, i, "", s.cfg.Regions, located)})
		setEdit(&d.Benefits[i].Cond, p.Id)
		if d.Benefits[i].Cond.ID != "" {
			d.Benefits[i].AddRoot = "/editor/p/" + url.PathEscape(p.Id) + "/atom?" + url.Values{"b": {strconv.Itoa(i)}, "path": {""}, "add": {"1"}}.Encode()
		}
	}
	return d
}

func (s *Server) metaOf(doc *pb.PolicyDocument) metaForm {
	m := metaForm{Title: doc.Title, DocNumber: doc.DocNumber, Issuer: doc.Issuer, Region: doc.Region,
		Category: doc.Category, Audience: doc.Audience, PublishDate: doc.PublishDate, EffectiveFrom: doc.EffectiveFrom,
		EffectiveTo: doc.EffectiveTo, SourceURL: doc.SourceUrl, Categories: corpus.DefaultCategories(), Errors: map[string]string{}}
	if doc.Region != "" {
		m.RegionName = s.regionName(doc.Region)
	}
	return m
}

// updateDraft saves doc as p's draft, guarded by the revision the form was
// opened at. The service checks a revision > 0; a form opened when there
// was no draft (base 0) is checked here against p as just loaded, so a
// draft another editor opened meanwhile is not overwritten unseen.
func (s *Server) updateDraft(ctx context.Context, p *pb.Policy, doc *pb.PolicyDocument, base int32) (*pb.Policy, error) {
	if base == 0 && p.Draft != nil {
		return nil, twirp.NewError(twirp.Aborted, fmt.Sprintf("a draft (revision %d) was opened after this form was loaded", p.Draft.Revision))
	}
	return s.cfg.Library.UpdateDraft(ctx, &pb.UpdateDraftRequest{Id: p.Id, Document: doc, BaseRevision: base})
}

// baseRevision reads the form's base_revision (0 when absent).
func baseRevision(r *http.Request) int32 {
	n, _ := strconv.Atoi(r.PostFormValue("base_revision"))
	return int32(n)
}

// editorSaveMeta saves the basic information (title, 文号, region …) into
// the draft; errors are shown beside their fields.
func (s *Server) editorSaveMeta(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	doc := workingDoc(resp.Policy)
	if doc == nil {
		s.fail(w, r, http.StatusNotFound, "这项政策没有可编辑的内容。")
		return
	}
	f := r.PostFormValue
	doc.Title, doc.DocNumber, doc.Issuer = strings.TrimSpace(f("title")), strings.TrimSpace(f("doc_number")), strings.TrimSpace(f("issuer"))
	doc.Category, doc.Audience = f("category"), f("audience")
	doc.PublishDate, doc.EffectiveFrom, doc.EffectiveTo = f("publish_date"), f("effective_from"), f("effective_to")
	doc.SourceUrl = strings.TrimSpace(f("source_url"))
	errs := map[string]string{}
	if reg := strings.TrimSpace(f("region")); reg == "" {
		doc.Region = ""
	} else if code, msg := s.resolveRegion(reg); msg != "" {
		errs["region"] = msg
	} else {
		doc.Region, doc.Level = code, ""
	}
	if len(errs) == 0 {
		_, err := s.updateDraft(r.Context(), resp.Policy, doc, baseRevision(r))
		if err == nil {
			http.Redirect(w, r, "/editor/p/"+url.PathEscape(id)+"?msg=meta#meta", http.StatusSeeOther)
			return
		}
		var te twirp.Error
		if !errors.As(err, &te) || (te.Code() != twirp.InvalidArgument && te.Code() != twirp.Aborted) {
			s.serviceFail(w, r, err)
			return
		}
		if arg := strings.TrimPrefix(te.Meta("argument"), "document."); te.Code() == twirp.InvalidArgument && !strings.Contains(arg, ".") && arg != "" {
			errs[arg] = te.Msg()
		} else {
			errs["form"] = describe(te)
		}
	}
	d := s.review(resp.Policy, x)
	d.Meta = s.metaOf(doc)
	d.Meta.Region = f("region")
	d.Meta.Errors = errs
	d.Error = "基本信息未保存，请按提示修改。"
	s.edPage(w, r, http.StatusUnprocessableEntity, "editor_review", "核对："+doc.Title, d)
}

// atomData is the edit form of one condition.
type atomData struct {
	edBase
	ID, Path, Benefit string
	B                 int
	Revision          int32
	Text              string
	Field, Op, Value  string
	Year              string
	Fields            []corpus.Field
	Ops               []struct{ op, label string }
	Errors            map[string]string
	Anchor            string
	// Options suggest values for the field (enum names, tags).
	Options []string
	// Add is true when the form adds a new condition to the group at Path.
	Add bool
	Aud corpus.Audience
	// Deletable is false for the last alternative of an 任一 group, whose
	// removal would change the group's meaning rather than drop a condition.
	Deletable bool
}

// fieldOps are the operators each field type takes (the service's rule,
// repeated so the form can offer only these; the service still decides).
var fieldOps = map[corpus.FieldType]string{
	corpus.TypeNumber: "eq ne gt gte lt lte in not_in", corpus.TypeDate: "eq ne gt gte lt lte",
	corpus.TypeBool: "eq ne", corpus.TypeUnparsed: "eq", corpus.TypeString: "eq ne in not_in",
	corpus.TypeRegion: "eq ne in not_in within", corpus.TypeIndustry: "eq ne in not_in within", corpus.TypeTags: "has",
}

// fieldChoice is one option of the field select.
type fieldChoice struct {
	Name, Label, Ops string
	// List names the datalist of suggested values ("" for none).
	List   string
	Values []string
}

// FieldChoices are the fields the form offers, each with its operators
// and suggested values, so the page can follow a change of field.
func (d atomData) FieldChoices() []fieldChoice {
	var out []fieldChoice
	for _, f := range d.Fields {
		c := fieldChoice{Name: f.Name, Label: f.Label, Ops: fieldOps[f.Type], Values: valueOptions(f.Name, d.Aud)}
		if len(c.Values) > 0 {
			c.List = "opts-" + f.Name
		}
		out = append(out, c)
	}
	return out
}

// OpOptions are the operators for the form's select.
func (d atomData) OpOptions() [][2]string {
	out := make([][2]string, 0, len(opLabels))
	for _, o := range opLabels {
		out = append(out, [2]string{o.op, o.label})
	}
	return out
}

// findAtom returns benefit b's node at path in doc, or an error message.
func findAtom(doc *pb.PolicyDocument, b int, path string) (*pb.Condition, string) {
	if doc == nil || b < 0 || b >= len(doc.Benefits) {
		return nil, "没有这项权益。"
	}
	c := atomPath(path).node(doc.Benefits[b].Conditions)
	if c == nil || c.Field == "" || len(c.All) > 0 || len(c.Any) > 0 || c.Not != nil {
		return nil, "没有这个条件（草稿可能已被修改，请回到核对页面重新选择）。"
	}
	return c, ""
}

func (s *Server) editorAtom(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	b, _ := strconv.Atoi(q.Get("b"))
	path := q.Get("path")
	add := q.Get("add") == "1"
	doc := workingDoc(resp.Policy)
	c, msg := &pb.Condition{Field: "tags", Op: "has"}, ""
	if add {
		msg = checkGroup(doc, b, path)
	} else {
		c, msg = findAtom(doc, b, path)
	}
	if msg != "" {
		s.fail(w, r, http.StatusNotFound, msg)
		return
	}
	d := atomData{edBase: edBase{CSRF: x.csrf}, ID: id, Path: path, B: b, Add: add, Benefit: doc.Benefits[b].Name, Text: c.Text,
		Field: c.Field, Op: c.Op, Value: valueInput(c.Field, c.Value), Fields: corpus.AllFields(), Errors: map[string]string{},
		Anchor: anchorID(b, atomPath(path)), Options: valueOptions(c.Field, benefitAudience(doc, b)),
		Deletable: !add && canDelete(doc.Benefits[b].Conditions, atomPath(path)), Aud: benefitAudience(doc, b)}
	if c.Year != nil {
		d.Year = strconv.Itoa(int(*c.Year))
	}
	if resp.Policy.Draft != nil {
		d.Revision = resp.Policy.Draft.Revision
	}
	s.edPage(w, r, http.StatusOK, "editor_atom", d.title(), d)
}

func (d atomData) title() string {
	if d.Add {
		return "添加条件"
	}
	return "修改条件"
}

// checkGroup says what is wrong with adding a condition at benefit b's
// node path ("" when the node exists).
func checkGroup(doc *pb.PolicyDocument, b int, path string) string {
	if doc == nil || b < 0 || b >= len(doc.Benefits) {
		return "没有这项权益。"
	}
	if path != "" && atomPath(path).node(doc.Benefits[b].Conditions) == nil {
		return "没有这个条件组（草稿可能已被修改，请回到核对页面重新选择）。"
	}
	return ""
}

// addAtom puts a new atom into benefit b at the node at path: appended to
// an 全部/任一 group, or, for an atom or 不属于 node, the node becomes
// 全部 of itself and the new atom. It returns the new atom and its path.
func addAtom(ben *pb.Benefit, path atomPath) (*pb.Condition, atomPath) {
	c := &pb.Condition{}
	join := func(kind string, i int) atomPath {
		s := fmt.Sprintf("%s.%d", kind, i)
		if path != "" {
			s = string(path) + "." + s
		}
		return atomPath(s)
	}
	if ben.Conditions == nil {
		ben.Conditions = &pb.Condition{}
	}
	n := path.node(ben.Conditions)
	switch {
	case len(n.All) > 0:
		n.All = append(n.All, c)
		return c, join("all", len(n.All)-1)
	case len(n.Any) > 0:
		n.Any = append(n.Any, c)
		return c, join("any", len(n.Any)-1)
	case n.Field == "" && n.Not == nil:
		n.All = []*pb.Condition{c}
		return c, join("all", 0)
	}
	old := proto.Clone(n).(*pb.Condition)
	proto.Reset(n)
	n.All = []*pb.Condition{old, c}
	return c, join("all", 1)
}

// editorSaveAtom writes one corrected (or added) condition into the draft,
// guarded by the revision the form was opened at.
func (s *Server) editorSaveAtom(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	f := r.PostFormValue
	b, _ := strconv.Atoi(f("b"))
	path := f("path")
	add := f("add") == "1"
	doc := workingDoc(resp.Policy)
	var (
		c   *pb.Condition
		msg string
	)
	if add {
		msg = checkGroup(doc, b, path)
	} else {
		c, msg = findAtom(doc, b, path)
	}
	if msg != "" {
		s.fail(w, r, http.StatusNotFound, msg)
		return
	}
	d := atomData{edBase: edBase{CSRF: x.csrf}, ID: id, Path: path, B: b, Add: add, Benefit: doc.Benefits[b].Name,
		Text: strings.TrimSpace(f("text")), Field: f("field"), Op: f("op"), Value: f("value"), Year: f("year"), Fields: corpus.AllFields(),
		Errors: map[string]string{}, Revision: baseRevision(r), Anchor: anchorID(b, atomPath(path)),
		Options: valueOptions(f("field"), benefitAudience(doc, b)), Aud: benefitAudience(doc, b),
		Deletable: !add && canDelete(doc.Benefits[b].Conditions, atomPath(path))}
	again := func() { s.edPage(w, r, http.StatusUnprocessableEntity, "editor_atom", d.title(), d) }
	fd, ok := corpus.LookupField(d.Field)
	if !ok {
		d.Errors["field"] = "请从列表中选择字段。"
		again()
		return
	}
	v, msg := parseValue(d.Field, d.Op, d.Value, s.cfg.Regions)
	if msg != "" {
		d.Errors["value"] = msg
		again()
		return
	}
	if _, sent := r.PostForm["text"]; !sent && !add {
		d.Text = c.Text
	}
	if fd.Type == corpus.TypeUnparsed && d.Text == "" {
		d.Errors["text"] = "需人工核实的条件必须写明原文条款。"
		again()
		return
	}
	var year *int32
	if fd.PerYear {
		y := int32(-1) // CONTRACT: an annual amount with no year stated is 上年度
		if d.Year != "" {
			n, err := strconv.Atoi(d.Year)
			if err != nil {
				d.Errors["year"] = "请选择年度。"
				again()
				return
			}
			y = int32(n)
		}
		year = &y
	}
	atPath := atomPath(path)
	var oldText string
	var wasUnparsed bool
	if add {
		c, atPath = addAtom(doc.Benefits[b], atPath)
	} else {
		oldText, wasUnparsed = c.Text, c.Field == corpus.FieldUnparsed
	}
	c.Field, c.Op, c.Value, c.Year, c.Text = d.Field, d.Op, v, year, d.Text
	syncUnparsed(doc, oldText, wasUnparsed, c.Text, c.Field == corpus.FieldUnparsed)
	_, err := s.updateDraft(r.Context(), resp.Policy, doc, d.Revision)
	if err != nil {
		var te twirp.Error
		if !errors.As(err, &te) || (te.Code() != twirp.InvalidArgument && te.Code() != twirp.Aborted) {
			s.serviceFail(w, r, err)
			return
		}
		prefix := fmt.Sprintf("document.benefits[%d].conditions%s", b, atPath.twirp())
		arg := te.Meta("argument")
		switch {
		case te.Code() == twirp.Aborted:
			d.Error = describe(te)
		case arg == prefix+".field" || arg == prefix+".op" || arg == prefix+".value" || arg == prefix+".year" || arg == prefix+".text":
			d.Errors[arg[len(prefix)+1:]] = te.Msg()
		default:
			d.Error = describe(te)
		}
		again()
		return
	}
	http.Redirect(w, r, "/editor/p/"+url.PathEscape(id)+"?msg=saved#a-"+anchorID(b, atPath), http.StatusSeeOther)
}

// benefitAudience is benefit b's audience, inherited from the policy.
func benefitAudience(doc *pb.PolicyDocument, b int) corpus.Audience {
	if a := doc.Benefits[b].Audience; a != "" {
		return corpus.Audience(a)
	}
	return corpus.Audience(doc.Audience)
}

// canDelete reports whether the atom at p may be removed: it sits in an
// 全部 group, or in an 任一 group that keeps another alternative.
func canDelete(root *pb.Condition, p atomPath) bool {
	parent, kind, _, ok := p.parent()
	if !ok {
		return false
	}
	n := parent.node(root)
	if n == nil {
		return false
	}
	return kind == "all" || len(n.Any) > 1
}

// editorDeleteAtom removes one condition from the draft (an extraction that
// read a condition the text does not set).
func (s *Server) editorDeleteAtom(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	b, _ := strconv.Atoi(r.PostFormValue("b"))
	path := atomPath(r.PostFormValue("path"))
	doc := workingDoc(resp.Policy)
	c, msg := findAtom(doc, b, string(path))
	if msg != "" {
		s.fail(w, r, http.StatusNotFound, msg)
		return
	}
	root := doc.Benefits[b].Conditions
	if !canDelete(root, path) {
		s.fail(w, r, http.StatusUnprocessableEntity, "这是“任一”组中唯一的条件，不能单独删除；请改为修改它。")
		return
	}
	parentPath, kind, i, _ := path.parent()
	parent := parentPath.node(root)
	if kind == "all" {
		parent.All = append(parent.All[:i], parent.All[i+1:]...)
	} else {
		parent.Any = append(parent.Any[:i], parent.Any[i+1:]...)
	}
	syncUnparsed(doc, c.Text, c.Field == corpus.FieldUnparsed, "", false)
	if _, err := s.updateDraft(r.Context(), resp.Policy, doc, baseRevision(r)); err != nil {
		s.serviceFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/editor/p/"+url.PathEscape(id)+"?msg=deleted#ben-"+strconv.Itoa(b), http.StatusSeeOther)
}

// impactData is the impact preview with the publish form.
type impactData struct {
	edBase
	ID, Title, Status string
	IsDraft           bool
	Revision          int32
	Counts            *pb.WhoQualifiesResponse
	Regions           []regionRow
	PublishErrors     []string
}

type regionRow struct {
	Code, Name                    string
	Eligible, Unknown, Ineligible int64
	Outside                       int64 // outside the issuing region, reached only by benefits naming no place
}

func (s *Server) impact(ctx context.Context, p *pb.Policy, x *session) (impactData, error) {
	d := impactData{edBase: edBase{CSRF: x.csrf}, ID: p.Id, Status: p.Status, IsDraft: p.Draft != nil}
	if doc := workingDoc(p); doc != nil {
		d.Title = doc.Title
	}
	if p.Draft != nil {
		d.Revision = p.Draft.Revision
	}
	// A draft is evaluated over every profile; a live version is read from
	// its stored sweep, which is cheap but keeps no per-region ineligible
	// counts.
	counts, err := s.cfg.Matcher.WhoQualifies(ctx, &pb.WhoQualifiesRequest{PolicyId: p.Id, Draft: p.Draft != nil})
	if err != nil {
		return d, err
	}
	d.Counts = counts
	for _, rc := range counts.Regions {
		name := "（未填地区）"
		if rc.Region != "" {
			name = s.regionName(rc.Region)
		}
		d.Regions = append(d.Regions, regionRow{Code: rc.Region, Name: name, Eligible: rc.Eligible, Unknown: rc.Unknown, Ineligible: rc.Ineligible, Outside: rc.Outside})
	}
	return d, nil
}

func (s *Server) editorImpact(w http.ResponseWriter, r *http.Request, x *session) {
	resp, err := s.loadPolicy(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		s.serviceFail(w, r, err)
		return
	}
	d, err := s.impact(r.Context(), resp.Policy, x)
	if err != nil {
		s.serviceFail(w, r, err)
		return
	}
	s.edPage(w, r, http.StatusOK, "editor_impact", "影响预览："+d.Title, d)
}

// editorPublish publishes the draft the editor previewed; a draft changed
// since (another revision) is not published unseen.
func (s *Server) editorPublish(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	show := func(msgs ...string) {
		d, err := s.impact(r.Context(), resp.Policy, x)
		if err != nil {
			s.serviceFail(w, r, err)
			return
		}
		d.PublishErrors = msgs
		s.edPage(w, r, http.StatusUnprocessableEntity, "editor_impact", "影响预览："+d.Title, d)
	}
	if resp.Policy.Draft == nil {
		show("没有待发布的草稿。")
		return
	}
	if resp.Policy.Draft.Revision != baseRevision(r) {
		show(fmt.Sprintf("草稿在你预览后已被修改（第 %d 次保存，你预览的是第 %d 次）。请核对下方最新的影响后再发布。", resp.Policy.Draft.Revision, baseRevision(r)))
		return
	}
	v, err := s.cfg.Library.Publish(r.Context(), &pb.PublishRequest{Id: id})
	if err != nil {
		var te twirp.Error
		if errors.As(err, &te) && (te.Code() == twirp.InvalidArgument || te.Code() == twirp.FailedPrecondition) {
			msgs := strings.Split(te.Meta("errors"), "; ")
			if te.Meta("errors") == "" {
				msgs = []string{strings.TrimPrefix(te.Meta("argument")+"：", "：") + te.Msg()}
			}
			for i, m := range msgs {
				msgs[i] = publishHint(m)
			}
			show(msgs...)
			return
		}
		s.serviceFail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/editor/p/%s/history?msg=published&v=%d", url.PathEscape(id), v.Version), http.StatusSeeOther)
}

// publishHint says in Chinese which basic field publishing still needs.
func publishHint(m string) string {
	for _, h := range []struct{ field, label string }{
		{"draft.region", "发文地区"}, {"draft.audience", "适用对象"}, {"draft.category", "政策类别"},
	} {
		if strings.HasPrefix(m, h.field) && strings.Contains(m, "required") {
			return "发布前须填写“" + h.label + "”（在核对页面的基本信息中）。"
		}
	}
	return m
}

// retractData is the retract confirmation.
type retractData struct {
	edBase
	ID, Title, Status string
	Version           int32
	Reason            string
}

func (s *Server) editorRetractForm(w http.ResponseWriter, r *http.Request, x *session) {
	resp, err := s.loadPolicy(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		s.serviceFail(w, r, err)
		return
	}
	d := retractData{edBase: edBase{CSRF: x.csrf}, ID: resp.Policy.Id, Status: resp.Policy.Status, Version: resp.Policy.LatestVersion}
	if doc := workingDoc(resp.Policy); doc != nil {
		d.Title = doc.Title
	}
	s.edPage(w, r, http.StatusOK, "editor_retract", "撤回政策", d)
}

func (s *Server) editorRetract(w http.ResponseWriter, r *http.Request, x *session) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") != "yes" {
		resp, err := s.loadPolicy(r.Context(), id, 0)
		if err != nil {
			s.serviceFail(w, r, err)
			return
		}
		d := retractData{edBase: edBase{CSRF: x.csrf, Error: "请勾选确认后再撤回。"}, ID: id, Status: resp.Policy.Status,
			Version: resp.Policy.LatestVersion, Reason: r.PostFormValue("reason")}
		if doc := workingDoc(resp.Policy); doc != nil {
			d.Title = doc.Title
		}
		s.edPage(w, r, http.StatusUnprocessableEntity, "editor_retract", "撤回政策", d)
		return
	}
	if _, err := s.cfg.Library.Retract(r.Context(), &pb.RetractRequest{Id: id, Reason: r.PostFormValue("reason")}); err != nil {
		s.serviceFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/editor/p/"+url.PathEscape(id)+"/history?msg=retracted", http.StatusSeeOther)
}
