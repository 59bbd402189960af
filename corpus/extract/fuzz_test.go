package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// devPolicies returns the policy texts of the labelled dev cases.
func devPolicies(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../../eval/testdata/eval-dev/*/*/policy.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dev policies found: %v", err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// checkResult asserts what every extraction must satisfy: atoms carry their
// text and valid operators, and every unparsed atom is listed.
func checkResult(t *testing.T, res Result) {
	t.Helper()
	listed := map[string]bool{}
	for _, u := range res.Unparsed {
		listed[u] = true
	}
	for i, b := range res.Benefits {
		for _, a := range b.Conditions.Atoms() {
			if a.Text == "" {
				t.Fatalf("benefit %d: atom %s %s has no text", i, a.Field, a.Op)
			}
			if !a.Op.Valid() {
				t.Fatalf("benefit %d: invalid op %q", i, a.Op)
			}
			if _, ok := corpus.LookupField(a.Field); !ok {
				t.Fatalf("benefit %d: unknown field %q", i, a.Field)
			}
			if a.Field == corpus.FieldUnparsed && !listed[a.Text] {
				t.Fatalf("benefit %d: unparsed %q missing from the unparsed list", i, a.Text)
			}
		}
		if err := corpus.DefaultRules().CheckCond(b.Conditions, "conditions", b.Audience); err != nil {
			t.Fatalf("benefit %d: %v", i, err)
		}
		if _, err := b.Conditions.MarshalJSON(); err != nil {
			t.Fatalf("benefit %d: %v", i, err)
		}
	}
}

func FuzzExtract(f *testing.F) {
	for _, p := range devPolicies(f) {
		f.Add(p, "440100")
	}
	f.Add("对上年度营业收入不低于（2000万元的企业，给予1.5%补贴（", "100000")
	f.Add("1.80周岁\n（一）第一类\n1.\n第条", "")
	f.Add("本办法所称是指", "999999")
	f.Fuzz(func(t *testing.T, text, regionCode string) {
		res, err := Extract(text, Options{Region: regionCode})
		if err != nil {
			if utf8.ValidString(text) && strings.TrimSpace(text) != "" && (regionCode == "" || region.Default().Valid(regionCode)) {
				t.Fatalf("valid input rejected: %v", err)
			}
			return
		}
		checkResult(t, res)
	})
}

func TestDevPoliciesInvariants(t *testing.T) {
	for _, p := range devPolicies(t) {
		res, err := Extract(p, Options{Region: "440100"})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
	}
}

// bigDocument repeats the dev policies up to n bytes, and
// flatDocument repeats condition and grant sentences of real policies with
// no section structure, so that every byte is read (the scaling case).
func bigDocument(t testing.TB, n int) string {
	var b strings.Builder
	ps := devPolicies(t)
	for i := 0; b.Len() < n; i++ {
		b.WriteString(ps[i%len(ps)])
		b.WriteString("\n")
		if i%7 == 0 {
			// A run-on stretch with no punctuation at all.
			b.WriteString(strings.Repeat("具有本市户籍年满60周岁以上营业收入不低于100万元", 200))
			b.WriteString("\n")
		}
	}
	return b.String()
}

var flatSentences = []string{
	"失业保险参保企业2020年度平均参保人数在30人以上的，裁员率不高于上年度全国城镇调查失业率6%控制目标；失业保险参保企业2020年度平均参保人数在30人（含）以下的，裁员率不高于企业参保职工总数的20%。",
	"凡具有贵池区户籍，且年满80周岁及以上高龄老人，均可申请享受高龄津贴。",
	"80--89周岁（含80周岁）的老人，每人每月补贴30元；",
	"在北京地区注册成立不超过5年（含）或当年新评价入库的科技型中小企业；具有独立法人资格，职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元，具有健全的财务机构和管理制度，无不良诚信记录。",
	"登记失业人员、就业困难人员（含残疾人）、退役军人、刑满释放人员、高校毕业生、脱贫人口及农民自主创业自筹资金不足，并符合以下条件的，可申请创业担保贷款。",
	"提交贷款申请时女性不超过55周岁、男性不超过60周岁；",
	"对首次通过国家高新技术企业认定的规模以下（限额以下）企业，给予一次性15万元奖励；",
	"具有本市户籍并居住在本市的60周岁及以上居家老年人。",
}

func flatDocument(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(flatSentences[i%len(flatSentences)])
		b.WriteString("\n")
	}
	return b.String()
}

// TestLargeDocumentScales checks that the work grows linearly with the input:
// doubling a document roughly doubles the allocations (a deterministic count,
// unlike wall-clock time). Two kinds of document are read: real policies with
// run-on stretches that have no punctuation (bigDocument), and condition
// sentences with no section structure, so that every byte is read
// (flatDocument). Sizes are kept small (tens of KB) so the test stays fast:
// a super-linear rule shows in the ratio at any size above the fixed cost.
func TestLargeDocumentScales(t *testing.T) {
	allocs := func(s string) float64 {
		return testing.AllocsPerRun(1, func() {
			if _, err := Extract(s, Options{Region: "440100"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		small string
	}{
		{"policies", bigDocument(t, 32<<10)},
		{"flat", flatDocument(16 << 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The same text twice over: only the size changes.
			double := tc.small + tc.small
			res, err := Extract(double, Options{Region: "440100"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Benefits) == 0 {
				t.Fatalf("no benefits from a %d-byte document of policies", len(double))
			}
			checkResult(t, res)
			a1, a2 := allocs(tc.small), allocs(double)
			ratio := a2 / a1
			sizeRatio := float64(len(double)) / float64(len(tc.small))
			t.Logf("allocations: %.0f for %d bytes, %.0f for %d bytes (ratio %.2f, size ratio %.2f)", a1, len(tc.small), a2, len(double), ratio, sizeRatio)
			if ratio > 1.25*sizeRatio || ratio < 0.75*sizeRatio {
				t.Errorf("work does not grow in proportion to the input: allocation ratio %.2f for size ratio %.2f", ratio, sizeRatio)
			}
		})
	}
}
