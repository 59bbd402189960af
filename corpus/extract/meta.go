package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// meta is what a policy says about itself.
type meta struct {
	title, docNumber, issuer, region string
	published                        corpus.Date
}

var (
	docNumberRe  = regexp.MustCompile(`[\p{Han}]{1,12}〔\d{4}〕\s*\d+\s*号`)
	issuerLabel  = regexp.MustCompile(`^(?:发文机构|发文机关|发布机构|发布单位|信息来源|来源)\s*[：:]?\s*(.+)$`)
	dateLabel    = regexp.MustCompile(`(?:发布日期|发文时间|发布时间|发表时间|成文日期|印发日期)\s*[：:]?\s*(\d{4})[-年/.]\s*(\d{1,2})[-月/.]\s*(\d{1,2})`)
	dateLine     = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$`)
	sourceLineRe = regexp.MustCompile(`^[^，。；]{2,6}[：:]`)
	orgRe        = regexp.MustCompile(`(?:会|院|人民政府|政府办公厅|政府办公室|办公厅|办公室|委员会|局|厅|部|委|中心|银行|总局|署|管委会|管理委员会|财政局|人力资源和社会保障局)$`)
	titleOrgRe   = regexp.MustCompile(`^(.{2,40}?)(?:关于|關於)`)
)

// readMeta reads title, 文号, issuer, issuing region and publication date.
func readMeta(text string) meta {
	var m meta
	lines := nonEmptyLines(text)
	for _, l := range lines[:min(3, len(lines))] {
		t := strings.TrimSpace(l)
		// A title is a short line that is not a salutation (各区人民政府：),
		// a 文号, a date or a field label, and ends no sentence.
		if docNumberRe.MatchString(t) || strings.HasPrefix(t, "各") || strings.HasSuffix(t, "：") ||
			strings.Contains(t, "。") || runeLen(t) > 60 || labelRe.MatchString(t) || metaLineRe.MatchString(t) ||
			enumeratedRe.MatchString(t) || sourceLineRe.MatchString(t) {
			continue
		}
		m.title = t
		break
	}
	m.docNumber = docNumber(text, lines)
	for _, l := range lines {
		if x := issuerLabel.FindStringSubmatch(l); x != nil && m.issuer == "" {
			m.issuer = strings.TrimSpace(x[1])
		}
		if x := dateLabel.FindStringSubmatch(l); x != nil && m.published.IsZero() {
			m.published = date(x[1], x[2], x[3])
		}
	}
	// The signature: organisation lines just before the closing date.
	for i := len(lines) - 1; i > 0; i-- {
		x := dateLine.FindStringSubmatch(lines[i])
		if x == nil {
			continue
		}
		if m.published.IsZero() {
			m.published = date(x[1], x[2], x[3])
		}
		var orgs []string
		for j := i - 1; j >= 0 && len(orgs) < 8; j-- {
			l := lines[j]
			if runeLen(l) > 40 || strings.ContainsAny(l, "，。；：") {
				break
			}
			if !orgRe.MatchString(strings.Fields(l)[len(strings.Fields(l))-1]) && !strings.Contains(l, " ") {
				break
			}
			orgs = append([]string{l}, orgs...)
		}
		if m.issuer == "" && len(orgs) > 0 {
			m.issuer = strings.Join(orgs, "、")
		}
		break
	}
	if m.issuer == "" {
		if x := titleOrgRe.FindStringSubmatch(m.title); x != nil && orgRe.MatchString(strings.TrimSpace(x[1])) {
			m.issuer = strings.TrimSpace(x[1])
		}
	}
	m.region = issuerRegion(m.issuer + " " + m.title)
	return m
}

func nonEmptyLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func date(y, mo, d string) corpus.Date {
	if len(mo) == 1 {
		mo = "0" + mo
	}
	if len(d) == 1 {
		d = "0" + d
	}
	dt, err := corpus.ParseDate(y + "-" + mo + "-" + d)
	if err != nil {
		return corpus.Date{}
	}
	return dt
}

// issuerRegion finds the region an issuer name starts with (扬州市人力资源和
// 社会保障局 → 321000); national bodies (国务院, 中国人民银行, 财政部 …) → 100000.
func issuerRegion(s string) string {
	if nationalRe.MatchString(s) {
		return region.National
	}
	places := findPlaces(s, "")
	if len(places) == 0 {
		return ""
	}
	// Prefer the most specific region that sits inside the first one named.
	best := places[0].code
	for _, p := range places[1:] {
		if region.Within(p.code, best) && p.code != best {
			best = p.code
		}
	}
	return best
}

var nationalRe = regexp.MustCompile(`^(?:国务院|中共中央|中国人民银行|财政部|国家税务总局|人力资源社会保障部|人力资源和社会保障部|工业和信息化部|科技部|商务部|民政部|教育部|国家发展改革委|国家发展和改革委员会|银保监会|证监会|国家外汇管理局|国家金融监督管理总局)`)

// guessAudience decides whom the policy addresses by the words it uses.
func guessAudience(text string) corpus.Audience {
	// The opening of a text says whom it addresses; a huge file is not
	// counted through.
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	e := len(enterpriseWordRe.FindAllStringIndex(text, -1))
	r := len(residentWordRe.FindAllStringIndex(text, -1))
	switch {
	case e == 0 && r == 0:
		return corpus.AudienceBoth // checked first: 0 >= 2*0 would say enterprise
	case e > 0 && r == 0:
		return corpus.AudienceEnterprise
	case r > 0 && e == 0:
		return corpus.AudienceResident
	case e >= 2*r:
		return corpus.AudienceEnterprise
	case r >= 2*e:
		return corpus.AudienceResident
	case e == 0 && r == 0:
		return corpus.AudienceBoth
	}
	return corpus.AudienceBoth
}

var (
	enterpriseWordRe = regexp.MustCompile(`企业|公司|营业收入|纳税|注册资本|个体工商户|经营主体|市场主体|法人|企事业单位`)
	residentWordRe   = regexp.MustCompile(`退役士兵|老年人|老人|居民|残疾人|儿童|幼儿|个人|周岁|户籍|家庭|毕业生|就业困难人员|失业人员|退役军人|妇女|学生|借款人|本人|津贴|脱贫|低保|特困|孤儿|高龄|农民工|劳动者|创业者|创办人|患者|遗属|优抚|军属|婴幼儿|孕产妇|劳动力|求职|见习|灵活就业|务工|未成年人|监护人|子女|配偶|居住证`)
)

// docNumber finds the text's own 文号: one on a line of its own or in a
// 发文字号 field first, else the first one that is not a citation of
// another document (《…》（苏人社发〔2021〕69号）).
func docNumber(text string, lines []string) string {
	for _, l := range lines {
		if d := docNumberRe.FindString(l); d != "" && (runeLen(l) <= runeLen(d)+8) {
			return strings.ReplaceAll(d, " ", "")
		}
	}
	for _, loc := range docNumberRe.FindAllStringIndex(text, -1) {
		before := text[max(0, loc[0]-9):loc[0]]
		if strings.HasSuffix(before, "》（") || strings.HasSuffix(before, "》") || strings.HasSuffix(before, "》(") {
			continue
		}
		return strings.ReplaceAll(text[loc[0]:loc[1]], " ", "")
	}
	return ""
}
