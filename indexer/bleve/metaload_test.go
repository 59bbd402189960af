package bleve

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/indexer"
)

// TestMetaFromSegmentsAgreesWithStored checks that the filter table read
// from the segments' terms (loadMetaSegments, used by Open on disk) holds,
// for every document, what reading the stored fields (loadMeta) gives,
// after deletes and replacements, with empty values among them.
func TestMetaFromSegmentsAgreesWithStored(t *testing.T) {
	regions := []string{"100000", "440000", "440106", "110105", ""}
	cats := []corpus.Category{corpus.CategoryTax, corpus.CategorySubsidy, ""}
	auds := []corpus.Audience{corpus.AudienceEnterprise, corpus.AudienceResident, corpus.AudienceBoth, ""}
	statuses := []corpus.Status{corpus.StatusPublished, corpus.StatusExpired, corpus.StatusRetracted}
	mkDoc := func(i, v int) indexer.Doc {
		d := corpus.Document{
			Title: fmt.Sprintf("政策%d", i), Region: regions[(i+v)%len(regions)], Category: cats[(i*3+v)%len(cats)],
			Audience:    auds[(i*5+v)%len(auds)],
			PublishDate: corpus.Date{Year: 2019 + i%7, Month: time.Month(1 + i%12), Day: 1 + i%28},
			Benefits:    []corpus.Benefit{{Name: "补贴", ApplyFree: (i+v)%3 == 0}},
		}
		if i%4 != 0 {
			d.EffectiveFrom = corpus.Date{Year: 2020 + i%6, Month: 6, Day: 1}
		}
		if i%3 == 0 {
			d.EffectiveTo = corpus.Date{Year: 2022 + i%6, Month: 12, Day: 31}
		}
		return indexer.NewDoc(corpus.Version{PolicyID: fmt.Sprintf("p%03d", i), Version: v, Document: d}, statuses[(i+v)%len(statuses)])
	}
	dir := t.TempDir() + "/index"
	x := open(t, dir)
	for b := range 3 {
		var docs []indexer.Doc
		for i := b * 60; i < (b+1)*60; i++ {
			docs = append(docs, mkDoc(i, 1))
		}
		if err := x.Index(t.Context(), docs); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Delete(t.Context(), "p005", "p070", "p150"); err != nil {
		t.Fatal(err)
	}
	if err := x.Index(t.Context(), []indexer.Doc{mkDoc(7, 2), mkDoc(100, 3)}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x = open(t, dir)
	stored := newMetaTable()
	if err := loadMeta(t.Context(), x.idx, stored, 50); err != nil {
		t.Fatal(err)
	}
	if len(x.meta.byID) != 177 || len(stored.byID) != len(x.meta.byID) {
		t.Fatalf("from segments %d documents, from stored fields %d, want 177", len(x.meta.byID), len(stored.byID))
	}
	describe := func(m *metaTable, id string) string {
		d := m.slots[m.byID[id]]
		var rs []string
		for _, r := range d.regions {
			rs = append(rs, m.names[r])
		}
		slices.Sort(rs)
		return fmt.Sprintf("region=%q regions=%v level=%q category=%q ent=%v res=%v free=%v inactive=%v dates=%d/%d/%d",
			m.names[d.region], rs, m.names[d.level], m.names[d.category], d.enterprise, d.resident, d.applyFree,
			d.inactiveStatus, d.publish, d.from, d.end)
	}
	for id := range stored.byID {
		if _, ok := x.meta.byID[id]; !ok {
			t.Fatalf("%s: not in the table read from segments", id)
		}
		if a, b := describe(x.meta, id), describe(stored, id); a != b {
			t.Errorf("%s: from segments %s\nfrom stored fields   %s", id, a, b)
		}
	}
	if x.meta.bounds != stored.bounds {
		t.Errorf("bounds from segments %+v, from stored fields %+v", x.meta.bounds, stored.bounds)
	}
}
