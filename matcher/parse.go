package matcher

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
)

// LineError is a profile line that could not be read: which line, which key,
// and why. It never contains a 身份证号 or a contact handle.
type LineError struct {
	Line  int
	Field string // the key, e.g. "id", "revenue.2024", "tags[1]"; "" for the whole line
	Err   error
}

// Error says where the line went wrong: line, key, reason.
func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
}

// Unwrap returns the reason.
func (e *LineError) Unwrap() error { return e.Err }

// ParseOptions configure profile reading.
type ParseOptions struct {
	// IDCardKey is the HMAC key that turns a 身份证号 into its stored hash.
	// Lines with an id_card are rejected when it is empty.
	IDCardKey []byte
	// Regions validates region codes; nil means region.Default().
	Regions *region.Table
}

// Parser reads CONTRACT §1 profile lines. It is safe for concurrent use.
type Parser struct {
	key     []byte
	regions *region.Table
	// valid caches region.Table.Valid for valid codes: grouping codes (110100)
	// are checked by a scan of the table, too slow to repeat per line.
	valid sync.Map
}

func (ps *Parser) validRegion(code string) bool {
	if v, ok := ps.valid.Load(code); ok {
		return v.(bool)
	}
	ok := len(code) == 6 && ps.regions.Valid(code)
	if ok { // only valid codes: the cache stays as small as the table
		ps.valid.Store(code, true)
	}
	return ok
}

// NewParser returns a parser with the given options.
func NewParser(opts ParseOptions) *Parser {
	rt := opts.Regions
	if rt == nil {
		rt = region.Default()
	}
	return &Parser{key: bytes.Clone(opts.IDCardKey), regions: rt}
}

// maxLine bounds one profile line; a longer line is an error, not a crash.
const maxLine = 1 << 20

// Reader yields the profiles of a JSON Lines stream one at a time, keeping
// the errors of bad lines (which it skips) for the caller to report. A line
// longer than 1 MiB is a bad line, not the end of the stream.
type Reader struct {
	p     *Parser
	br    *bufio.Reader
	line  int
	cur   Profile
	errs  []*LineError
	ioErr error
	done  bool
}

// NewReader reads profiles from r with parser p.
func (p *Parser) NewReader(r io.Reader) *Reader {
	return &Reader{p: p, br: bufio.NewReaderSize(r, 64<<10)}
}

// readLine returns the next line without its end, or ok false at the end.
// An over-long line is consumed and reported as too long.
func (r *Reader) readLine(buf []byte) (line []byte, tooLong, ok bool) {
	line = buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(line)+len(chunk) > maxLine {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		switch {
		case err == nil:
			return line, tooLong, true
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			r.done = true
			return line, tooLong, len(line) > 0 || tooLong
		default:
			r.done = true
			r.ioErr = fmt.Errorf("read profiles after line %d: %w", r.line, err)
			return nil, false, false
		}
	}
}

var utf8BOM = []byte("\xef\xbb\xbf")

// Next advances to the next good profile; it returns false at the end of the
// input or on a read error (see Err). Bad lines are recorded and skipped.
func (r *Reader) Next() bool {
	var buf []byte
	for !r.done {
		line, tooLong, ok := r.readLine(buf)
		if !ok {
			return false
		}
		buf = line
		r.line++
		if tooLong {
			r.errs = append(r.errs, &LineError{Line: r.line, Err: fmt.Errorf("line longer than %d bytes", maxLine)})
			continue
		}
		if r.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		b := bytes.TrimSpace(line)
		if len(b) == 0 {
			continue
		}
		prof, err := r.p.ParseLine(b, r.line)
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				le = &LineError{Line: r.line, Err: err}
			}
			r.errs = append(r.errs, le)
			continue
		}
		r.cur = prof
		return true
	}
	return false
}

// Profile returns the profile Next stopped at.
func (r *Reader) Profile() Profile { return r.cur }

// LineErrors returns the errors of the bad lines seen so far.
func (r *Reader) LineErrors() []*LineError { return r.errs }

// Err returns the read error that ended the stream, if any.
func (r *Reader) Err() error { return r.ioErr }

// ReadAll reads every profile of r: the good profiles, the errors of the bad
// lines, and a read error if the stream broke.
func (p *Parser) ReadAll(r io.Reader) ([]Profile, []*LineError, error) {
	rd := p.NewReader(r)
	var out []Profile
	for rd.Next() {
		out = append(out, rd.Profile())
	}
	return out, rd.LineErrors(), rd.Err()
}

var (
	yearKeyRE = regexp.MustCompile(`^[12][0-9]{3}$`)
)

// commonKeys, enterpriseKeys and residentKeys are the CONTRACT §1 keys.
var (
	commonKeys     = []string{"kind", "id", "name", "region", "tags", "as_of", "verified", "contact"}
	enterpriseKeys = []string{"established", "registered_capital", "employees", "insured_employees",
		"industry", "scale", "revenue", "tax_paid", "rd_expense", "total_assets", "export_value",
		"layoff_rate", "dishonest"}
	residentKeys = []string{"id_card", "id_card_hash", "birth_date", "gender", "residence_region", "hukou_type",
		"disability_level", "employment", "degree", "graduation_date", "income_per_capita_monthly"}
)

func keyKind(k string) (Kind, bool) {
	for _, c := range commonKeys {
		if c == k {
			return KindUnknown, true
		}
	}
	for _, c := range enterpriseKeys {
		if c == k {
			return Enterprise, true
		}
	}
	for _, c := range residentKeys {
		if c == k {
			return Resident, true
		}
	}
	return KindUnknown, false
}

// keyVal is one top-level key of a line with its raw value.
type keyVal struct {
	key string
	val json.RawMessage
}

type keyVals []keyVal

func (kvs keyVals) get(k string) json.RawMessage {
	for _, kv := range kvs {
		if kv.key == k {
			return kv.val
		}
	}
	return nil
}

// splitLine decodes a line into its top-level keys, sorted (so a line with
// several bad keys always reports the same one).
func splitLine(b []byte) (keyVals, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not one JSON object: %w", err)
	}
	if raw == nil {
		return nil, errors.New("not one JSON object: null")
	}
	out := make(keyVals, 0, len(raw))
	for k, v := range raw {
		out = append(out, keyVal{k, v})
	}
	slices.SortFunc(out, func(x, y keyVal) int { return strings.Compare(x.key, y.key) })
	return out, nil
}

// ParseLine reads one profile line; n is its line number, used in errors
// (which are *LineError).
func (ps *Parser) ParseLine(b []byte, n int) (Profile, error) {
	raw, err := splitLine(b)
	if err != nil {
		return Profile{}, &LineError{Line: n, Err: err}
	}
	fail := func(field string, err error) (Profile, error) {
		return Profile{}, &LineError{Line: n, Field: field, Err: err}
	}
	var p Profile
	// kind first: it decides which keys are allowed.
	var kind string
	if err := strictString(raw.get("kind"), &kind); err != nil || kind == "" {
		return fail("kind", errors.New(`required: "enterprise" or "resident"`))
	}
	switch kind {
	case "enterprise":
		p.Kind = Enterprise
	case "resident":
		p.Kind = Resident
	default:
		return fail("kind", fmt.Errorf(`%q: want "enterprise" or "resident"`, kind))
	}
	var idCard string
	var verified []string
	for _, kv := range raw {
		k, v := kv.key, kv.val
		if isNull(v) {
			continue // null reads as absent
		}
		kk, known := keyKind(k)
		if !known {
			e := p.extra()
			if e.attrs == nil {
				e.attrs = map[string]json.RawMessage{}
			}
			e.attrs[k] = v
			continue
		}
		if kk != KindUnknown && kk != p.Kind {
			return fail(k, fmt.Errorf("is a key for %s profiles only", kk))
		}
		var err error
		switch k {
		case "kind":
		case "id":
			err = strictString(v, &p.ID)
		case "name":
			var name string
			if err = strictString(v, &name); err == nil && name != "" {
				p.extra().name = name
			}
		case "id_card":
			err = strictString(v, &idCard)
		case "id_card_hash": // written by Profile.MarshalJSON in place of id_card
			var h string
			if err = strictString(v, &h); err == nil {
				if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
					err = errors.New("want 64 lower-case hex digits (HMAC-SHA256)")
				} else {
					p.extra().idCardHash = h
				}
			}
		case "verified":
			verified, err = stringList(v)
		case "contact":
			var contact map[string]string
			if err = json.Unmarshal(v, &contact); err == nil {
				p.extra().contact = contact
			} else {
				err = errors.New("want an object of strings")
			}
		case "as_of":
			var d corpus.Date
			if d, err = dateValue(v); err == nil {
				p.asOf = ymd(d)
			}
		case "tags":
			err = ps.setTags(&p, v)
		default:
			err = ps.setField(&p, fieldByKey[k], v)
		}
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				le.Line = n
				return Profile{}, le
			}
			return fail(k, err)
		}
	}
	switch {
	case p.ID == "":
		return fail("id", errors.New("required"))
	case p.Kind == Enterprise:
		if err := CheckUSCC(p.ID); err != nil {
			return fail("id", err)
		}
	case len(p.ID) > 128:
		return fail("id", errors.New("longer than 128 bytes"))
	}
	if idCard != "" {
		if err := ps.applyIDCard(&p, idCard); err != nil {
			return fail("id_card", err)
		}
	}
	for i, k := range verified {
		if k == "id_card" {
			p.idCardVerified = true
			continue
		}
		if _, ok := keyKind(k); !ok {
			return fail(fmt.Sprintf("verified[%d]", i), fmt.Errorf("%q is not a profile key", k))
		}
		if fi, ok := fieldByKey[k]; ok && !fi.Derived {
			p.verified |= 1 << fi.id
		}
	}
	// A birth_date or gender read from the 身份证号 is as good as the number.
	p.verified &^= p.fromIDCard
	if p.idCardVerified {
		p.verified |= p.fromIDCard
	}
	return p, nil
}

func (ps *Parser) applyIDCard(p *Profile, id string) error {
	if len(ps.key) == 0 {
		return errors.New("no hash key configured for 身份证号")
	}
	card, err := CheckIDCard(id)
	if err != nil {
		return err
	}
	if p.asOf != 0 && ymd(card.BirthDate) > p.asOf {
		return errors.New("身份证号 birth date is after as_of")
	}
	p.extra().idCardHash = HashIDCard(ps.key, id)
	bd := ymd(card.BirthDate)
	fb := &fieldInfos[fBirthDate]
	if p.has.has(fBirthDate) {
		if p.date[fb.slot] != bd {
			return errors.New("disagrees with birth_date")
		}
	} else {
		p.date[fb.slot] = bd
		p.has |= 1 << fBirthDate
		p.fromIDCard |= 1 << fBirthDate
	}
	fg := &fieldInfos[fGender]
	g := uint8(1 + indexOf(fg.Enum, card.Gender))
	if p.has.has(fGender) {
		if p.enum[fg.slot] != g {
			return errors.New("disagrees with gender")
		}
	} else {
		p.enum[fg.slot] = g
		p.has |= 1 << fGender
		p.fromIDCard |= 1 << fGender
	}
	return nil
}

func (ps *Parser) setTags(p *Profile, v json.RawMessage) error {
	tags, err := stringList(v)
	if err != nil {
		return err
	}
	for i, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" {
			return &LineError{Field: fmt.Sprintf("tags[%d]", i), Err: errors.New("empty tag")}
		}
		if b, ok := tagBit[t]; ok {
			p.tags |= b
		} else if !containsString(p.extraTags(), t) {
			e := p.extra()
			e.tags = append(e.tags, t)
		}
	}
	p.has |= 1 << fTags
	return nil
}

// setField stores one typed CONTRACT key.
func (ps *Parser) setField(p *Profile, fi *fieldInfo, v json.RawMessage) error {
	switch fi.store {
	case stNum:
		f, err := numberValue(v)
		if err != nil {
			return err
		}
		if err := checkNumber(fi.Name, f); err != nil {
			return err
		}
		p.num[fi.slot] = f
	case stDate:
		d, err := dateValue(v)
		if err != nil {
			return err
		}
		p.date[fi.slot] = ymd(d)
	case stEnum:
		var s string
		if err := strictString(v, &s); err != nil {
			return err
		}
		i := indexOf(fi.Enum, s)
		if i < 0 {
			return fmt.Errorf("%q: want one of %s", s, strings.Join(fi.Enum, ", "))
		}
		p.enum[fi.slot] = uint8(i + 1)
	case stBool:
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return errors.New("want true or false")
		}
		p.dishonest = b
	case stRegion:
		var s string
		if err := strictString(v, &s); err != nil {
			return err
		}
		if !ps.validRegion(s) {
			return fmt.Errorf("%q is not a known 6-digit 行政区划代码", s)
		}
		c, _ := strconv.ParseUint(s, 10, 32)
		if fi.id == fRegion {
			p.region = uint32(c)
		} else {
			p.residence = uint32(c)
		}
	case stIndustry:
		var s string
		if err := strictString(v, &s); err != nil {
			return err
		}
		if !corpus.ValidIndustry(s) {
			return fmt.Errorf("%q: want a GB/T 4754 code, a letter A-T and 2 to 4 digits (C39, I6510)", s)
		}
		p.industry = s
	case stPerYear:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil || m == nil {
			return errors.New(`want an object year→amount, e.g. {"2024": 35000000}`)
		}
		for y, num := range m {
			if !yearKeyRE.MatchString(y) {
				return &LineError{Field: fi.Name + "." + y, Err: errors.New("want a 4-digit year")}
			}
			f, err := numberValue(num)
			if err == nil {
				err = checkNumber(fi.Name, f)
			}
			if err != nil {
				return &LineError{Field: fi.Name + "." + y, Err: err}
			}
			yy, _ := strconv.Atoi(y)
			p.years = append(p.years, yearValue{field: fi.id, year: int16(yy), v: f})
		}
	default:
		return errors.New("cannot be given; it is derived")
	}
	p.has |= 1 << fi.id
	return nil
}

// checkNumber applies the CONTRACT ranges of numeric keys.
func checkNumber(name string, f float64) error {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return errors.New("not a finite number")
	case f < 0:
		return fmt.Errorf("%v is negative", f)
	}
	switch name {
	case "employees", "insured_employees":
		if f != math.Trunc(f) {
			return fmt.Errorf("%v: want a whole number", f)
		}
	case "layoff_rate":
		if f > 1 {
			return fmt.Errorf("%v: want a fraction 0..1 (3%% is 0.03)", f)
		}
	case "disability_level":
		if f != math.Trunc(f) || f < 1 || f > 4 {
			return fmt.Errorf("%v: want 1, 2, 3 or 4", f)
		}
	}
	return nil
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

func strictString(v json.RawMessage, s *string) error {
	if v == nil {
		return nil
	}
	// Fast path: a string without escapes is its bytes between the quotes
	// (the line was already checked to be valid JSON).
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		*s = strings.TrimSpace(string(v[1 : len(v)-1]))
		return nil
	}
	if err := json.Unmarshal(v, s); err != nil {
		return errors.New("want a string")
	}
	*s = strings.TrimSpace(*s)
	return nil
}

func stringList(v json.RawMessage) ([]string, error) {
	var ss []string
	if err := json.Unmarshal(v, &ss); err != nil {
		return nil, errors.New("want an array of strings")
	}
	return ss, nil
}

// numberValue reads a JSON number (valid JSON already: a leading '-' or
// digit means a number literal, which strconv reads exactly).
func numberValue(v json.RawMessage) (float64, error) {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return 0, errors.New("want a number")
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, errors.New("want a finite number")
	}
	return f, nil
}

func dateValue(v json.RawMessage) (corpus.Date, error) {
	var s string
	if len(v) == 0 || v[0] != '"' || strictString(v, &s) != nil {
		return corpus.Date{}, errors.New(`want a "YYYY-MM-DD" string`)
	}
	return corpus.ParseDate(s)
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func containsString(ss []string, s string) bool { return indexOf(ss, s) >= 0 }
