package bleve

import (
	"fmt"
)

// loadMetaSegments fills the filter table from the terms of the index's
// segments instead of the documents' stored fields (loadMeta): every filter
// field is also indexed, one dictionary walk per field and segment gives
// each document's values, and only the ids are read per document. At
// 100,000 documents that is a fraction of the 2.8 CPU-seconds that decoding
// every document's stored fields costs. ok is false when the index is not
// a scorch index; the caller then uses loadMeta.
func (x *Index) loadMetaSegments() (ok bool, err error) {
	snap, done, ok, err := x.snapshot()
	if err != nil || !ok {
		return false, err
	}
	defer done()
	for _, ss := range snap.Segments() {
		d := x.fast.get(ss.Segment())
		if err := d.dates(); err != nil {
			return true, err
		}
		fs := make([]metaFields, d.n)
		for _, f := range []struct {
			name string
			set  func(f *metaFields, v string)
		}{
			{fRegion, func(f *metaFields, v string) { f.region = v }},
			{fRegions, func(f *metaFields, v string) { f.regions = append(f.regions, v) }},
			{fLevel, func(f *metaFields, v string) { f.level = v }},
			{fCategory, func(f *metaFields, v string) { f.category = v }},
			{fStatus, func(f *metaFields, v string) { f.status = v }},
			{fAudience, func(f *metaFields, v string) { f.audiences = append(f.audiences, v) }},
			{fApplyFree, func(f *metaFields, v string) { f.applyFree = v == "true" }},
		} {
			var v string
			err := d.eachTerm(f.name, nil, nil, func(term string) { v = term }, func(doc int) { f.set(&fs[doc], v) })
			if err != nil {
				return true, fmt.Errorf("load filter field %s: %w", f.name, err)
			}
		}
		del := ss.Deleted()
		live := fs[:0]
		for doc := range fs {
			if del != nil && del.Contains(uint32(doc)) {
				continue
			}
			id, err := ss.DocID(uint64(doc))
			if err != nil {
				return true, fmt.Errorf("load filter fields: id of document %d: %w", doc, err)
			}
			f := fs[doc]
			f.id = string(id)
			f.publish, f.from, f.end = int(d.publish[doc]), int(d.from[doc]), int(d.to[doc])
			live = append(live, f)
		}
		x.meta.widen(live...)
		x.meta.put(live...)
	}
	return true, nil
}
