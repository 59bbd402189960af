package bleve

import (
	"maps"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/indexer"
	"github.com/zhida/zhida/indexer/indextest"
)

// TestAllFieldIsAnalysed checks that allField gives the index what bleve's
// own analysis of allText with the zhida_zh analyzer gives (what the index
// held before allField): the same field length and term frequencies, on the
// fixture and the sample corpus.
func TestAllFieldIsAnalysed(t *testing.T) {
	x := open(t, "")
	docs := indextest.Fixture()
	sampleDocs, err := sample.Documents()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sampleDocs {
		docs = append(docs, indexer.NewDoc(corpus.Version{PolicyID: "p", Version: 1, Document: d}, corpus.StatusPublished))
	}
	// Mixed case and Traditional script in every part.
	docs = append(docs, indexer.Doc{PolicyID: "q", Title: "ABC企業創業補貼", Benefits: []string{"SME稳岗返还", "一次性吸納就業補貼"},
		DocNumber: "穗人社规〔2024〕5号", Issuer: "人力資源和社會保障局", Text: "２０２４年，對吸納高校畢業生就業的企業給予補貼。"})
	m := x.idx.Mapping()
	analyzer := m.AnalyzerNamed(AnalyzerName)
	for _, d := range docs {
		want := document.NewTextFieldCustom(fAll, nil, []byte(allText(d)), index.IndexField, analyzer)
		want.Analyze()
		got := newAllField(x.seg, m, d)
		got.Analyze()
		if got.AnalyzedLength() != want.AnalyzedLength() {
			t.Errorf("%s %.20q: length %d, bleve's analysis %d", d.PolicyID, d.Title, got.AnalyzedLength(), want.AnalyzedLength())
		}
		if !maps.EqualFunc(got.AnalyzedTokenFrequencies(), want.AnalyzedTokenFrequencies(), func(a, b *index.TokenFreq) bool {
			return a.Frequency() == b.Frequency() && string(a.Term) == string(b.Term)
		}) {
			t.Errorf("%s %.20q: term frequencies differ from bleve's analysis", d.PolicyID, d.Title)
		}
	}
}
