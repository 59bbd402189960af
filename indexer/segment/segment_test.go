package segment

import (
	"github.com/zhida/zhida/corpus/sample"

	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zhida/zhida/corpus/zhnorm"
)

// shared loads the segmenter once for all tests of the package (about 1 s).
var shared = sync.OnceValues(func() (*Segmenter, error) {
	return New(WithFolder(zhnorm.Fold))
})

func seg(t *testing.T) *Segmenter {
	t.Helper()
	s, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func terms(toks []Token) []string {
	var out []string
	for _, t := range toks {
		out = append(out, t.Term)
	}
	return out
}

func TestIndexTokensFindWordsInsideWords(t *testing.T) {
	s := seg(t)
	tests := []struct {
		text string
		want []string // each must be an index token
	}{
		{"对企业给予一次性吸纳就业补贴", []string{"一次性吸纳就业补贴", "补贴", "就业", "企业"}},
		{"在建工程转为固定资产", []string{"在建工程", "工程", "固定资产"}},
		{"符合免申即享条件的企业", []string{"免申即享", "企业"}},
		{"推动专精特新中小企业发展", []string{"专精特新", "专精特新中小企业", "中小企业"}},
		{"认定为高新技术企业的", []string{"高新技术企业", "企业", "技术"}},
		{"申请創業補貼", []string{"创业补贴", "补贴"}}, // folded first
		{"ABC公司2024年", []string{"abc", "2024"}},
	}
	for _, tt := range tests {
		got := terms(s.IndexTokens(tt.text))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("IndexTokens(%q) = %v, missing %q", tt.text, got, w)
			}
		}
	}
}

func TestIndexTokensOffsetsAndStopWords(t *testing.T) {
	s := seg(t)
	text := "为了企业的发展，给予稳岗返还。"
	for _, tok := range s.IndexTokens(text) {
		if got := text[tok.Start:tok.End]; got != tok.Term {
			t.Errorf("token %q at [%d,%d) covers %q", tok.Term, tok.Start, tok.End, got)
		}
		if tok.Term == "的" || tok.Term == "，" || tok.Term == "。" {
			t.Errorf("stop word or punctuation %q indexed", tok.Term)
		}
	}
	// Offsets stay right after an upper-case Latin run that gse lower-cases.
	text = "SME企业补贴"
	toks := s.IndexTokens(text)
	last := toks[len(toks)-1]
	if text[last.Start:last.End] == "" || !strings.HasSuffix(text, text[last.Start:last.End]) {
		t.Errorf("offsets after Latin run wrong: %+v", toks)
	}
}

func TestQueryTermsSynonymsAndFolding(t *testing.T) {
	s := seg(t)
	tests := []struct {
		query string
		want  [][]string
	}{
		{"高企", [][]string{{"高企", "高新技术企业"}}},
		{"高新技术企业的所得税", [][]string{{"高新技术企业", "高企"}, {"所得税"}}},
		// A group and a one-way rule: 补贴 also finds 资助, 资助 only itself.
		{"补贴", [][]string{{"补贴", "补助", "资助", "奖励", "奖补", "资金支持", "扶持资金"}}},
		{"资助", [][]string{{"资助"}}},
		{"創業補貼", [][]string{{"创业补贴"}}},
		{"稳岗返还 稳岗返还", [][]string{{"稳岗返还", "稳岗补贴", "失业保险稳岗返还"}}},
	}
	for _, tt := range tests {
		if got := s.QueryTerms(tt.query); !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("QueryTerms(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestDomainTermsStayWhole(t *testing.T) {
	s := seg(t)
	for _, term := range s.DomainTerms() {
		if got := s.Cut(term); len(got) != 1 || got[0] != term {
			t.Errorf("Cut(%q) = %v, want the term whole", term, got)
		}
	}
}

func TestSubwords(t *testing.T) {
	s := seg(t)
	got := s.Subwords("一次性吸纳就业补贴")
	if !slices.Contains(got, "补贴") || slices.Contains(got, "一次性吸纳就业补贴") {
		t.Errorf("Subwords = %v", got)
	}
}

func TestPiecesKeepTheText(t *testing.T) {
	s := seg(t)
	text := "对ABC公司给予一次性吸纳就业补贴（每人1000元）。"
	got := s.Pieces(text)
	if strings.Join(got, "") != text {
		t.Errorf("Pieces(%q) = %v, joined differs", text, got)
	}
	if !slices.Contains(got, "ABC") || !slices.Contains(got, "一次性吸纳就业补贴") {
		t.Errorf("Pieces(%q) = %v", text, got)
	}
}

func TestIndexTokensOffsetsIndexTheOriginal(t *testing.T) {
	// zhnorm.Fold changes byte lengths (full-width → half-width) but keeps
	// rune positions.
	s := seg(t)
	text := "２０２４年創業補貼"
	want := map[string]string{"2024": "２０２４", "补贴": "補貼"}
	seen := 0
	for _, tok := range s.IndexTokens(text) {
		if w, ok := want[tok.Term]; ok {
			seen++
			if got := text[tok.Start:tok.End]; got != w {
				t.Errorf("token %q covers %q of the original, want %q", tok.Term, got, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("IndexTokens(%q) = %v, want tokens %v", text, s.IndexTokens(text), want)
	}
}

// TestCutMatchesGse checks that the DAG cut gives the words gse's own precise
// cut gives, on sample sentences and on real policy texts of the bundled sample corpus.
func TestCutMatchesGse(t *testing.T) {
	s := seg(t)
	texts := []string{
		"对吸纳高校毕业生就业的企业给予一次性吸纳就业补贴。",
		"ABC公司2024年度在建工程转为固定资产，SME企业享受稳岗返还。",
		"国家需要重点扶持的高新技术企业，减按15%的税率征收企业所得税。",
		"Hello World 123abc 中文English混排",
		"", "。", "a", "补",
	}
	docs, err := sample.Documents()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs[:min(len(docs), 24)] {
		texts = append(texts, d.Text)
	}
	for _, text := range texts {
		want := s.gse.Cut(text, false)
		got := s.words(text)
		for i := range got {
			got[i] = strings.ToLower(got[i])
		}
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Errorf("%.40q: word %d is %q, gse says %q", text, i, got[i], want[i])
					break
				}
			}
			t.Errorf("%.40q: %d words, gse %d", text, len(got), len(want))
		}
	}
}

func TestQueryTermsDropQuestionWords(t *testing.T) {
	s := seg(t)
	tests := []struct {
		query string
		want  []string // the query words, in order
	}{
		{"社保卡怎么办", []string{"社保卡"}},
		{"补贴每月多少钱", []string{"补贴", "每月"}},
		{"有什么补贴吗", []string{"补贴"}},
		{"怎么", nil},
		// Spoken verbs and fillers around what is asked.
		{"租的房子 要去登记吗", []string{"租", "房子", "登记"}},
		{"需要什么手续", []string{"手续"}},
	}
	for _, tt := range tests {
		var got []string
		for _, g := range s.QueryTerms(tt.query) {
			got = append(got, g[0])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("QueryTerms(%q) words = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// TestIndexTermsAreIndexTokens checks that IndexTerms visits the terms of
// IndexTokens, in order, on folded, mixed-case and real policy text.
func TestIndexTermsAreIndexTokens(t *testing.T) {
	s := seg(t)
	texts := []string{"２０２４年創業補貼", "ABC公司SME企业享受稳岗返还", "对吸纳高校毕业生就业的企业给予一次性吸纳就业补贴。", "", "。"}
	docs, err := sample.Documents()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs[:min(len(docs), 24)] {
		texts = append(texts, d.Title, d.Text)
	}
	for _, text := range texts {
		var got []string
		s.IndexTerms(text, func(term string) { got = append(got, term) })
		if want := terms(s.IndexTokens(text)); !slices.Equal(got, want) {
			t.Errorf("IndexTerms(%.40q) = %v, IndexTokens' terms %v", text, got, want)
		}
	}
}

func TestQueryTermsColloquial(t *testing.T) {
	s := seg(t)
	tests := []struct {
		query string
		want  [][]string
	}{
		// One-way: the spoken word finds the policy word, not the reverse.
		{"下岗", [][]string{{"下岗", "失业"}}},
		{"个体户", [][]string{{"个体户", "个体工商户"}}},
		{"个体工商户", [][]string{{"个体工商户"}}},
		{"拿专利 抵押", [][]string{{"专利", "知识产权"}, {"抵押", "质押"}}},
	}
	for _, tt := range tests {
		if got := s.QueryTerms(tt.query); !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("QueryTerms(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// TestTrieWalkIsLookupTokens checks that the DAG walked on gse's trie
// directly is the one built through gse's LookupTokens, and that this gse
// version lets the segmenter reach its trie (else cuts are slower).
func TestTrieWalkIsLookupTokens(t *testing.T) {
	s := seg(t)
	if s.trie == nil {
		t.Fatal("gse's trie is out of reach: the DAG falls back to LookupTokens")
	}
	texts := []string{"ABC公司2024年度在建工程转为固定资产，SME企业享受稳岗返还。", "𠮷野家补贴", "", "a"}
	docs, err := sample.Documents()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs[:min(len(docs), 24)] {
		texts = append(texts, d.Text)
	}
	noTrie := *s
	noTrie.trie = nil
	for _, text := range texts {
		a, b := new(cutState), new(cutState)
		s.dagCut(a, text)
		noTrie.dagCut(b, text)
		if !slices.Equal(a.edges, b.edges) || !slices.Equal(a.edgeStart, b.edgeStart) || !slices.Equal(a.words, b.words) {
			t.Errorf("%.40q: the trie walk and LookupTokens build different DAGs", text)
		}
	}
}

func TestPartialTerms(t *testing.T) {
	s := seg(t)
	tests := []struct {
		word string
		want []string // must all be there, in this order
		not  []string
	}{
		{"创业者", []string{"创业"}, []string{"创业者"}},
		{"独居老年人", []string{"独居", "老年人", "老人", "长者"}, []string{"独居老年人"}},
		{"补贴", nil, nil},   // two characters: no parts
		{"AI算力", nil, nil}, // not all Han
	}
	for _, tt := range tests {
		got := s.PartialTerms(tt.word)
		if tt.want == nil && got != nil {
			t.Errorf("PartialTerms(%q) = %v, want none", tt.word, got)
		}
		at := -1
		for _, w := range tt.want {
			i := slices.Index(got, w)
			if i <= at {
				t.Errorf("PartialTerms(%q) = %v, want %v in order", tt.word, got, tt.want)
				break
			}
			at = i
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("PartialTerms(%q) = %v holds %q", tt.word, got, w)
			}
		}
	}
}
