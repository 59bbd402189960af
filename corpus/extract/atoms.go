package extract

import (
	"regexp"
	"sort"
	"strings"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// hit is one condition found in a sentence, with where it starts (byte
// offset) so that conditions can be grouped by the clause they come from.
type hit struct {
	cond     corpus.Cond
	start    int
	list     string // non-empty: part of an enumeration of alternatives (tags of groups)
	gender   string // an age bound that holds for one gender only
	explicit bool   // the threshold carried （含）/（不含）
	subject  bool   // names the kind of subject (scale, tag, enterprise type)
	grouped  bool   // an item of an enumeration of alternatives (groupLists)
	end      int    // byte offset after the words read; 0 when not known
}

// tagRule maps a wording to a tag of the CONTRACT vocabulary.
type tagRule struct {
	re  *regexp.Regexp
	tag string
	// not marks a wording that excludes the tag (规模以下).
	audience corpus.Audience
}

var tagRules = []tagRule{
	{regexp.MustCompile(`专精特新[“"]?小巨人[”"]?`), "专精特新“小巨人”企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`专精特新[”"]?(?:中小)?企业|专精特新`), "专精特新中小企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`(?:国家级?)?高新技术企业|高企`), "高新技术企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`科技型中小企业`), "科技型中小企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`创新型中小企业`), "创新型中小企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`规模以上工业企业|规上工业企业`), "规模以上工业企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`限额以上批发(?:和|、)?零售(?:业)?企业|限上批零企业`), "限额以上批发零售企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`农业产业化(?:国家|省|市)?(?:级)?(?:重点)?龙头企业`), "农业产业化龙头企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`技术先进型服务企业`), "技术先进型服务企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`个体工商户|个体经济组织|个体户`), "个体工商户", corpus.AudienceBoth},
	{regexp.MustCompile(`上市公司|上市企业`), "上市企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`外贸企业`), "外贸企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`瞪羚企业`), "瞪羚企业", corpus.AudienceEnterprise},
	{regexp.MustCompile(`最低生活保障边缘家庭|低保边缘(?:家庭|户|对象)?|低收入(?:家庭|人口|群体|人员)`), "低收入人口", corpus.AudienceResident},
	{regexp.MustCompile(`低保(?:家庭|对象|户|人员)|低保(?:、|或|和|及)|最低生活保障(?:家庭|对象)|享受低保|(?:城市|城镇|农村|城乡)(?:居民)?(?:最低生活保障|低保)|享受(?:城乡|城市|城镇|农村)?(?:居民)?最低生活保障|最低生活保障(?:待遇|户|人员|对象|家庭)`), "低保对象", corpus.AudienceResident},
	{regexp.MustCompile(`特困(?:供养)?人员|特困供养|特困对象|五保(?:供养)?(?:对象|户|老人|人员)`), "特困人员", corpus.AudienceResident},
	{regexp.MustCompile(`建档立卡贫困(?:人口|户|家庭)?|脱贫人口|脱贫户|脱贫家庭`), "脱贫人口", corpus.AudienceResident},
	{regexp.MustCompile(`残疾人证|残疾证|残疾军人证|残疾人|残疾(?:儿童|少年|学生|青年|妇女|老人|老年人|职工|军人)`), "残疾人", corpus.AudienceResident},
	{regexp.MustCompile(`退役军人|退役士兵|复员军人|转业军人|军队转业干部|军转干部|(?:复员)?退伍军人|军队退役人员`), "退役军人", corpus.AudienceResident},
	{regexp.MustCompile(`登记失业人员|登记失业`), "登记失业人员", corpus.AudienceResident},
	{regexp.MustCompile(`就业困难人员`), "就业困难人员", corpus.AudienceResident},
	{regexp.MustCompile(`高校毕业生|普通高等学校毕业生|高等院校毕业生|大学毕业生`), "高校毕业生", corpus.AudienceResident},
	{regexp.MustCompile(`独居老人|独居老年人|独居`), "独居老人", corpus.AudienceResident},
	{regexp.MustCompile(`孤儿`), "孤儿", corpus.AudienceResident},
	{regexp.MustCompile(`事实无人抚养儿童`), "事实无人抚养儿童", corpus.AudienceResident},
	{regexp.MustCompile(`城乡居民(?:基本)?养老保险参保人|参加城乡居民(?:基本)?养老保险`), "城乡居民养老保险参保人", corpus.AudienceResident},
	{regexp.MustCompile(`计划生育特殊家庭|计生特殊家庭|失独家庭`), "计划生育特殊家庭", corpus.AudienceResident},
}

// notTagRe finds wordings that name a tag but are not it (中关村高新技术企业
// is a different certificate; 高新技术企业认定辅导 is a service).
var notTagRe = regexp.MustCompile(`中关村高新技术企业|高新技术企业认定辅导|高新技术产业|高新技术企业培育|高新技术企业认定奖励|高新技术企业迁入奖励|全国中小企业股份转让`)

var (
	aboveScaleRe = regexp.MustCompile(`规模以上（限额以上）|规模以上或限额以上|规（限）上|上规模（上限额）|规上（限上）|上规模|规模以上企业`)
	belowScaleRe = regexp.MustCompile(`规模以下（限额以下）|规模以下或限额以下|规（限）下|规模以下企业|规下（限下）`)

	largeRe       = regexp.MustCompile(`大型企业`)
	techFirmRe    = regexp.MustCompile(`科技型企业`)
	smeRe         = regexp.MustCompile(`中小微企业|中小微型企业`)
	smallMicroRe  = regexp.MustCompile(`小微企业|小型微型企业|小微型企业|小型、微型企业`)
	insuredRe     = regexp.MustCompile(`参保企业|参保单位|依法参加失业保险|参加失业保险|以单位形式参保|依法参保|缴纳失业保险费的企业`)
	noLayoffRe    = regexp.MustCompile(`未裁员|不裁员|零裁员|无裁员`)
	fewLayoffRe   = regexp.MustCompile(`(?:未裁员|不裁员|零裁员|无裁员)或少裁员`)
	dishonestRe   = regexp.MustCompile(`未(?:被)?(?:列入|纳入)[^，。；]{0,16}(?:失信|黑名单|异常名录)|无(?:不良)?(?:诚信|信用)记录|无不良信用|无严重失信|信用良好|不属于[^，。；]{0,6}失信|无不良诚信|无(?:严重)?失信(?:记录|行为)|未(?:被)?列为[^，。；]{0,12}失信`)
	disabledLvlRe = regexp.MustCompile(`残疾等级为?(?:一、二级|一级、二级|一至二级|1-2级|1至2级|一级或二级)|(?:一、二级|一级、二级|一至二级|一级或二级)(?:的)?(?:重度)?残疾|重度残疾|重残`)
	flexRe        = regexp.MustCompile(`灵活就业|从事个体经营`)
	// 高校毕业生创业: a person who starts a business. Not
	// 创业担保贷款 or 创业培训, which name a programme.
	startupRe      = regexp.MustCompile(`(?:毕业生|青年|人员|农民工|妇女|军人|士兵|残疾人)创业`)
	startupThingRe = regexp.MustCompile(`^(?:担保|贷款|补贴|培训|资助|孵化|带动|园|基地|项目|服务|实体|团队|主体|载体|平台|大赛|指导|政策)`)
	// 自主就业 / 自主择业 is how a veteran was placed: no field says it.
	placementRe  = regexp.MustCompile(`自主就业|自主择业`)
	unemployedRe = regexp.MustCompile(`未就业|失业人员|失业青年|处于失业状态|无业(?:人员|居民|状态|者)|处于无业`)
	// 企业在职职工 are people in a job; 在职 alone also names civil servants.
	staffRe = regexp.MustCompile(`企业在职职工|在职职工`)
	// 在职职工人数 / 在职职工总数 counts a firm's staff.
	staffCountRe = regexp.MustCompile(`在职职工(?:人数|总数|数)`)
	studentRe    = regexp.MustCompile(`本专科生|本科生|专科生|在校大学生|在校生|在校学生|在读|在校|毕业学年学生|毕业年度学生`)
	empOrBizRe   = regexp.MustCompile(`就业或创业|已就业或自主创业|实现就业或创业`)
	retiredRe    = regexp.MustCompile(`退休人员|已退休`)
	// 城市居民低保 is the urban scheme, 农村低保 the rural one: the scheme
	// follows the kind of hukou.
	ruralRe       = regexp.MustCompile(`农村户籍|农业户口|农村户口|农村(?:居民)?(?:最低生活保障|低保)`)
	urbanRe       = regexp.MustCompile(`城镇户籍|非农业户口|城市户籍|城镇户口|(?:城市|城镇)(?:居民)?(?:最低生活保障|低保)`)
	birthRangeRe  = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:-|~|至|到)\s*(\d{4})年(\d{1,2})月(\d{1,2})日[^，。；]{0,6}出生`)
	birthAfterRe  = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日(?:以后|之后|后|（含）以后)出生`)
	birthBeforeRe = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日(?:以前|之前|前)出生`)
	degreeRe      = regexp.MustCompile(`(?:全日制)?(` + degreeWords + `)(?:（含[^（）]{0,8}）)?(?:及以上|以上)(?:学历|学位)?|(?:全日制)?(` + degreeWords + `)(?:学历|学位)|(博士|硕士)(?:研究生)?(?:学位)?`)
	// schoolListRe is a list of kinds of school whose graduates qualify
	// (普通高等学校、职业学校、技工院校毕业生): the degrees those schools give.
	schoolListRe = regexp.MustCompile(`(?:` + schoolWords + `)(?:[、和及或与](?:` + schoolWords + `))+(?:的)?(?:应届|往届)?毕业生`)
	schoolRe     = regexp.MustCompile(schoolWords)
	// schoolPlaceRe is a school named by where it is (省内高校, 本市职业院校).
	schoolPlaceRe = regexp.MustCompile(`(?:本省|本市|本区|本县|[^\s，。；、（]{2,6}?(?:省|市|区|县))内?(?:` + schoolWords + `)`)
	employedRe    = regexp.MustCompile(`(?:到|在|进入)([^，。；（]{0,20}?)(?:用人单位|企业|单位)(?:稳定|实现|灵活)?就业|(?:到|在)(本市|本区|本县|本省|本地|当地|[^，。；（、]{1,8}?(?:省|市|区|县))(?:内)?(?:稳定|实现)?就业`)
	historyRe     = regexp.MustCompile(`首次|复审|重新通过|重新认定|新迁入|新引进|新落户|新认定|新获评|首次上规模`)
	nonEntRe      = regexp.MustCompile(`社会团体|基金会|社会服务机构|律师事务所|会计师事务所|民办非企业|事业单位|创业团队|高等学校|高校|科研院所|孵化器|众创空间|行政机关`)
)

const (
	degreeWords = `博士研究生|硕士研究生|博士|硕士|研究生|大学本科|本科|大学专科|大专|专科|高职|中专|中职|技校|高中|初中`
	schoolWords = `普通高等学校|普通高校|高等院校|高等学校|中等职业学校|职业学校|职业院校|技工院校|技工学校|中职学校|技师学院|高校`
)

// schoolDegrees returns the degrees the schools named in a list give, in
// the vocabulary's order: a 高等 school gives associate to doctor, a
// vocational or technical school the vocational degree.
func schoolDegrees(list string) []string {
	give := map[string]bool{}
	for _, w := range schoolRe.FindAllString(list, -1) {
		if strings.Contains(w, "高") && !strings.Contains(w, "高职") {
			give["associate"], give["bachelor"], give["master"], give["doctor"] = true, true, true, true
		} else {
			give["vocational"] = true
		}
	}
	var out []string
	for _, d := range degreeOrder {
		if give[d] {
			out = append(out, d)
		}
	}
	return out
}

// regionCue says which field a place names by the words around it.
var (
	hukouAfter    = regexp.MustCompile(`^(?:户籍|户口|籍|常住户口)`)
	hukouBefore   = regexp.MustCompile(`(?:户籍|户口|户籍地|户口所在地)(?:为|在|属于|须为|应为|需为)$`)
	residenceNear = regexp.MustCompile(`(?:居住在|居住于|常住|居住|持有|持|(?:居住地|常住地|居住证地址)(?:均|须|需|应)?(?:为|在|属于|位于))$`)
	// eitherBefore is 户籍地或居住地在X: the place is one or the other.
	eitherBefore   = regexp.MustCompile(`(?:户籍地?|户口(?:所在地)?)(?:或|或者)(?:居住地|常住地|居住证)(?:均|须|需|应)?(?:为|在|属于|位于)$`)
	residenceAfter = regexp.MustCompile(`^(?:行政区域内|区域内|范围内|辖区内|内)?(?:连续|长期|实际|合法|稳定|累计)?(?:居住|常住|居住证)`)
	registerAfter  = regexp.MustCompile(`^(?:地区|行政区域内|区域内|辖区内|范围内|境内|内)?(?:依法)?(?:办理)?(?:注册|登记|设立|工商注册|注册登记|登记注册|工商登记)`)
	// registerSiteBefore is a firm's registered site named before the place
	// (注册地和纳税地均在本市, 住所地位于本区).
	registerSiteBefore = regexp.MustCompile(`(?:注册地|注册地址|住所地|住所|注册登记地|登记地)[^，。；]{0,20}?(?:均|都|须|需|应|必须)?(?:在|位于|为|属于|设在)$`)
	registerBefore     = regexp.MustCompile(`(?:注册在|注册于|注册地为|注册地在|落户|落户在|注册地|在)$`)
	payerAfter         = regexp.MustCompile(`^对`)
	retireAgeRe        = regexp.MustCompile(`(?:未达到|未到|不超过)?法定退休年龄(?:内|以内|以下|之前|前)|(?:未达到|未到)法定退休年龄|距(?:离)?法定退休年龄(?:不足|不到|少于|不超过)(?:\d+|[一二三四五六七八九十两])(?:年|个月)|(?:周岁|岁)(?:（含）)?(?:以上)?(?:至|到)法定退休年龄(?:之间|期间|以内|内|以下|前)?|(?:法定)?劳动年龄(?:内|段|以内|范围内)`)
	localPrefixRe      = regexp.MustCompile(`(?:本市|本省|本区|本县)$`)
	workAfter          = regexp.MustCompile(`^(?:内|范围内|区域内|行政区域内)?(?:的)?(?:用人单位|企业|单位|公司|机关|园区)?(?:稳定|实现|灵活|自主)?(?:就业|工作|从业|务工|创业)`)
	subjectAfter       = regexp.MustCompile(`^(?:的)?(?:上市公司|挂牌公司|期货公司|证券公司|企业|公司)`)
)

// placeAtoms reads 户籍/居住/注册 places in a sentence.
func placeAtoms(s string, c *docContext) []hit {
	var out []hit
	places := findPlaces(s, c.region)
	sort.Slice(places, func(i, j int) bool { return places[i].start < places[j].start })
	usedHukou, usedRes := false, false
	for _, p := range places {
		before := s[max(0, p.start-12):p.start]
		after := s[p.end:]
		if titledPlace(s, p, places) {
			continue // 在本市办理的《广东省居住证》: the card's issuer is no place of the subject
		}
		if eitherBefore.MatchString(s[max(0, p.start-36):p.start]) || eitherPlace(s[:p.start]) && c.audience != corpus.AudienceEnterprise {
			// 户籍地或居住地在本区: either key places the person there
			// (the second form, with 、 and 居住证登记地, in placecues.go).
			txt := spanAround(s, p.start, p.end)
			out = append(out, hit{cond: corpus.Any(
				corpus.Atom("region", corpus.OpWithin, corpus.String(p.code), txt),
				corpus.Atom("residence_region", corpus.OpWithin, corpus.String(p.code), txt)), start: p.start})
			usedHukou, usedRes = true, true
			continue
		}
		var field string
		switch {
		case residencePlace(before) && c.audience != corpus.AudienceEnterprise:
			field = "residence_region" // 居住地在本市 (placecues.go)
		case hukouAfter.MatchString(after) || hukouBefore.MatchString(before):
			field = "region"
		case residenceNear.MatchString(before) || residenceAfter.MatchString(after):
			field = "residence_region"
		case registerAfter.MatchString(after) || (registerBefore.MatchString(before) && c.audience != corpus.AudienceResident && registerAfter.MatchString(after)):
			if c.audience == corpus.AudienceResident {
				continue // a resident's business registration is not where they live
			}
			field = "region"
		case c.audience != corpus.AudienceResident && registerSiteBefore.MatchString(s[max(0, p.start-72):p.start]):
			field = "region"
		case workAfter.MatchString(after) || strings.HasSuffix(before, "到") && !registerAfter.MatchString(after):
			// 到本市企业就业 / 在本区就业 / 到本市落户: where someone works or
			// goes is neither their 户籍 nor a firm's registration.
			continue
		case (subjectAfter.MatchString(after) || firmInArea(after)) && c.audience != corpus.AudienceResident:
			field = "region"
		case residencePermitPlace(after) && c.audience != corpus.AudienceEnterprise:
			field = "residence_region" // 在本市办理居住证, X市公安机关签发的居住证
		case payerAfter.MatchString(after) && c.audience != corpus.AudienceResident && p.code != c.region && c.region != "" && region.Within(p.code, c.region):
			// 如福州市对新认定的…企业，给予…配套奖励 in a provincial text: a
			// part of the issuing region that pays for its own firms.
			field = "region"
		default:
			continue
		}
		if field == "region" {
			usedHukou = true
		} else {
			usedRes = true
		}
		neg := strings.HasSuffix(before, "非") || strings.HasSuffix(before, "不含") || exceptBefore(before)
		atom := corpus.Atom(field, corpus.OpWithin, corpus.String(p.code), spanAround(s, p.start, p.end))
		if neg {
			atom = corpus.Not(atom)
		}
		out = append(out, hit{cond: atom, start: p.start})
	}
	// 户籍 with no place named: the issuing region (本地户籍, 户籍居家老年人).
	if !usedHukou && c.region != "" && c.region != region.National {
		if m := bareHukouRe.FindStringIndex(s); m != nil {
			out = append(out, hit{cond: corpus.Atom("region", corpus.OpWithin, corpus.String(resolveLocal("本市", c.region)), spanAround(s, m[0], m[1])), start: m[0]})
		}
	}
	_ = usedRes
	return out
}

var asideRe = regexp.MustCompile(`（(?:包括|以下简称|简称|下同|注：|例如|如：|不含[^（）]{2,}|不包括)[^（）]*）`)

var standardAfterRe = regexp.MustCompile(`^(?:的)?(?:标准|线|水平|补助金|救助金|供养金|资金|人数|名单管理|认定条件|认定办法)`)

var relativeAfterRe = regexp.MustCompile(`^(?:的)?(?:子女|儿女|家属|家庭成员|配偶|父母)`)

// exceptBefore reports 除 (except) just before a word, but not 免除, 扣除 …
// where 除 is part of a verb.
func exceptBefore(before string) bool {
	if !strings.HasSuffix(before, "除") {
		return false
	}
	rest := strings.TrimSuffix(before, "除")
	for _, v := range []string{"免", "扣", "剔", "删", "解", "排", "清", "消"} {
		if strings.HasSuffix(rest, v) {
			return false
		}
	}
	return true
}

var bareHukouRe = regexp.MustCompile(`(?:^|[，、的并且和具有])户籍(?:居家)?(?:老年人|居民|人员|老人|儿童|幼儿)`)

// spanAround returns the clause of s around [start,end): from the previous
// clause break to the next one.
func spanAround(s string, start, end int) string {
	from := strings.LastIndexAny(s[:start], "，。；：、（")
	if from < 0 {
		from = 0
	} else {
		from += len(string([]rune(s[from:])[0]))
	}
	to := strings.IndexAny(s[end:], "，。；：、）")
	if to < 0 {
		to = len(s)
	} else {
		to += end
	}
	return trimPunct(s[from:to])
}

// sentenceHits finds every condition in one sentence, in text order.
func sentenceHits(s string, c *docContext) []hit {
	// Asides that explain a word (（包括小微企业、个体工商户…等类型，下同）,
	// （以下简称重点扶持对象）) add no requirement.
	s = asideRe.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat(" ", len(m)) })
	var out []hit
	// Thresholds.
	ths := readThresholds(s)
	for _, t := range ths {
		if t.field == "" {
			continue
		}
		if f, ok := corpus.LookupField(t.field); ok && f.Audience != corpus.AudienceBoth && c.audience != corpus.AudienceBoth && f.Audience != c.audience {
			continue // 创业主体注册登记时间在3年内 is not a resident's own field
		}
		v := corpus.Number(t.value)
		if t.field == "layoff_rate" || t.field == "rd_ratio" {
			v = corpus.Number(round6(t.value))
		}
		op := t.op
		if !t.explicit {
			// 30人以上 … 30人（含）以下: the shared number goes to the （含） side.
			switch {
			case op == corpus.OpGte && c.partition[partitionKey(t.field, t.value, corpus.OpLte)]:
				op = corpus.OpGt
			case op == corpus.OpLte && c.partition[partitionKey(t.field, t.value, corpus.OpGte)]:
				op = corpus.OpLt
			}
		}
		a := corpus.Atom(t.field, op, v, spanAround(s, t.start, t.start+1))
		a.Year = t.year
		out = append(out, hit{cond: a, start: t.start, gender: t.gender, explicit: t.explicit})
	}
	// Places.
	out = append(out, placeAtoms(s, c)...)
	// Tags. unmasked keeps the words a tag rule consumes for the rules that
	// read the same words differently (重度残疾人 is a tag and a grade).
	unmasked := s
	masked := notTagRe.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat("_", len(m)) })
	for _, m := range aboveScaleRe.FindAllStringIndex(masked, -1) {
		txt := s[m[0]:m[1]]
		neg := false
		out = append(out, scaleTagHit(txt, m[0], neg))
		masked = masked[:m[0]] + strings.Repeat("_", m[1]-m[0]) + masked[m[1]:]
	}
	for _, m := range belowScaleRe.FindAllStringIndex(masked, -1) {
		out = append(out, scaleTagHit(s[m[0]:m[1]], m[0], true))
		masked = masked[:m[0]] + strings.Repeat("_", m[1]-m[0]) + masked[m[1]:]
	}
	seenTag := map[string]bool{}
	firstTagAt := map[string]int{}
	for _, tr := range tagRules {
		if c.audience != corpus.AudienceBoth && tr.audience != corpus.AudienceBoth && tr.audience != c.audience && c.audience != "" {
			continue
		}
		for _, m := range tr.re.FindAllStringIndex(masked, -1) {
			if seenTag[tr.tag] {
				// 残疾人证（或残疾军人证）: another wording of the same tag is
				// read, not left over. A certificate in a clause of its own
				// (…残疾人生活补贴对象为…，持有残疾人证) is read again, so that
				// the clause is not kept unparsed; the repeat is merged later.
				if strings.HasSuffix(masked[m[0]:m[1]], "证") && !sameClause(s, firstTagAt[tr.tag], m[0]) {
					out = append(out, hit{cond: corpus.Atom("tags", corpus.OpHas, corpus.String(tr.tag), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
				}
				masked = masked[:m[0]] + strings.Repeat("_", m[1]-m[0]) + masked[m[1]:]
				continue
			}
			if standardAfterRe.MatchString(masked[m[1]:]) {
				continue // 最低生活保障家庭标准 is an amount, not the group
			}
			if tr.audience != corpus.AudienceResident && inOpenKindList(masked, m[0], m[1]) {
				// 参保企业、社会团体、…、以单位形式参保的个体工商户: an open list of
				// the kinds that may apply is an any(), not a required tag;
				// the other requirements of the clause (参保) still hold.
				masked = masked[:m[0]] + strings.Repeat("_", m[1]-m[0]) + masked[m[1]:]
				continue
			}
			seenTag[tr.tag] = true
			firstTagAt[tr.tag] = m[0]
			a := corpus.Atom("tags", corpus.OpHas, corpus.String(tr.tag), spanAround(s, m[0], m[1]))
			neg := m[0] >= 3 && (strings.HasSuffix(masked[:m[0]], "非") || exceptBefore(masked[:m[0]]))
			// 本省脱贫人口 / 本市登记失业人员: a group on the register of the
			// issuing place, whose 户籍 is there.
			if lm := localPrefixRe.FindString(masked[:m[0]]); lm != "" && tr.audience == corpus.AudienceResident {
				if code := resolveLocal(lm, c.region); code != "" {
					a = corpus.All(a, corpus.Atom("region", corpus.OpWithin, corpus.String(code), a.Text))
				}
			}
			if neg {
				a = corpus.Not(a)
			}
			out = append(out, hit{cond: a, start: m[0], list: "tags", subject: true})
			masked = masked[:m[0]] + strings.Repeat("_", m[1]-m[0]) + masked[m[1]:]
		}
	}
	// 科技型企业 is wider than the vocabulary: 科技型中小企业 and 高新技术企业
	// are two kinds of it, and the rest of the category is kept unparsed.
	if m := techFirmRe.FindStringIndex(masked); m != nil && c.audience != corpus.AudienceResident {
		txt := spanAround(s, m[0], m[1])
		out = append(out, hit{cond: corpus.Any(
			corpus.Atom("tags", corpus.OpHas, corpus.String("科技型中小企业"), txt),
			corpus.Atom("tags", corpus.OpHas, corpus.String("高新技术企业"), txt),
			corpus.Unparsed(s[m[0]:m[1]])), start: m[0], subject: true})
	}
	// Scale.
	if !largeRe.MatchString(masked) && !smeRe.MatchString(masked) && !smallMicroRe.MatchString(masked) {
		// 中小企业, 中型企业, 小型企业或微型企业 (scale.go).
		out = append(out, scaleWordHits(s, masked)...)
	}
	if m := largeRe.FindStringIndex(masked); m != nil {
		out = append(out, hit{cond: corpus.Atom("scale", corpus.OpEq, corpus.String("large"), spanAround(s, m[0], m[1])), start: m[0], subject: true, list: "scale"})
	}
	if m := smeRe.FindStringIndex(masked); m != nil {
		out = append(out, hit{cond: corpus.Atom("scale", corpus.OpIn, corpus.Strings("medium", "small", "micro"), spanAround(s, m[0], m[1])), start: m[0], subject: true, list: "scale"})
	} else if m := smallMicroRe.FindStringIndex(masked); m != nil {
		out = append(out, hit{cond: corpus.Atom("scale", corpus.OpIn, corpus.Strings("small", "micro"), spanAround(s, m[0], m[1])), start: m[0], subject: true, list: "scale"})
	}
	simple := func(re *regexp.Regexp, field string, op corpus.Op, v corpus.Value) {
		if m := re.FindStringIndex(masked); m != nil {
			out = append(out, hit{cond: corpus.Atom(field, op, v, spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
		}
	}
	if c.audience != corpus.AudienceResident {
		out = append(out, industryHits(s, masked)...)
		// Every 参保企业 is read: a clause that opens with its own kind of
		// subject (30人（含）以下的参保企业…) keeps the requirement when
		// the sentence splits into one group per subject.
		for _, m := range insuredRe.FindAllStringIndex(masked, -1) {
			out = append(out, hit{cond: corpus.Atom("insured_employees", corpus.OpGte, corpus.Number(1), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
		}
		if m := fewLayoffRe.FindStringIndex(masked); m != nil {
			// 不裁员或少裁员: none, or fewer than some unstated number.
			txt := spanAround(s, m[0], m[1])
			out = append(out, hit{cond: corpus.Any(
				corpus.Atom("layoff_rate", corpus.OpEq, corpus.Number(0), txt),
				corpus.Unparsed("少裁员")), start: m[0], end: m[1]})
			masked = masked[:m[0]] + strings.Repeat("_", m[1]-m[0]) + masked[m[1]:]
		} else if !strings.Contains(s, "少裁员") {
			// Every 未裁员: each kind of subject in 大型企业上年度未裁员或…，
			// 中小微企业上年度未裁员或… has its own.
			for _, m := range noLayoffRe.FindAllStringIndex(masked, -1) {
				out = append(out, hit{cond: corpus.Atom("layoff_rate", corpus.OpEq, corpus.Number(0), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
			}
		}
		simple(dishonestRe, "dishonest", corpus.OpEq, corpus.Bool(false))
		if !dishonestRe.MatchString(masked) {
			simple(dishonestMoreRe, "dishonest", corpus.OpEq, corpus.Bool(false))
		}
	}
	if c.audience != corpus.AudienceEnterprise {
		// 重度残疾子女 describes someone else.
		if m := severeAt(unmasked); m != nil && !relativeAfterRe.MatchString(unmasked[m[1]:]) {
			out = append(out, hit{cond: corpus.Atom("disability_level", corpus.OpLte, corpus.Number(2), spanAround(s, m[0], m[1])), start: m[0]})
			if !seenTag["残疾人"] {
				out = append(out, hit{cond: corpus.Atom("tags", corpus.OpHas, corpus.String("残疾人"), spanAround(s, m[0], m[1])), start: m[0]})
			}
		} else {
			// 三至四级, 二级以上: a grade range (people.go).
			out = append(out, gradeHits(unmasked, seenTag["残疾人"])...)
		}
		switch {
		case empOrBizRe.MatchString(masked):
			simple(empOrBizRe, "employment", corpus.OpIn, corpus.Strings("employed", "self_employed"))
		case employedRe.MatchString(masked) && !flexRe.MatchString(masked):
			simple(employedRe, "employment", corpus.OpEq, corpus.String("employed"))
		case staffRe.MatchString(masked) && !unemployedRe.MatchString(masked) && !staffCountRe.MatchString(masked):
			simple(staffRe, "employment", corpus.OpEq, corpus.String("employed"))
		case flexRe.MatchString(masked):
			simple(flexRe, "employment", corpus.OpEq, corpus.String("self_employed"))
		case startupAt(unmasked) != nil:
			m := startupAt(unmasked)
			out = append(out, hit{cond: corpus.Atom("employment", corpus.OpEq, corpus.String("self_employed"), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
		case unemployedRe.MatchString(masked) && !strings.Contains(masked, "登记失业"):
			simple(unemployedRe, "employment", corpus.OpEq, corpus.String("unemployed"))
		case studentRe.MatchString(masked):
			simple(studentRe, "employment", corpus.OpEq, corpus.String("student"))
		case retiredRe.MatchString(masked):
			simple(retiredRe, "employment", corpus.OpEq, corpus.String("retired"))
		}
		if m := placementRe.FindStringIndex(masked); m != nil {
			out = append(out, hit{cond: corpus.Unparsed(s[m[0]:m[1]]), start: m[0], end: m[1]})
		}
		// 农村户籍地 is a place, not the kind of hukou.
		if m := ruralRe.FindStringIndex(unmasked); m != nil && !strings.HasPrefix(unmasked[m[1]:], "地") {
			out = append(out, hit{cond: corpus.Atom("hukou_type", corpus.OpEq, corpus.String("rural"), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
		}
		if m := urbanRe.FindStringIndex(unmasked); m != nil && !strings.HasPrefix(unmasked[m[1]:], "地") {
			out = append(out, hit{cond: corpus.Atom("hukou_type", corpus.OpEq, corpus.String("urban"), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
		}
		if m := birthRangeRe.FindStringSubmatchIndex(s); m != nil {
			txt := spanAround(s, m[0], m[1])
			out = append(out,
				hit{cond: corpus.Atom("birth_date", corpus.OpGte, corpus.String(ymd(s, m[2:8])), txt), start: m[0]},
				hit{cond: corpus.Atom("birth_date", corpus.OpLte, corpus.String(ymd(s, m[8:14])), txt), start: m[0]})
		} else {
			if m := birthAfterRe.FindStringSubmatchIndex(s); m != nil {
				out = append(out, hit{cond: corpus.Atom("birth_date", corpus.OpGte, corpus.String(ymd(s, m[2:8])), spanAround(s, m[0], m[1])), start: m[0]})
			}
			if m := birthBeforeRe.FindStringSubmatchIndex(s); m != nil {
				out = append(out, hit{cond: corpus.Atom("birth_date", corpus.OpLte, corpus.String(ymd(s, m[2:8])), spanAround(s, m[0], m[1])), start: m[0]})
			}
		}
		// A bare 博士/硕士 (the third form) names an amount band, not a
		// requirement.
		if m := schoolListRe.FindStringIndex(s); m != nil {
			out = append(out, hit{cond: corpus.Atom("degree", corpus.OpIn, corpus.Strings(schoolDegrees(s[m[0]:m[1]])...), spanAround(s, m[0], m[1])), start: m[0], end: m[1]})
		} else if m := degreeRe.FindStringSubmatchIndex(masked); m != nil && (m[2] >= 0 || m[4] >= 0) {
			g := m[2:4]
			if m[2] < 0 {
				g = m[4:6]
			}
			if v, ok := degreeValue(s[g[0]:g[1]], strings.Contains(s[m[0]:m[1]], "以上")); ok {
				out = append(out, hit{cond: corpus.Atom("degree", v.op, v.v, spanAround(s, m[0], m[1])), start: m[0]})
			}
		}
	}
	if c.audience != corpus.AudienceEnterprise {
		// 广东省内普通高等学校…学生: where the school is has no profile key.
		if m := schoolPlaceRe.FindStringIndex(masked); m != nil {
			out = append(out, hit{cond: corpus.Unparsed(s[m[0]:m[1]]), start: m[0], end: m[1]})
		}
	}
	out = studyOrRecent(s, out)
	if m := retireAgeRe.FindStringIndex(masked); m != nil && c.audience != corpus.AudienceEnterprise && !(strings.HasPrefix(s[m[0]:], "距") && hasAge(out)) {
		// 法定退休年龄内: an age ceiling whose number depends on rules the
		// text does not state. 距法定退休年龄不足5年 explained by ages in
		// the same sentence (即女性45周岁以上…) is read from the ages.
		txt := s[m[0]:m[1]]
		if k := strings.IndexAny(txt, "至到"); k > 0 && strings.Contains(txt[:k], "岁") {
			txt = txt[k:] // 16周岁至法定退休年龄: the age is read on its own
		}
		out = append(out, hit{cond: corpus.Unparsed(txt), start: m[0], end: m[1]})
	}
	out = append(out, exceptAsides(s, out)...)
	if m := employedRe.FindStringSubmatchIndex(masked); m != nil && c.audience != corpus.AudienceEnterprise && (m[2] >= 0 && runeLen(s[m[2]:m[3]]) >= 2 || m[4] >= 0) && !flexRe.MatchString(masked) {
		// 到粤北地区用人单位就业: the place of work has no key.
		out = append(out, hit{cond: corpus.Unparsed(trimPunct(s[m[0]:m[1]])), start: m[0] + 1, end: m[1]})
	}
	out = flipExcluded(s, out)
	out = append(out, qualificationAlternatives(s, out)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	// 困境儿童, 烈士遗属: a group no tag stands for; 连续缴纳…满15年、年龄…:
	// an unread requirement beside a read one (people.go). Then the people
	// around a firm, who are not the firm (thirdparty.go, relatives.go).
	out = withUnread(s, groupLists(s, out), c.audience != corpus.AudienceEnterprise)
	return hireLeftover(s, relativePeople(s, firmPeople(s, servedPeople(s, hiredPeople(s, out)))), c.audience)
}

// hireRe is an employer taking people on: what follows describes the people
// hired (招用离校两年内未就业高校毕业生、16-24岁登记失业青年), not the
// employer the benefit goes to.
var hireRe = regexp.MustCompile(`招用|招收|吸纳|聘用|录用|雇用|新招`)

// hiredPeople turns the personal conditions that describe hired people into
// one unparsed condition on the employer: who was hired is not a field of
// the employer's profile.
func hiredPeople(s string, hits []hit) []hit {
	m := hireRe.FindStringIndex(s)
	if m == nil {
		return hits
	}
	end := len(s)
	if k := strings.IndexAny(s[m[0]:], "，；。"); k >= 0 {
		end = m[0] + k
	}
	var out []hit
	dropped := false
	for _, h := range hits {
		if h.start >= m[0] && h.start < end && residentOnly(h.cond) {
			dropped = true
			continue
		}
		out = append(out, h)
	}
	if dropped {
		out = append(out, hit{cond: corpus.Unparsed(trimPunct(s[m[0]:end])), start: m[0]})
		sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	}
	return out
}

// residentOnly reports a condition on a person's own facts (age, tags of
// people, graduation, employment).
func residentOnly(c corpus.Cond) bool {
	for _, a := range c.Atoms() {
		if a.Field == "tags" {
			tag, _ := a.Value.Str()
			for _, t := range corpus.ResidentTags() {
				if t == tag {
					return true
				}
			}
			continue
		}
		if f, ok := corpus.LookupField(a.Field); ok && f.Audience == corpus.AudienceResident {
			return true
		}
	}
	return false
}

// groupLists finds enumerations of kinds of people or firms
// (登记失业人员、就业困难人员、退役军人、刑满释放人员、高校毕业生…): a list
// with at least two tags names groups a subject belongs to one of. Every
// item's conditions become alternatives, and a run of items no rule reads
// is kept as one unparsed alternative.
func groupLists(s string, hits []hit) []hit {
	pos := 0
	for _, cl := range splitKeep(s, "，；。：") {
		k := strings.Index(s[pos:], cl)
		if k < 0 {
			continue
		}
		clStart := pos + k
		pos = clStart + len(cl)
		items := listItems(cl)
		if len(items) < 3 {
			continue
		}
		type span struct{ a, b int }
		var spans []span
		tagged := 0
		for _, it := range items {
			a, b := clStart+it[0], clStart+it[1]
			spans = append(spans, span{a, b})
			for _, h := range hits {
				if h.start >= a && h.start < b && h.list == "tags" {
					tagged++
					break
				}
			}
		}
		if tagged < 2 && !(tagged == 1 && allGroupNouns(cl, items, hits, clStart)) {
			continue
		}
		var run []string
		runStart := -1
		flush := func() {
			if len(run) > 0 {
				hits = append(hits, hit{cond: corpus.Unparsed(strings.Join(run, "、")), start: runStart, list: "tags", grouped: true})
				run, runStart = nil, -1
			}
		}
		firstGroup := true
		for _, sp := range spans {
			has, groupish := false, false
			for i := range hits {
				if hits[i].start >= sp.a && hits[i].start < sp.b {
					has = true
					groupish = groupish || namesGroup(hits[i])
				}
			}
			if has && !groupish && placesOnly(hits, sp.a, sp.b) {
				// 本区户籍、年满60周岁的低保、低收入家庭老年人: an item that
				// only places the person is a requirement of every group,
				// not one of the groups.
				flush()
				continue
			}
			// In the first group, what stands before its 的 (年满60周岁的低保、
			// 低收入家庭老年人) qualifies the whole run of groups.
			common := -1
			if firstGroup && groupish {
				common = commonModifierEnd(s, sp.a, sp.b, hits)
				firstGroup = false
			}
			for i := range hits {
				if hits[i].start >= sp.a && hits[i].start < sp.b && hits[i].start >= common {
					hits[i].list = "tags"
					hits[i].grouped = true
				}
			}
			if has {
				flush()
				continue
			}
			if t := trimPunct(s[sp.a:sp.b]); t != "" {
				if runStart < 0 {
					runStart = sp.a
				}
				run = append(run, t)
			}
		}
		flush()
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].start < hits[j].start })
	return hits
}

// listItems splits a clause at 、 and at a final 及/和/或 outside
// parentheses, returning byte ranges.
// allGroupNouns reports whether every item of a list names a group of
// people (低保家庭、零就业家庭、…对象家庭成员): such a list is
// a list of groups even when only one of them is a tag.
func allGroupNouns(cl string, items [][2]int, hits []hit, clStart int) bool {
	for _, it := range items {
		if !personNounRe.MatchString(strings.TrimSuffix(trimPunct(cl[it[0]:it[1]]), "成员")) {
			return false
		}
	}
	return true
}

func listItems(cl string) [][2]int { return splitTop(cl, "、及和或") }

// splitTop splits a clause at any rune of seps outside parentheses, book
// titles and quotes, returning byte ranges.
func splitTop(cl, seps string) [][2]int {
	var out [][2]int
	depth, start := 0, 0
	for i, r := range cl {
		switch {
		case strings.ContainsRune("（《“", r):
			depth++
		case strings.ContainsRune("）》”", r):
			if depth > 0 {
				depth--
			}
		case depth == 0 && strings.ContainsRune(seps, r):
			out = append(out, [2]int{start, i})
			start = i + len(string(r))
		}
	}
	return append(out, [2]int{start, len(cl)})
}

func scaleTagHit(txt string, start int, neg bool) hit {
	c := corpus.Any(
		corpus.Atom("tags", corpus.OpHas, corpus.String("规模以上工业企业"), txt),
		corpus.Atom("tags", corpus.OpHas, corpus.String("限额以上批发零售企业"), txt))
	if neg {
		c = corpus.Not(c)
	}
	return hit{cond: c, start: start, subject: true}
}

func round6(f float64) float64 {
	const k = 1e6
	if f < 0 {
		return -float64(int64(-f*k+0.5)) / k
	}
	return float64(int64(f*k+0.5)) / k
}

// ymd formats three submatch index pairs (year, month, day) as YYYY-MM-DD.
func ymd(s string, idx []int) string {
	y := s[idx[0]:idx[1]]
	m := s[idx[2]:idx[3]]
	d := s[idx[4]:idx[5]]
	if len(m) == 1 {
		m = "0" + m
	}
	if len(d) == 1 {
		d = "0" + d
	}
	return y + "-" + m + "-" + d
}

type degreeCond struct {
	op corpus.Op
	v  corpus.Value
}

var degreeOrder = []string{"none", "junior", "senior", "vocational", "associate", "bachelor", "master", "doctor"}

func degreeValue(word string, andAbove bool) (degreeCond, bool) {
	var d string
	switch word {
	case "博士", "博士研究生":
		d = "doctor"
	case "硕士", "研究生", "硕士研究生":
		d = "master"
	case "本科", "大学本科":
		d = "bachelor"
	case "大专", "专科", "高职", "大学专科":
		d = "associate"
	case "中专", "中职", "技校":
		d = "vocational"
	case "高中":
		d = "senior"
	case "初中":
		d = "junior"
	default:
		return degreeCond{}, false
	}
	if !andAbove {
		return degreeCond{corpus.OpEq, corpus.String(d)}, true
	}
	for i, x := range degreeOrder {
		if x == d {
			return degreeCond{corpus.OpIn, corpus.Strings(degreeOrder[i:]...)}, true
		}
	}
	return degreeCond{}, false
}

// studyOrRecentRe is 在校及毕业N年内: a student or a recent graduate.
var studyOrRecentRe = regexp.MustCompile(`在校(?:生)?(?:及|或|和|、|或者)(?:毕业|离校)(\d+|[一二三四五六七八九十两])年(?:内|以内)`)

// studyOrRecent reads 在校及毕业5年内 as any(student, graduation_years lt 5):
// the 及 joins two states a person is in one of, not two requirements. The
// hits the other rules read inside it are replaced.
func studyOrRecent(s string, hits []hit) []hit {
	m := studyOrRecentRe.FindStringSubmatchIndex(s)
	if m == nil {
		return hits
	}
	n, ok := parseNumber(s[m[2]:m[3]])
	if !ok {
		return hits
	}
	var out []hit
	for _, h := range hits {
		if h.start >= m[0] && h.start < m[1] && h.cond.Kind() == corpus.NodeAtom && (h.cond.Field == "employment" || h.cond.Field == "graduation_years") {
			continue
		}
		out = append(out, h)
	}
	txt := spanAround(s, m[0], m[1])
	return append(out, hit{cond: corpus.Any(
		corpus.Atom("employment", corpus.OpEq, corpus.String("student"), txt),
		corpus.Atom("graduation_years", corpus.OpLt, corpus.Number(n), txt)), start: m[0], end: m[1]})
}

// exceptAsideRe is an exception written in parentheses (（入编机关事业单位的除外）).
var exceptAsideRe = regexp.MustCompile(`（([^（）]{2,40}?)(?:的)?(?:除外|不在此列)）`)

// exceptAsides keeps each parenthesised exception that no rule reads as
// not(unparsed): a person must check that it does not apply.
func exceptAsides(s string, hits []hit) []hit {
	var out []hit
	for _, m := range exceptAsideRe.FindAllStringSubmatchIndex(s, -1) {
		read := false
		for _, h := range hits {
			if h.start >= m[0] && h.start < m[1] {
				read = true
			}
		}
		if !read {
			out = append(out, hit{cond: corpus.Not(corpus.Unparsed(s[m[2]:m[3]])), start: m[0], end: m[1]})
		}
	}
	return out
}

// inOpenKindList reports whether s[start:end] is one item of a 、-list of
// kinds of subject that also names bodies that are no firm (社会团体、基金会、
// 律师事务所…) beside ordinary firms (参保企业): such a list says who may
// apply, so one firm kind in it is an alternative, not a requirement every
// applicant meets.
func inOpenKindList(s string, start, end int) bool {
	from := strings.LastIndexAny(s[:start], "，。；：,;:（(\n")
	if from < 0 {
		from = 0
	}
	to := strings.IndexAny(s[end:], "，。；：,;:）)\n")
	if to < 0 {
		to = len(s)
	} else {
		to += end
	}
	clause := s[from:to]
	// 社会团体、…、以单位形式参保的个体工商户参照实施 names no ordinary firm:
	// there the kind is who the measure extends to, and stays required.
	others := s[from:start] + s[end:to]
	return strings.Contains(clause, "、") && nonEntRe.MatchString(clause) && strings.Contains(others, "企业")
}

// startupAt finds a person starting a business (高校毕业生创业), skipping
// the programmes named after it (创业担保贷款).
func startupAt(s string) []int {
	for _, m := range startupRe.FindAllStringIndex(s, -1) {
		if !startupThingRe.MatchString(s[m[1]:]) {
			return m
		}
	}
	return nil
}

// hasAge reports an age bound among hits.
func hasAge(hits []hit) bool {
	for _, h := range hits {
		for _, a := range h.cond.Atoms() {
			if a.Field == "age" {
				return true
			}
		}
	}
	return false
}

// placesOnly reports whether every hit in [a,b) is a place.
func placesOnly(hits []hit, a, b int) bool {
	for _, h := range hits {
		if h.start < a || h.start >= b {
			continue
		}
		for _, x := range h.cond.Atoms() {
			if x.Field != "region" && x.Field != "residence_region" {
				return false
			}
		}
	}
	return true
}

// commonModifierEnd returns the offset of the last 的 in s[a:b] that comes
// before every hit naming a group, when some hit that only ages or places
// the subject stands before it; -1 otherwise.
func commonModifierEnd(s string, a, b int, hits []hit) int {
	firstGroup := b
	for _, h := range hits {
		if h.start >= a && h.start < b && namesGroup(h) && h.start < firstGroup {
			firstGroup = h.start
		}
	}
	k := strings.LastIndex(s[a:firstGroup], "的")
	if k < 0 {
		return -1
	}
	end := a + k
	for _, h := range hits {
		if h.start >= a && h.start < end && !namesGroup(h) {
			return end
		}
	}
	return -1
}

// namesGroup reports a hit that names a group of people or a kind of
// subject (a tag, an employment status, the kind of hukou, a group no tag
// stands for), as opposed to one that only places or ages the subject.
func namesGroup(h hit) bool {
	if h.subject || h.list == "tags" {
		return true
	}
	for _, a := range h.cond.Atoms() {
		switch a.Field {
		case "region", "residence_region", "age", "gender", "birth_date":
		default:
			return true
		}
	}
	return false
}
