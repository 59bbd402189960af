package extract

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// unitClass groups units by the kind of quantity they measure; a number is
// only read against a field of its class (money against 营业收入, % against
// 裁员率 …), so 不超过企业职工总数的20% is a rate, not a head count.
type unitClass uint8

const (
	classNone unitClass = iota
	classMoney
	classRate
	classPeople
	classYears
	classAge
)

// numberRe finds a quantity: digits or a small Chinese numeral, then a unit.
var numberRe = regexp.MustCompile(`(\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})\s*(亿元|万元|元|亿|万|%|人|名|周岁|岁|个月|年)`)

// ageRangeRe is X-Y周岁, X至Y周岁, X~Y岁 (both ends included).
var ageRangeRe = regexp.MustCompile(`(\d{1,3})\s*(?:周岁|岁)?\s*(?:（含\d*(?:周岁|岁)?）)?\s*(?:-{1,2}|~|至|到)\s*(\d{1,3})\s*(?:周岁|岁)`)

// fieldWord ties a word of the text to a field of a unit class. Field ""
// marks a quantity the vocabulary cannot express (its clause is unparsed).
type fieldWord struct {
	re    *regexp.Regexp
	field string
	class unitClass
}

var fieldWords = []fieldWord{
	{regexp.MustCompile(`应纳税所得额|所得额|社保缴费基数|缴费基数|失业率`), "", classMoney},
	// 家庭年收入 / 个人年收入 is a household's or a person's income, not a
	// firm's revenue; only 人均月收入 has a key.
	{regexp.MustCompile(`(?:家庭|个人|本人|人均)(?:年)?(?:纯收入|可支配收入|收入)`), "", classMoney},
	{regexp.MustCompile(`营业收入|销售收入|主营业务收入|营收|销售额|经营收入|年收入`), "revenue", classMoney},
	{regexp.MustCompile(`纳税总额|纳税额|缴纳税收|税收贡献|纳税|缴税`), "tax_paid", classMoney},
	{regexp.MustCompile(`研发费用|研发投入|研究开发费用|研发经费|研发支出|研究与试验发展经费`), "rd_expense", classMoney},
	{regexp.MustCompile(`资产总额|总资产`), "total_assets", classMoney},
	{regexp.MustCompile(`出口额|出口总额|进出口额|出口`), "export_value", classMoney},
	{regexp.MustCompile(`注册资本|注册资金`), "registered_capital", classMoney},
	{regexp.MustCompile(`人均月收入|月人均收入|月均收入`), "income_per_capita_monthly", classMoney},
	{regexp.MustCompile(`裁员率`), "layoff_rate", classRate},
	{regexp.MustCompile(`(?:研发|研究开发|研究与试验发展)(?:费用|投入|经费|支出)(?:总额)?[^，。；]{0,16}(?:占|比例|比重)`), "rd_ratio", classRate},
	{regexp.MustCompile(`占比|比例|比重`), "", classRate},
	{regexp.MustCompile(`参保职工|参保人数|参保缴费人数|参保员工|参保`), "insured_employees", classPeople},
	{regexp.MustCompile(`从业人员|从业人数|职工总数|在职职工|职工人数|员工|职工|用工|从业`), "employees", classPeople},
	// 正常经营三个月以上 / 稳定经营六个月以上 is a record of trading (of a
	// shop or a person's trade), not the age of an enterprise: kept unparsed.
	// It stands before established_years so that it wins the tie on 经营.
	{regexp.MustCompile(`(?:正常|稳定)经营`), "", classYears},
	{regexp.MustCompile(`成立|注册|经营|运营|设立`), "established_years", classYears},
	{regexp.MustCompile(`毕业|离校`), "graduation_years", classYears},
}

// opWord is a comparison word written before a number.
type opWord struct {
	word string
	op   corpus.Op
}

// prefixOps are the comparison words before a number, longest first so that
// 不低于 is not read as 低于.
var prefixOps = []opWord{
	{"不低于", corpus.OpGte}, {"不少于", corpus.OpGte}, {"不小于", corpus.OpGte}, {"不得低于", corpus.OpGte},
	{"不超过", corpus.OpLte}, {"不高于", corpus.OpLte}, {"不多于", corpus.OpLte}, {"不大于", corpus.OpLte}, {"不得超过", corpus.OpLte},
	{"不足", corpus.OpLt}, {"未满", corpus.OpLt}, {"不满", corpus.OpLt}, {"未达到", corpus.OpLt},
	{"达到", corpus.OpGte}, {"年满", corpus.OpGte}, {"满", corpus.OpGte}, {"≥", corpus.OpGte}, {"≤", corpus.OpLte},
	{"超过", corpus.OpGt}, {"高于", corpus.OpGt}, {"大于", corpus.OpGt}, {"多于", corpus.OpGt}, {"逾", corpus.OpGt},
	{"低于", corpus.OpLt}, {"少于", corpus.OpLt}, {"小于", corpus.OpLt},
	{"最高", corpus.OpLte}, {"最多", corpus.OpLte}, {"最低", corpus.OpGte},
}

var amountWordRe = regexp.MustCompile(`期限|延长|补贴|奖励|资助|补助|额度|贷款|贴息|返还|给予`)

// thresholdHit is one number read as a comparison.
type thresholdHit struct {
	field    string // "" = outside the vocabulary
	op       corpus.Op
	value    float64
	year     *int
	start    int  // byte offset of the number in the sentence
	explicit bool // the text said （含） or （不含）
	gender   string
}

// readThresholds finds the comparisons on known quantities in one sentence.
func readThresholds(s string) []thresholdHit {
	var out []thresholdHit
	consumed := make([]bool, len(s)+1)
	for _, m := range ageRangeRe.FindAllStringSubmatchIndex(s, -1) {
		lo, _ := strconv.Atoi(s[m[2]:m[3]])
		hi, _ := strconv.Atoi(s[m[4]:m[5]])
		if lo >= hi || hi > 150 {
			continue
		}
		g := genderBefore(s, m[0])
		out = append(out,
			thresholdHit{field: "age", op: corpus.OpGte, value: float64(lo), start: m[0], gender: g},
			thresholdHit{field: "age", op: corpus.OpLte, value: float64(hi), start: m[4], gender: g})
		for i := m[0]; i < m[1]; i++ {
			consumed[i] = true
		}
	}
	prevEnd := 0
	for _, m := range numberRe.FindAllStringSubmatchIndex(s, -1) {
		numStart, numEnd, unitEnd := m[2], m[3], m[5]
		if consumed[numStart] {
			prevEnd = unitEnd
			continue
		}
		numText, unit := s[numStart:numEnd], s[m[4]:m[5]]
		v, ok := parseNumber(numText)
		if !ok {
			continue
		}
		class := classOf(unit)
		if class == classMoney && foreignMoneyRe.MatchString(s[unitEnd:]) {
			// 500万美元: the vocabulary's amounts are in yuan; the clause is
			// kept unparsed rather than read at a wrong value.
			out = append(out, thresholdHit{field: "", start: numStart})
			prevEnd = unitEnd
			continue
		}
		if class == classYears && v >= 1900 {
			continue // a calendar year: 2019年, 2020年度
		}
		if (unit == "年" || unit == "个月") && strings.HasPrefix(s[unitEnd:], "度") {
			continue
		}
		// 补贴期限最长不超过2年, 奖励不超过50万元: how much or how long a
		// benefit runs, not who qualifies.
		clauseStart := max(0, numStart-60)
		if k := strings.LastIndexAny(s[clauseStart:numStart], "，；。："); k >= 0 {
			clauseStart += k
		}
		if class != classAge && amountWordRe.MatchString(s[clauseStart:numStart]) {
			prevEnd = unitEnd
			continue
		}
		h := thresholdHit{start: numStart, value: v * unitScale(unit)}
		if class == classAge {
			h.field = "age"
			h.gender = genderBefore(s, numStart)
		}
		kwEnd := -1
		if h.field == "" {
			f, end, found := fieldBefore(s, numStart, class)
			if !found {
				f, found = fieldAfter(s, unitEnd, class)
				end = numStart
			}
			if !found {
				prevEnd = unitEnd
				continue
			}
			if f == "" && class == classRate && rdShare(s[max(0, numStart-120):numStart]) {
				f = "rd_ratio" // 研发投入不低于300万元，且占营业收入比例不低于3%
			}
			if f == "" {
				out = append(out, thresholdHit{field: "", start: numStart})
				prevEnd = unitEnd
				continue
			}
			if class == classYears && otherDuration(s[min(end, numStart):numStart], s[unitEnd:]) {
				prevEnd = unitEnd
				continue // 毕业…，签订1年以上劳动合同: the years of a contract
			}
			h.field, kwEnd = f, end
		} else {
			kwEnd = max(prevEnd, numStart-24)
		}
		gapStart := max(kwEnd, prevEnd)
		if gapStart > numStart {
			gapStart = numStart
		}
		op, explicit, ok := comparison(s[gapStart:numStart], s[unitEnd:], h.field)
		prevEnd = unitEnd
		if !ok {
			continue
		}
		h.op, h.explicit = op, explicit
		if fd, ok := corpus.LookupField(h.field); ok && fd.PerYear {
			y := yearBefore(s[:numStart])
			h.year = &y
		}
		out = append(out, h)
	}
	return out
}

func classOf(unit string) unitClass {
	switch unit {
	case "亿元", "万元", "元", "亿", "万":
		return classMoney
	case "%":
		return classRate
	case "人", "名":
		return classPeople
	case "年", "个月":
		return classYears
	case "周岁", "岁":
		return classAge
	}
	return classNone
}

func unitScale(unit string) float64 {
	switch unit {
	case "亿元", "亿":
		return 1e8
	case "万元", "万":
		return 1e4
	case "%":
		return 0.01
	case "个月":
		return 1.0 / 12
	}
	return 1
}

var chineseDigits = map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// parseNumber reads 12, 3.62 or a Chinese numeral up to 九十九.
func parseNumber(s string) (float64, bool) {
	if isDigit([]rune(s)[0]) {
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		d, ok := chineseDigits[rs[0]]
		return float64(d), ok
	case len(rs) == 2 && rs[0] == '十':
		d, ok := chineseDigits[rs[1]]
		return float64(10 + d), ok
	case len(rs) == 2 && rs[1] == '十':
		d, ok := chineseDigits[rs[0]]
		return float64(d * 10), ok
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := chineseDigits[rs[0]]
		b, ok2 := chineseDigits[rs[2]]
		return float64(a*10 + b), ok1 && ok2
	}
	return 0, false
}

// fieldBefore finds the nearest field word of the class before pos, within
// the clause run up to 40 bytes... of text back (a sentence may name the
// quantity once for two numbers: 注册1年（含）以上，3年（含）以内).
func fieldBefore(s string, pos int, class unitClass) (field string, end int, ok bool) {
	from := max(0, pos-90)
	// Do not look back past a sentence end.
	if k := strings.LastIndexAny(s[from:pos], "。；"); k >= 0 {
		from += k + 1
	}
	window := s[from:pos]
	best := -1
	for _, fw := range fieldWords {
		if fw.class != class {
			continue
		}
		locs := fw.re.FindAllStringIndex(window, -1)
		if len(locs) == 0 {
			continue
		}
		l := locs[len(locs)-1]
		// Nearest wins; on a tie the earlier table entry (more specific) wins.
		if l[1] > best {
			best, field, end, ok = l[1], fw.field, from+l[1], true
		}
	}
	return field, end, ok
}

// fieldAfter finds a field word of the class just after a number
// (30人（含）以下的参保企业).
func fieldAfter(s string, pos int, class unitClass) (string, bool) {
	window := s[pos:min(len(s), pos+30)]
	if k := strings.IndexAny(window, "，。；"); k >= 0 {
		window = window[:k]
	}
	for _, fw := range fieldWords {
		if fw.class == class && fw.re.MatchString(window) {
			return fw.field, true
		}
	}
	return "", false
}

// comparison reads the operator from the words between the field and the
// number (gap) and those after the unit (after).
func comparison(gap, after, field string) (corpus.Op, bool, bool) {
	var pre corpus.Op
	best := -1
	for _, w := range prefixOps {
		if k := strings.LastIndex(gap, w.word); k >= 0 && k+len(w.word) > best {
			// Prefer the word ending nearest the number; among words ending at
			// the same place the longer one (listed first) wins.
			best, pre = k+len(w.word), w.op
		}
	}
	after = strings.TrimLeft(after, " ")
	incl, excl := false, false
	eat := func(p string) bool {
		if strings.HasPrefix(after, p) {
			after = strings.TrimLeft(after[len(p):], " ")
			return true
		}
		return false
	}
	markers := func() {
		for {
			switch {
			case eat("（含本数）"), eat("（含）"):
				incl = true
			case eat("（不含本数）"), eat("（不含）"):
				excl = true
			case strings.HasPrefix(after, "（含"):
				// （含80周岁）
				if k := strings.Index(after, "）"); k > 0 && k < 20 {
					after = after[k+len("）"):]
					incl = true
					continue
				}
				return
			default:
				return
			}
		}
	}
	markers()
	var suf corpus.Op
	switch {
	case field == "age" && (strings.HasPrefix(after, "至法定") || strings.HasPrefix(after, "到法定")):
		// 16周岁至法定退休年龄: the lower end of a range whose upper end
		// has no number (kept unparsed by the retirement rule).
		suf = corpus.OpGte
	case eat("及以上"), eat("以上"), eat("或以上"):
		suf = corpus.OpGte
	case eat("及以下"), eat("以下"), eat("或以下"):
		suf = corpus.OpLte
	case eat("以内"):
		suf = corpus.OpLte
		if field == "graduation_years" {
			suf = corpus.OpLt
		}
	case eat("之内"), eat("内"):
		suf = corpus.OpLt
	}
	markers()
	op := pre
	if suf != "" && (pre == "" || pre == corpus.OpGte && suf == corpus.OpGte || pre == corpus.OpLte && suf == corpus.OpLte ||
		pre == corpus.OpGt || pre == corpus.OpLt) {
		// 在30人以上, 满1年以上, 年满80周岁及以上: the suffix decides.
		if !(pre == corpus.OpGt || pre == corpus.OpLt) {
			op = suf
		}
	}
	if op == "" {
		return "", false, false
	}
	switch {
	case incl && op == corpus.OpGt:
		op = corpus.OpGte
	case incl && op == corpus.OpLt:
		op = corpus.OpLte
	case excl && op == corpus.OpGte:
		op = corpus.OpGt
	case excl && op == corpus.OpLte:
		op = corpus.OpLt
	}
	return op, incl || excl, true
}

// yearBefore reads the relative year a per-year amount refers to from the
// text before it: 上年度 → -1, 当年 → 0; with none stated, the last completed
// year.
var yearWordRe = regexp.MustCompile(`上一?(?:会计)?年度?|最近一个会计年度|前一年度|当年|本年度|今年`)

func yearBefore(s string) int {
	from := max(0, len(s)-120)
	if k := strings.LastIndexAny(s[from:], "。；"); k >= 0 {
		from += k + 1
	}
	locs := yearWordRe.FindAllString(s[from:], -1)
	if len(locs) == 0 {
		return -1
	}
	switch locs[len(locs)-1] {
	case "当年", "本年度", "今年":
		return 0
	}
	return -1
}

// genderBefore returns "female" or "male" when a gender word governs the
// number at pos within its clause (女性不超过55周岁).
func genderBefore(s string, pos int) string {
	from := max(0, pos-30)
	w := s[from:pos]
	if k := strings.LastIndexAny(w, "，。；、"); k >= 0 {
		w = w[k:]
	}
	fi, mi := strings.LastIndex(w, "女"), strings.LastIndex(w, "男")
	switch {
	case fi > mi:
		return "female"
	case mi > fi:
		return "male"
	}
	return ""
}

// otherDurationGapRe is a word between a field word and a number of years
// that starts another measure of time (签订…合同, 缴纳…, 居住…, 工作…): the
// years are that measure's, not the firm's age or the time since
// graduation.
var otherDurationGapRe = regexp.MustCompile(`签订|合同|缴纳|缴费|参保|居住|工作|服务|从事|任职|实习|培训|就业|聘用|劳动|期限|贷款|租赁|补贴|享受|入驻|落户|发生|事故|处罚|失信|违法|违规|记录|获得|认定|纳税|申报|名下`)

// lookbackRe is a window of time counted back from now (近三年内, 最近2年,
// 过去3年): it times another condition (未发生事故), it is no threshold.
var lookbackRe = regexp.MustCompile(`(?:近|最近|过去|前)$`)

// otherDurationAfterRe is a contract or a term named right after the years
// (1年以上劳动合同, 3年期限).
var otherDurationAfterRe = regexp.MustCompile(`^(?:（含）)?(?:及以上|以上|以下|以内)?(?:（含）)?(?:的)?(?:劳动|聘用|服务|租赁|贷款|用工)?(?:合同|协议|期限)`)

// otherDuration reports years that measure something other than the field
// word found before them.
func otherDuration(gap, after string) bool {
	return lookbackRe.MatchString(gap) || otherDurationGapRe.MatchString(gap) || otherDurationAfterRe.MatchString(strings.TrimLeft(after, " "))
}

// foreignMoneyRe is a currency other than the yuan after an amount.
var foreignMoneyRe = regexp.MustCompile(`^\s*(?:美元|美金|港元|港币|欧元|日元|英镑)`)

// rdShareRe is a share of revenue named without its numerator (且占营业收入
// 比例不低于3%); rdShare reads it as rd_ratio when the clause before it is
// about R&D spending and nothing else is named as the numerator in between.
var (
	rdShareRe    = regexp.MustCompile(`(?:研发|研究开发)(?:费用|投入|经费|支出)[^。；]{0,40}[，,](?:且|并且|并|其)?占(?:同期)?(?:主营业务|营业|销售)收入(?:总额)?的?(?:比例|比重)?[^，。；]{0,6}$`)
	otherShareRe = regexp.MustCompile(`出口|利润|税收|纳税|人员|职工|资产`)
)

func rdShare(window string) bool {
	m := rdShareRe.FindStringIndex(window)
	return m != nil && !otherShareRe.MatchString(window[m[0]:])
}
