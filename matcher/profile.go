package matcher

import (
	"encoding/json"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/zhida/zhida/corpus"
)

// Kind is the kind of subject a profile describes.
type Kind uint8

// The subject kinds.
const (
	KindUnknown Kind = iota
	Enterprise
	Resident
)

// String returns the CONTRACT name of the kind.
func (k Kind) String() string {
	switch k {
	case Enterprise:
		return "enterprise"
	case Resident:
		return "resident"
	}
	return "unknown"
}

// Audience returns the corpus audience a subject of this kind belongs to.
func (k Kind) Audience() corpus.Audience { return corpus.Audience(k.String()) }

// fieldID is the index of a vocabulary field in corpus.AllFields. The
// vocabulary has fewer than 64 fields, so a set of fields is a uint64.
type fieldID uint8

// fieldSet is a set of fieldIDs.
type fieldSet uint64

func (s fieldSet) has(f fieldID) bool { return f < 64 && s&(1<<f) != 0 }

// storage says where a profile keeps a field's value.
type storage uint8

const (
	stNone     storage = iota // derived or unparsed: nothing stored
	stNum                     // num[slot]
	stDate                    // date[slot], as yyyymmdd
	stEnum                    // enum[slot], 1 + index in Field.Enum (0 = absent)
	stBool                    // dishonest bit
	stRegion                  // region or residence_region, as a number
	stIndustry                // industry string
	stTags                    // tag set
	stPerYear                 // years slice
)

// fieldInfo is the matcher's immutable view of one vocabulary field.
type fieldInfo struct {
	corpus.Field
	id      fieldID
	store   storage
	slot    uint8
	sources fieldSet // for derived fields: the stored keys they rest on
}

// The vocabulary tables below are built once from corpus.AllFields and never
// changed afterwards.
var (
	fieldInfos = buildFieldInfos()
	fieldByKey = func() map[string]*fieldInfo {
		m := make(map[string]*fieldInfo, len(fieldInfos))
		for i := range fieldInfos {
			m[fieldInfos[i].Name] = &fieldInfos[i]
		}
		return m
	}()
)

// Slots of the fixed-size value arrays in Profile.
// They are exactly as many as the vocabulary needs (buildFieldInfos
// panics at start-up if the vocabulary outgrows them).
const (
	numSlots  = 6
	dateSlots = 3
	enumSlots = 5
)

func buildFieldInfos() []fieldInfo {
	fs := corpus.AllFields()
	if len(fs) > 63 {
		panic("matcher: vocabulary has more than 63 fields")
	}
	out := make([]fieldInfo, len(fs))
	var nNum, nDate, nEnum uint8
	for i, f := range fs {
		fi := fieldInfo{Field: f, id: fieldID(i)}
		switch {
		case f.Derived || f.Type == corpus.TypeUnparsed:
			fi.store = stNone
		case f.PerYear:
			fi.store = stPerYear
		case f.Type == corpus.TypeNumber:
			fi.store, fi.slot = stNum, nNum
			nNum++
		case f.Type == corpus.TypeDate:
			fi.store, fi.slot = stDate, nDate
			nDate++
		case f.Type == corpus.TypeString:
			fi.store, fi.slot = stEnum, nEnum
			nEnum++
		case f.Type == corpus.TypeBool:
			fi.store = stBool
		case f.Type == corpus.TypeRegion:
			fi.store = stRegion
		case f.Type == corpus.TypeIndustry:
			fi.store = stIndustry
		case f.Type == corpus.TypeTags:
			fi.store = stTags
		}
		out[i] = fi
	}
	if nNum > numSlots || nDate > dateSlots || nEnum > enumSlots {
		panic("matcher: vocabulary outgrew the profile's value slots")
	}
	for i := range out {
		for _, s := range out[i].Source {
			for j := range out {
				if out[j].Name == s {
					out[i].sources |= 1 << out[j].id
				}
			}
		}
	}
	return out
}

func mustField(name string) fieldID {
	for i := range fieldInfos {
		if fieldInfos[i].Name == name {
			return fieldInfos[i].id
		}
	}
	panic("matcher: field " + name + " missing from the corpus vocabulary")
}

// Field ids the parser and evaluators name directly.
var (
	fRegion           = mustField("region")
	fResidence        = mustField("residence_region")
	fTags             = mustField("tags")
	fBirthDate        = mustField("birth_date")
	fGender           = mustField("gender")
	fAge              = mustField("age")
	fEstablished      = mustField("established")
	fEstablishedYears = mustField("established_years")
	fGraduation       = mustField("graduation_date")
	fGraduationYears  = mustField("graduation_years")
	fRevenue          = mustField("revenue")
	fRDExpense        = mustField("rd_expense")
	fRDRatio          = mustField("rd_ratio")
	fDishonest        = mustField("dishonest")
)

// tagVocab is the CONTRACT tag vocabulary; a tag in it is one bit of a
// profile's tag set, any other tag is kept as a string.
var tagVocab = append(corpus.EnterpriseTags(), corpus.ResidentTags()...)

var tagBit = func() map[string]uint64 {
	m := make(map[string]uint64, len(tagVocab))
	for i, t := range tagVocab {
		m[t] = 1 << i
	}
	return m
}()

// yearValue is one entry of a per-year field (revenue by fiscal year ...).
type yearValue struct {
	field fieldID
	year  int16
	v     float64
}

// Profile is one subject: an enterprise or a resident, as CONTRACT §1
// describes it. Values are kept in compact typed slots so that a sweep over
// millions of profiles touches little memory; read them with the accessor
// methods. The clear 身份证号 is never held: only its keyed hash.
type Profile struct {
	ID string

	// ext holds what a sweep rarely reads (name, id-card hash, contact,
	// attrs, tags outside the vocabulary); nil when there is none.
	ext      *profileExt
	industry string
	years    []yearValue

	has      fieldSet // stored keys present (derived-from-id_card included)
	verified fieldSet // keys from an authoritative source
	// fromIDCard marks birth_date/gender derived from the 身份证号.
	fromIDCard fieldSet
	tags       uint64 // vocabulary tags as bits of tagVocab

	num       [numSlots]float64
	date      [dateSlots]int32
	asOf      int32 // yyyymmdd, 0 when unknown
	region    uint32
	residence uint32
	enum      [enumSlots]uint8

	Kind Kind
	// idCardVerified records that id_card itself was listed as verified.
	idCardVerified bool
	dishonest      bool
}

// profileExt is the cold part of a profile.
type profileExt struct {
	name       string
	idCardHash string
	contact    map[string]string
	attrs      map[string]json.RawMessage
	tags       []string // tags outside the vocabulary
}

// extraTags returns the tags outside the vocabulary.
func (p *Profile) extraTags() []string {
	if p.ext == nil {
		return nil
	}
	return p.ext.tags
}

func (p *Profile) extra() *profileExt {
	if p.ext == nil {
		p.ext = &profileExt{}
	}
	return p.ext
}

// Name returns the subject's name, or "".
func (p *Profile) Name() string {
	if p.ext == nil {
		return ""
	}
	return p.ext.name
}

// IDCardHash returns the hex HMAC-SHA256 of the 身份证号 under the import
// key, or "" when the profile had none. The clear number is never kept.
func (p *Profile) IDCardHash() string {
	if p.ext == nil {
		return ""
	}
	return p.ext.idCardHash
}

// Contact returns the delivery handles; never log them.
func (p *Profile) Contact() map[string]string {
	if p.ext == nil {
		return nil
	}
	return p.ext.contact
}

// Attrs returns the unknown top-level keys as they were written.
func (p *Profile) Attrs() map[string]json.RawMessage {
	if p.ext == nil {
		return nil
	}
	return p.ext.attrs
}

// AsOf returns when the data was taken (zero when not given).
func (p *Profile) AsOf() corpus.Date {
	if p.asOf == 0 {
		return corpus.Date{}
	}
	return dateFromYMD(p.asOf)
}

// Has reports whether the profile carries key (a stored CONTRACT key; for a
// derived field, whether all its sources are present).
func (p *Profile) Has(key string) bool {
	fi, ok := fieldByKey[key]
	if !ok {
		return false
	}
	return p.present(fi, ^fieldSet(0))
}

// present reports whether the field can be read under the visibility mask.
func (p *Profile) present(fi *fieldInfo, mask fieldSet) bool {
	if fi.Derived {
		return p.has&mask&fi.sources == fi.sources
	}
	return (p.has & mask).has(fi.id)
}

// Verified reports whether key comes from an authoritative source. A
// birth_date or gender derived from id_card is verified only when id_card is;
// a derived field is verified when all its sources are.
func (p *Profile) Verified(key string) bool {
	if key == "id_card" {
		return p.idCardVerified
	}
	fi, ok := fieldByKey[key]
	if !ok {
		return false
	}
	if fi.Derived {
		return p.verified&fi.sources == fi.sources
	}
	return p.verified.has(fi.id)
}

// Region returns the 6-digit region code (注册地 / 户籍地), or "".
func (p *Profile) Region() string { return codeString(p.region, p.has.has(fRegion)) }

// ResidenceRegion returns the 常住地 code, or "".
func (p *Profile) ResidenceRegion() string {
	return codeString(p.residence, p.has.has(fResidence))
}

func codeString(c uint32, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.FormatUint(uint64(c), 10)
}

// Tags returns the tags, and false when the profile has no tags key (which
// is not the same as an empty list: CONTRACT §2).
func (p *Profile) Tags() ([]string, bool) {
	if !p.has.has(fTags) {
		return nil, false
	}
	out := make([]string, 0, bits.OnesCount64(p.tags)+len(p.extraTags()))
	for i, t := range tagVocab {
		if p.tags&(1<<i) != 0 {
			out = append(out, t)
		}
	}
	return append(out, p.extraTags()...), true
}

// HasTag reports whether the tag set contains t (false when tags are absent).
func (p *Profile) HasTag(t string) bool {
	if b, ok := tagBit[t]; ok {
		return p.tags&b != 0
	}
	return slices.Contains(p.extraTags(), t)
}

// Number returns a scalar numeric key (employees, layoff_rate ...).
func (p *Profile) Number(key string) (float64, bool) {
	fi, ok := fieldByKey[key]
	if !ok || fi.store != stNum || !p.has.has(fi.id) {
		return 0, false
	}
	return p.num[fi.slot], true
}

// YearNumber returns a per-year key (revenue ...) for a fiscal year.
func (p *Profile) YearNumber(key string, year int) (float64, bool) {
	fi, ok := fieldByKey[key]
	if !ok || fi.store != stPerYear {
		return 0, false
	}
	return p.yearValue(fi.id, year)
}

func (p *Profile) yearValue(f fieldID, year int) (float64, bool) {
	for _, y := range p.years {
		if y.field == f && int(y.year) == year {
			return y.v, true
		}
	}
	return 0, false
}

// Date returns a date key (birth_date, established, graduation_date).
func (p *Profile) Date(key string) (corpus.Date, bool) {
	fi, ok := fieldByKey[key]
	if !ok || fi.store != stDate || !p.has.has(fi.id) {
		return corpus.Date{}, false
	}
	return dateFromYMD(p.date[fi.slot]), true
}

// Enum returns an enum key (scale, gender, hukou_type, employment, degree).
func (p *Profile) Enum(key string) (string, bool) {
	fi, ok := fieldByKey[key]
	if !ok || fi.store != stEnum || !p.has.has(fi.id) || p.enum[fi.slot] == 0 {
		return "", false
	}
	return fi.Enum[p.enum[fi.slot]-1], true
}

// Industry returns the GB/T 4754 industry code, or "".
func (p *Profile) Industry() string { return p.industry }

// Dishonest returns the 严重失信 flag and whether it is known.
func (p *Profile) Dishonest() (bool, bool) { return p.dishonest, p.has.has(fDishonest) }

func ymd(d corpus.Date) int32 { return int32(d.Year*10000 + int(d.Month)*100 + d.Day) }

func dateFromYMD(v int32) corpus.Date {
	return corpus.Date{Year: int(v / 10000), Month: time.Month(v / 100 % 100), Day: int(v % 100)}
}

// wholeYears counts completed years from yyyymmdd from to yyyymmdd at; the
// anniversary counts (as corpus.Date.WholeYearsUntil), and 29 February
// completes a year on 1 March in common years.
func wholeYears(from, at int32) int32 {
	d := at - from
	if d >= 0 {
		return d / 10000
	}
	return -((-d + 9999) / 10000)
}
