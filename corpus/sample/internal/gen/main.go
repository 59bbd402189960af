// Command gen builds policies.json, the bundled sample corpus, from the real
// documents in the project's shared folder: the labelled eval-dev cases (text
// with their gold benefits and conditions), the Guangzhou resident policies
// and the Beijing 2024 industrial policy cards. See ../../SOURCES.md.
//
// Run through go generate in the parent folder, with the shared folder beside
// the project (../shared).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/zhida/zhida/corpus"
)

func main() {
	shared := flag.String("shared", "../../../shared", "the shared folder (corpus/ and eval-dev/)")
	out := flag.String("o", "policies.json", "output file")
	profilesOut := flag.String("profiles", "profiles.jsonl", "output file for the sample profiles")
	flag.Parse()
	if err := writeProfiles(*shared, *profilesOut); err != nil {
		log.Fatal(err)
	}
	var docs []corpus.Document
	for _, step := range []func(string) ([]corpus.Document, error){evalCases, guangzhou, beijing} {
		d, err := step(*shared)
		if err != nil {
			log.Fatal(err)
		}
		docs = append(docs, d...)
	}
	rules := corpus.DefaultRules()
	for i := range docs {
		if err := rules.Prepare(&docs[i]); err != nil {
			log.Fatalf("%s: %v", docs[i].Title, err)
		}
		if err := rules.CheckPublish(docs[i]); err != nil {
			log.Fatalf("%s: %v", docs[i].Title, err)
		}
	}
	b, err := json.MarshalIndent(docs, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %d documents to %s\n", len(docs), *out)
}

// evalCases reads eval-dev/<audience>/<case>/{policy.txt,case.json}.
func evalCases(shared string) ([]corpus.Document, error) {
	dirs, _ := filepath.Glob(filepath.Join(shared, "eval-dev", "*", "*", "case.json"))
	sort.Strings(dirs)
	var docs []corpus.Document
	for _, f := range dirs {
		dir := filepath.Dir(f)
		var c struct {
			Source   string           `json:"source"`
			Title    string           `json:"title"`
			Region   string           `json:"region"`
			Benefits []corpus.Benefit `json:"benefits"`
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		text, err := os.ReadFile(filepath.Join(dir, "policy.txt"))
		if err != nil {
			return nil, err
		}
		aud := corpus.AudienceEnterprise
		if filepath.Base(filepath.Dir(dir)) == "resident" {
			aud = corpus.AudienceResident
		}
		title, issuer := splitTitle(c.Title)
		d := corpus.Document{
			Title:     title,
			Issuer:    issuer,
			DocNumber: docNumber(c.Title),
			Region:    c.Region,
			Audience:  aud,
			Category:  categoryOf(c.Title, string(text)),
			SourceURL: sourceURL(c.Source),
			Text:      string(text),
			Benefits:  c.Benefits,
		}
		if m := dateRe.FindStringSubmatch(c.Title); m != nil {
			d.PublishDate, _ = corpus.ParseDate(m[0])
		}
		for i := range d.Benefits {
			d.Benefits[i].Audience = aud
		}
		docs = append(docs, d)
	}
	return docs, nil
}

var (
	dateRe   = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	docNoRe  = regexp.MustCompile(`[\p{Han}]{1,12}[〔\[［]\d{4}[〕\]］]\s*\d+\s*号|国务院令第\d+号`)
	urlRe    = regexp.MustCompile(`https?://\S+`)
	parenEnd = regexp.MustCompile(`[（(]([^（）()]*)[）)]$`)
)

// splitTitle takes "标题（发文机关，日期）" apart where the case title has that form.
func splitTitle(t string) (title, issuer string) {
	m := parenEnd.FindStringSubmatchIndex(t)
	if m == nil {
		return t, ""
	}
	inner := t[m[2]:m[3]]
	first, _, _ := strings.Cut(strings.ReplaceAll(inner, "，", ","), ",")
	if strings.ContainsAny(first, "局府委院厅部会行") && !strings.ContainsAny(first, "第条章") {
		return strings.TrimSpace(t[:m[0]]), strings.TrimSpace(first)
	}
	return t, ""
}

func docNumber(s string) string {
	m := docNoRe.FindString(s)
	return strings.Join(strings.Fields(m), "")
}

func sourceURL(s string) string { return strings.TrimRight(urlRe.FindString(s), "),;") }

// categoryOf guesses the support category from the title, then the text.
// It is a data-preparation heuristic for the sample, not the product's
// classifier; editors set the category in real use.
func categoryOf(title, text string) corpus.Category {
	if c := category(title); c != corpus.CategoryOther {
		return c
	}
	return category(text)
}

func category(s string) corpus.Category {
	rules := []struct {
		words []string
		cat   corpus.Category
	}{
		{[]string{"残疾"}, corpus.CategoryDisability},
		{[]string{"养老", "老年", "高龄", "长期护理"}, corpus.CategoryElderly},
		{[]string{"低保", "特困", "救助"}, corpus.CategoryAssistance},
		{[]string{"住房", "公租房", "人才公寓", "租赁"}, corpus.CategoryHousing},
		{[]string{"减税", "税费", "六税两费", "减征", "免征"}, corpus.CategoryTax},
		{[]string{"贷款", "贴息", "上市", "金融", "融资", "担保"}, corpus.CategoryFinance},
		{[]string{"稳岗", "就业", "创业", "失业"}, corpus.CategoryEmployment},
		{[]string{"人才"}, corpus.CategoryTalent},
		{[]string{"补贴", "补助", "奖励", "资金", "资助", "房租"}, corpus.CategorySubsidy},
	}
	for _, r := range rules {
		for _, w := range r.words {
			if strings.Contains(s, w) {
				return r.cat
			}
		}
	}
	return corpus.CategoryOther
}

// guangzhou reads corpus/guangzhou/documents.json.
func guangzhou(shared string) ([]corpus.Document, error) {
	raw, err := os.ReadFile(filepath.Join(shared, "corpus", "guangzhou", "documents.json"))
	if err != nil {
		return nil, err
	}
	var in []struct {
		Title       string `json:"title"`
		Source      string `json:"source"`
		DocNo       string `json:"doc_no"`
		PublishDate string `json:"publish_date"`
		SourceURL   string `json:"source_url"`
		Text        string `json:"original_text"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("guangzhou documents: %w", err)
	}
	var docs []corpus.Document
	for _, x := range in {
		region := "440100"
		if strings.Contains(x.Source, "天河") {
			region = "440106"
		}
		if strings.HasPrefix(x.Source, "国务院") {
			region = corpus.RegionNational
		}
		d := corpus.Document{
			Title:     strings.TrimSpace(x.Title),
			Issuer:    x.Source,
			DocNumber: docNumber(x.DocNo),
			Region:    region,
			Audience:  corpus.AudienceResident,
			Category:  categoryOf(x.Title, x.Text),
			SourceURL: x.SourceURL,
			Text:      x.Text,
		}
		d.PublishDate, _ = corpus.ParseDate(x.PublishDate)
		docs = append(docs, d)
	}
	return docs, nil
}

// beijing reads corpus/beijing/cards.jsonl (enterprise policy cards).
func beijing(shared string) ([]corpus.Document, error) {
	f, err := os.Open(filepath.Join(shared, "corpus", "beijing", "cards.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []corpus.Document
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for n := 1; sc.Scan(); n++ {
		var x struct {
			Title       string  `json:"title"`
			Issuer      string  `json:"issuer"`
			DocNo       *string `json:"doc_no"`
			PublishDate *string `json:"publish_date"`
			Tool        *string `json:"tool_category"`
			Text        string  `json:"raw_layout_text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			return nil, fmt.Errorf("cards.jsonl line %d: %w", n, err)
		}
		d := corpus.Document{
			Title:    strings.TrimSpace(x.Title),
			Issuer:   x.Issuer,
			Region:   "110000",
			Audience: corpus.AudienceEnterprise,
			Text:     x.Text,
		}
		if x.DocNo != nil {
			d.DocNumber = strings.Join(strings.Fields(*x.DocNo), "")
		}
		if x.PublishDate != nil {
			d.PublishDate, _ = corpus.ParseDate(*x.PublishDate)
		}
		tool := ""
		if x.Tool != nil {
			tool = *x.Tool
		}
		switch {
		case strings.Contains(tool, "减税"):
			d.Category = corpus.CategoryTax
		default:
			d.Category = categoryOf(x.Title+" "+tool, x.Text)
		}
		docs = append(docs, d)
	}
	return docs, sc.Err()
}

// writeProfiles concatenates the boundary profiles of the labelled cases, so
// the demo has subjects to match: real-shaped enterprises and residents from
// the regions of the sample policies.
func writeProfiles(shared, out string) error {
	files, _ := filepath.Glob(filepath.Join(shared, "eval-dev", "*", "*", "profiles.jsonl"))
	sort.Strings(files)
	var buf strings.Builder
	seen := map[string]bool{}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			var p struct {
				Kind string `json:"kind"`
				ID   string `json:"id"`
			}
			if err := json.Unmarshal([]byte(line), &p); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if seen[p.Kind+"/"+p.ID] {
				continue // the same subject in two cases: keep the first
			}
			seen[p.Kind+"/"+p.ID] = true
			buf.WriteString(line + "\n")
			n++
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %d profiles to %s\n", n, out)
	return os.WriteFile(out, []byte(buf.String()), 0o644)
}
