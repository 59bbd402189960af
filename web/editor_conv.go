package web

import (
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/zhida/zhida/corpus"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// The extractor speaks the corpus model and the services the wire messages:
// these turn an extracted document into the request CreateDraft takes (the
// service converts back and validates, so nothing here is trusted).

func documentToPB(d corpus.Document) *pb.PolicyDocument {
	out := &pb.PolicyDocument{
		Title: d.Title, DocNumber: d.DocNumber, Issuer: d.Issuer, Region: d.Region, Level: string(d.Level),
		Category: string(d.Category), Audience: string(d.Audience), PublishDate: d.PublishDate.String(),
		EffectiveFrom: d.EffectiveFrom.String(), EffectiveTo: d.EffectiveTo.String(), SourceUrl: d.SourceURL,
		Text: d.Text, Unparsed: d.Unparsed,
	}
	for _, b := range d.Benefits {
		pbb := &pb.Benefit{Key: b.Key, Name: b.Name, Amount: b.Amount, ApplyFree: b.ApplyFree,
			Audience: string(b.Audience), Deadline: b.Deadline.String()}
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
