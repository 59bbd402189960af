package rpc

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// The conversions between the wire messages and the corpus model. Inbound
// conversions name the field that is wrong, with paths that match the
// request's JSON ("document.benefits[0].conditions.all[1].value").

func documentFromPB(d *pb.PolicyDocument, path string) (corpus.Document, error) {
	if d == nil {
		return corpus.Document{}, &corpus.FieldError{Field: path, Msg: "is required"}
	}
	doc := corpus.Document{
		Title:     d.Title,
		DocNumber: d.DocNumber,
		Issuer:    d.Issuer,
		Region:    d.Region,
		Level:     corpus.Level(d.Level),
		Category:  corpus.Category(d.Category),
		Audience:  corpus.Audience(d.Audience),
		SourceURL: d.SourceUrl,
		Text:      d.Text,
		Unparsed:  d.Unparsed,
	}
	var err error
	for _, f := range []struct {
		name string
		in   string
		out  *corpus.Date
	}{
		{"publish_date", d.PublishDate, &doc.PublishDate},
		{"effective_from", d.EffectiveFrom, &doc.EffectiveFrom},
		{"effective_to", d.EffectiveTo, &doc.EffectiveTo},
	} {
		if *f.out, err = dateFromPB(f.in, path+"."+f.name); err != nil {
			return corpus.Document{}, err
		}
	}
	for i, b := range d.Benefits {
		bp := fmt.Sprintf("%s.benefits[%d]", path, i)
		ben := corpus.Benefit{
			Key:       b.Key,
			Name:      b.Name,
			Amount:    b.Amount,
			ApplyFree: b.ApplyFree,
			Audience:  corpus.Audience(b.Audience),
		}
		if ben.Deadline, err = dateFromPB(b.Deadline, bp+".deadline"); err != nil {
			return corpus.Document{}, err
		}
		if c := b.Calc; c != nil {
			ben.Calc = &corpus.Amount{Kind: corpus.AmountKind(c.Kind), Value: c.Value, Cap: c.Cap, Basis: c.Basis, Text: c.Text}
		}
		if b.Conditions != nil {
			c, err := condFromPB(b.Conditions, bp+".conditions", 0)
			if err != nil {
				return corpus.Document{}, err
			}
			ben.Conditions = &c
		}
		doc.Benefits = append(doc.Benefits, ben)
	}
	return doc, nil
}

func dateFromPB(s, path string) (corpus.Date, error) {
	if s == "" {
		return corpus.Date{}, nil
	}
	d, err := corpus.ParseDate(s)
	if err != nil {
		return corpus.Date{}, &corpus.FieldError{Field: path, Msg: err.Error()}
	}
	return d, nil
}

func condFromPB(c *pb.Condition, path string, depth int) (corpus.Cond, error) {
	if depth > corpus.MaxCondDepth {
		return corpus.Cond{}, &corpus.FieldError{Field: path, Msg: fmt.Sprintf("the tree is nested deeper than %d", corpus.MaxCondDepth)}
	}
	out := corpus.Cond{Field: c.Field, Op: corpus.Op(c.Op), Text: c.Text}
	if c.Year != nil {
		y := int(*c.Year)
		out.Year = &y
	}
	if c.Value != nil {
		v, err := valueFromPB(c.Value, false)
		if err != nil {
			return corpus.Cond{}, &corpus.FieldError{Field: path + ".value", Msg: err.Error()}
		}
		out.Value = v
	}
	for i, sub := range c.All {
		s, err := condFromPB(sub, fmt.Sprintf("%s.all[%d]", path, i), depth+1)
		if err != nil {
			return corpus.Cond{}, err
		}
		out.All = append(out.All, s)
	}
	for i, sub := range c.Any {
		s, err := condFromPB(sub, fmt.Sprintf("%s.any[%d]", path, i), depth+1)
		if err != nil {
			return corpus.Cond{}, err
		}
		out.Any = append(out.Any, s)
	}
	if c.Not != nil {
		s, err := condFromPB(c.Not, path+".not", depth+1)
		if err != nil {
			return corpus.Cond{}, err
		}
		out.Not = &s
	}
	// An empty message is the empty conjunction (always true).
	if out.Kind() == corpus.NodeInvalid && c.Field == "" && c.Not == nil && len(c.All) == 0 && len(c.Any) == 0 {
		out.All = []corpus.Cond{}
	}
	return out, nil
}

func valueFromPB(v *structpb.Value, inList bool) (corpus.Value, error) {
	switch k := v.Kind.(type) {
	case *structpb.Value_NumberValue:
		return corpus.Number(k.NumberValue), nil
	case *structpb.Value_StringValue:
		return corpus.String(k.StringValue), nil
	case *structpb.Value_BoolValue:
		return corpus.Bool(k.BoolValue), nil
	case *structpb.Value_NullValue, nil:
		return corpus.Value{}, nil
	case *structpb.Value_ListValue:
		if inList {
			return corpus.Value{}, fmt.Errorf("nested lists are not allowed")
		}
		items := make([]corpus.Value, 0, len(k.ListValue.GetValues()))
		for _, e := range k.ListValue.GetValues() {
			ev, err := valueFromPB(e, true)
			if err != nil {
				return corpus.Value{}, err
			}
			items = append(items, ev)
		}
		return corpus.List(items...), nil
	}
	return corpus.Value{}, fmt.Errorf("want a number, string, bool or list, not an object")
}

func valueToPB(v corpus.Value) *structpb.Value {
	switch v.Kind() {
	case corpus.KindNumber:
		n, _ := v.Num()
		return structpb.NewNumberValue(n)
	case corpus.KindString:
		s, _ := v.Str()
		return structpb.NewStringValue(s)
	case corpus.KindBool:
		b, _ := v.Boolean()
		return structpb.NewBoolValue(b)
	case corpus.KindList:
		vs := make([]*structpb.Value, len(v.Items()))
		for i, e := range v.Items() {
			vs[i] = valueToPB(e)
		}
		return structpb.NewListValue(&structpb.ListValue{Values: vs})
	}
	return nil
}

func condToPB(c corpus.Cond) *pb.Condition {
	out := &pb.Condition{Field: c.Field, Op: string(c.Op), Text: c.Text}
	if c.Kind() == corpus.NodeAtom {
		out.Value = valueToPB(c.Value)
	}
	if c.Year != nil {
		y := int32(*c.Year)
		out.Year = &y
	}
	for _, s := range c.All {
		out.All = append(out.All, condToPB(s))
	}
	for _, s := range c.Any {
		out.Any = append(out.Any, condToPB(s))
	}
	if c.Not != nil {
		out.Not = condToPB(*c.Not)
	}
	return out
}

func documentToPB(d corpus.Document) *pb.PolicyDocument {
	out := &pb.PolicyDocument{
		Title:         d.Title,
		DocNumber:     d.DocNumber,
		Issuer:        d.Issuer,
		Region:        d.Region,
		Level:         string(d.Level),
		Category:      string(d.Category),
		Audience:      string(d.Audience),
		PublishDate:   d.PublishDate.String(),
		EffectiveFrom: d.EffectiveFrom.String(),
		EffectiveTo:   d.EffectiveTo.String(),
		SourceUrl:     d.SourceURL,
		Text:          d.Text,
		Unparsed:      d.Unparsed,
	}
	for _, b := range d.Benefits {
		pbb := &pb.Benefit{
			Key:       b.Key,
			Name:      b.Name,
			Amount:    b.Amount,
			ApplyFree: b.ApplyFree,
			Audience:  string(b.Audience),
			Deadline:  b.Deadline.String(),
		}
		if c := b.Calc; c != nil {
			pbb.Calc = &pb.Amount{Kind: string(c.Kind), Value: c.Value, Cap: c.Cap, Basis: c.Basis, Text: c.Text}
		}
		if b.Conditions != nil {
			pbb.Conditions = condToPB(*b.Conditions)
		}
		out.Benefits = append(out.Benefits, pbb)
	}
	return out
}

func versionToPB(v *corpus.Version) *pb.PolicyVersion {
	if v == nil {
		return nil
	}
	return &pb.PolicyVersion{
		PolicyId:    v.PolicyID,
		Version:     int32(v.Version),
		Document:    documentToPB(v.Document),
		PublishedAt: timeToPB(v.PublishedAt),
	}
}

func policyToPB(p corpus.Policy, today corpus.Date) *pb.Policy {
	out := &pb.Policy{
		Id:            p.ID,
		Status:        string(p.EffectiveStatus(today)),
		LatestVersion: int32(p.LatestVersion),
		Live:          versionToPB(p.Live),
		CreatedAt:     timeToPB(p.CreatedAt),
		UpdatedAt:     timeToPB(p.UpdatedAt),
		RetractedAt:   timeToPB(p.RetractedAt),
		RetractReason: p.RetractReason,
	}
	if p.Draft != nil {
		out.Draft = &pb.Draft{
			Document:  documentToPB(p.Draft.Document),
			Revision:  int32(p.Draft.Revision),
			UpdatedAt: timeToPB(p.Draft.UpdatedAt),
		}
	}
	return out
}

func timeToPB(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// DocumentToPB is d as the wire message, for in-process callers (the web
// console sends extracted documents to CreateDraft); the service converts
// back and validates, so nothing built here is trusted.
func DocumentToPB(d corpus.Document) *pb.PolicyDocument { return documentToPB(d) }
