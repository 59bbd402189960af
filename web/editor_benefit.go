package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// benefitData is the form for one benefit's name, amount and audience; B is
// -1 for a new benefit.
type benefitData struct {
	edBase
	ID        string
	B         int
	Revision  int32
	Name      string
	Amount    string
	ApplyFree bool
	Audience  string
	Deadline  string
	Errors    map[string]string
}

func (s *Server) editorBenefit(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	doc := workingDoc(resp.Policy)
	b, err := strconv.Atoi(r.URL.Query().Get("b"))
	if err != nil || doc == nil || b < -1 || b >= len(doc.Benefits) {
		s.fail(w, r, http.StatusNotFound, "没有这项权益。")
		return
	}
	d := benefitData{edBase: edBase{CSRF: x.csrf}, ID: id, B: b, Errors: map[string]string{}}
	if b >= 0 {
		ben := doc.Benefits[b]
		d.Name, d.Amount, d.ApplyFree, d.Audience, d.Deadline = ben.Name, ben.Amount, ben.ApplyFree, ben.Audience, ben.Deadline
	}
	if resp.Policy.Draft != nil {
		d.Revision = resp.Policy.Draft.Revision
	}
	s.edPage(w, r, http.StatusOK, "editor_benefit", "权益", d)
}

// editorSaveBenefit saves a benefit's own fields (its conditions are edited
// one by one on the review page) or appends a new benefit without
// conditions.
func (s *Server) editorSaveBenefit(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	doc := workingDoc(resp.Policy)
	f := r.PostFormValue
	b, err := strconv.Atoi(f("b"))
	if err != nil || doc == nil || b < -1 || b >= len(doc.Benefits) {
		s.fail(w, r, http.StatusNotFound, "没有这项权益（草稿可能已被修改）。")
		return
	}
	d := benefitData{edBase: edBase{CSRF: x.csrf}, ID: id, B: b, Revision: baseRevision(r), Name: strings.TrimSpace(f("name")),
		Amount: strings.TrimSpace(f("amount")), ApplyFree: f("apply_free") == "yes", Audience: f("audience"),
		Deadline: f("deadline"), Errors: map[string]string{}}
	again := func() { s.edPage(w, r, http.StatusUnprocessableEntity, "editor_benefit", "权益", d) }
	if d.Name == "" {
		d.Errors["name"] = "请填写权益名称。"
		again()
		return
	}
	var ben *pb.Benefit
	if b < 0 {
		ben = &pb.Benefit{Conditions: &pb.Condition{}}
		doc.Benefits = append(doc.Benefits, ben)
		b = len(doc.Benefits) - 1
	} else {
		ben = doc.Benefits[b]
	}
	ben.Name, ben.Amount, ben.ApplyFree, ben.Audience, ben.Deadline = d.Name, d.Amount, d.ApplyFree, d.Audience, d.Deadline
	if ben.Calc != nil && ben.Calc.Text != d.Amount {
		ben.Calc = nil // the computed amount was read from the old wording
	}
	_, err = s.updateDraft(r.Context(), resp.Policy, doc, d.Revision)
	if err != nil {
		var te twirp.Error
		if !errors.As(err, &te) || (te.Code() != twirp.InvalidArgument && te.Code() != twirp.Aborted) {
			s.serviceFail(w, r, err)
			return
		}
		prefix := fmt.Sprintf("document.benefits[%d].", b)
		if arg, ok := strings.CutPrefix(te.Meta("argument"), prefix); ok && te.Code() == twirp.InvalidArgument && !strings.Contains(arg, ".") {
			d.Errors[arg] = te.Msg()
		} else {
			d.Error = describe(te)
		}
		again()
		return
	}
	http.Redirect(w, r, "/editor/p/"+url.PathEscape(id)+"?msg=saved#ben-"+strconv.Itoa(b), http.StatusSeeOther)
}

// editorDeleteBenefit removes a benefit the extractor read wrongly.
func (s *Server) editorDeleteBenefit(w http.ResponseWriter, r *http.Request, x *session) {
	id, resp, ok := s.loadForEdit(w, r)
	if !ok {
		return
	}
	doc := workingDoc(resp.Policy)
	b, err := strconv.Atoi(r.PostFormValue("b"))
	if err != nil || doc == nil || b < 0 || b >= len(doc.Benefits) {
		s.fail(w, r, http.StatusNotFound, "没有这项权益（草稿可能已被修改）。")
		return
	}
	gone := unparsedTexts(doc.Benefits[b].Conditions, nil)
	doc.Benefits = append(doc.Benefits[:b], doc.Benefits[b+1:]...)
	// Clauses only the removed benefit carried leave the unread list.
	for _, t := range gone {
		syncUnparsed(doc, t, true, "", false)
	}
	if _, err := s.updateDraft(r.Context(), resp.Policy, doc, baseRevision(r)); err != nil {
		s.serviceFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/editor/p/"+url.PathEscape(id)+"?msg=benefitdeleted#benefits-h", http.StatusSeeOther)
}

// unparsedTexts lists the texts of the unparsed atoms of c.
func unparsedTexts(c *pb.Condition, out []string) []string {
	if c == nil {
		return out
	}
	if c.Field == corpus.FieldUnparsed {
		out = append(out, c.Text)
	}
	for _, s := range c.All {
		out = unparsedTexts(s, out)
	}
	for _, s := range c.Any {
		out = unparsedTexts(s, out)
	}
	return unparsedTexts(c.Not, out)
}
