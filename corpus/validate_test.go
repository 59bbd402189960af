package corpus

import (
	"errors"
	"strings"
	"testing"
)

func TestPrepare(t *testing.T) {
	rules := DefaultRules()
	valid := func() Document {
		return Document{
			Title: "广州市残疾人两项补贴", Region: "440100", Category: CategoryDisability, Audience: AudienceResident,
			EffectiveFrom: MustDate("2026-01-01"), EffectiveTo: MustDate("2026-12-31"),
			Benefits: []Benefit{{Name: "困难残疾人生活补贴"}, {Key: "b1", Name: "重度残疾人护理补贴"}},
		}
	}
	d := valid()
	if err := rules.Prepare(&d); err != nil {
		t.Fatal(err)
	}
	if d.Level != LevelCity {
		t.Errorf("level = %q, want 市", d.Level)
	}
	if d.Benefits[0].Key != "b2" || d.Benefits[1].Key != "b1" {
		t.Errorf("keys = %q, %q; want a fresh key that does not collide", d.Benefits[0].Key, d.Benefits[1].Key)
	}
	if d.Benefits[0].Audience != AudienceResident {
		t.Errorf("benefit audience = %q, want it inherited", d.Benefits[0].Audience)
	}
	if err := rules.CheckPublish(d); err != nil {
		t.Errorf("CheckPublish: %v", err)
	}

	tests := []struct {
		name   string
		edit   func(*Document)
		field  string
		substr string
	}{
		{"empty title", func(d *Document) { d.Title = "  " }, "title", "empty"},
		{"unknown region", func(d *Document) { d.Region = "449999" }, "region", "行政区划代码"},
		{"dates reversed", func(d *Document) { d.EffectiveTo = MustDate("2025-01-01") }, "effective_to", "before"},
		{"bad utf8 title", func(d *Document) { d.Title = "政策\xff" }, "title", "UTF-8"},
		{"bad utf8 text", func(d *Document) { d.Text = "\xc3\x28" }, "text", "UTF-8"},
		{"unknown category", func(d *Document) { d.Category = "彩票" }, "category", "category"},
		{"bad audience", func(d *Document) { d.Audience = "everyone" }, "audience", "enterprise"},
		{"huge text", func(d *Document) { d.Text = strings.Repeat("字", MaxTextBytes/3+1) }, "text", "limit"},
		{"duplicate key", func(d *Document) { d.Benefits[0].Key = "b1" }, "benefits[1].key", "twice"},
		{"empty benefit name", func(d *Document) { d.Benefits[0].Name = "" }, "benefits[0].name", "empty"},
		{"bad condition", func(d *Document) {
			c := Atom("age", OpGte, String("sixty"), "")
			d.Benefits[0].Conditions = &c
		}, "benefits[0].conditions.value", "number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := valid()
			tt.edit(&d)
			err := rules.Prepare(&d)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FieldError on %s", err, tt.field)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Msg, tt.substr) {
				t.Errorf("got %v, want field %s mentioning %q", fe, tt.field, tt.substr)
			}
		})
	}
	if err := rules.CheckPublish(Document{Title: "x", Audience: AudienceBoth, Benefits: []Benefit{{Name: "y"}}}); err == nil ||
		!strings.Contains(err.Error(), "region") || !strings.Contains(err.Error(), "benefits[0].audience") {
		t.Errorf("CheckPublish on a bare draft = %v", err)
	}
	if !NewRules(nil, "科技创新").KnownCategory("科技创新") {
		t.Error("an extra category is not known")
	}
}
