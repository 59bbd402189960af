package bleve

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/segment"
)

// This file is the indexing side: documents into bleve batches, and the
// analysis of fAll. The index keeps no positions or offsets for fAll (no
// term vectors: snippets are cut from the stored text), so all a document
// contributes is each term's frequency and the number of tokens (the field
// length, for the norm). allField computes just that, straight from the
// segmenter: no token stream and no copy of each term.
// The result is what bleve's analysis of the same text with the zhida_zh
// analyzer gives (TestAllFieldIsAnalysed); queries still find that
// analyzer in the mapping.
//
// The text is cut as one: cutting the title once and counting it three
// times would be cheaper, but gse's route through one part depends on the
// parts after it (a character that only begins dictionary words scores
// log 0 and turns every route before it into longest-match), so the terms
// would change.

// batch writes docs to bleve in one batch.
func (x *Index) batch(docs []indexer.Doc) error {
	b := x.idx.NewBatch()
	for _, d := range docs {
		if d.PolicyID == "" {
			return errors.New("index: document without policy id")
		}
		bd, err := x.document(d)
		if err == nil {
			err = b.IndexAdvanced(bd)
		}
		if err != nil {
			return fmt.Errorf("index policy %s: %w", d.PolicyID, err)
		}
	}
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("index %d documents: %w", len(docs), err)
	}
	return nil
}

// document is the bleve document of d: the fields the mapping makes of
// doc(d), and fAll.
func (x *Index) document(d indexer.Doc) (*document.Document, error) {
	m := x.idx.Mapping()
	bd := document.NewDocument(d.PolicyID)
	if err := m.MapDocument(bd, doc(d)); err != nil {
		return nil, err
	}
	return bd.AddField(newAllField(x.seg, m, d)), nil
}

// allField is fAll of one document, analysed by Analyze (on bleve's
// analysis workers, which run in parallel).
type allField struct {
	seg     *segment.Segmenter
	options index.FieldIndexingOptions
	text    string

	length int
	freqs  index.TokenFrequencies
}

var _ document.Field = (*allField)(nil)

func newAllField(seg *segment.Segmenter, m mapping.IndexMapping, d indexer.Doc) *allField {
	fm := m.FieldMappingForPath(fAll)
	return &allField{seg: seg, options: fm.Options(), text: allText(d)}
}

func (f *allField) Name() string                        { return fAll }
func (f *allField) ArrayPositions() []uint64            { return nil }
func (f *allField) Options() index.FieldIndexingOptions { return f.options }
func (f *allField) EncodedFieldType() byte              { return 't' }
func (f *allField) AnalyzedLength() int                 { return f.length }
func (f *allField) NumPlainTextBytes() uint64           { return uint64(len(f.text)) }

func (f *allField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// Value is empty: fAll is not stored, and nothing else reads it.
func (f *allField) Value() []byte { return nil }

// Size is what bleve's memory accounting reads: an estimate, as
// counting every term again would cost a good part of the analysis.
func (f *allField) Size() int { return 64 + len(f.text) + 48*len(f.freqs) }

// Analyze counts the terms.
func (f *allField) Analyze() {
	freqs := make(index.TokenFrequencies, len(f.text)/8)
	var slab []index.TokenFreq // one allocation for many terms
	skipFreq := f.options.SkipFreqNorm()
	f.seg.IndexTerms(f.text, func(term string) {
		f.length++
		tf := freqs[term]
		if tf == nil {
			if len(slab) == cap(slab) {
				slab = make([]index.TokenFreq, 0, 64)
			}
			// Terms share the folded text's memory; nothing writes them.
			slab = append(slab, index.TokenFreq{Term: unsafe.Slice(unsafe.StringData(term), len(term))})
			tf = &slab[len(slab)-1]
			freqs[term] = tf
		}
		if !skipFreq {
			tf.SetFrequency(tf.Frequency() + 1)
		}
	})
	f.freqs = freqs
}
