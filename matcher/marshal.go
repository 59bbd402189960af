package matcher

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// MarshalJSON writes the profile as a CONTRACT §1 line that ParseLine reads
// back to an equivalent profile, so a store can keep profiles as JSON. The
// 身份证号 is never written: its hash goes under "id_card_hash", the birth
// date and gender taken from it are written as plain keys, and "verified"
// lists what is verified in effect (a birth_date or gender from a verified
// id_card included).
func (p *Profile) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	put := func(k string, v any) {
		raw, err := json.Marshal(v)
		if err != nil {
			return // only plain values are written; they always marshal
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(raw)
	}
	put("kind", p.Kind.String())
	put("id", p.ID)
	if n := p.Name(); n != "" {
		put("name", n)
	}
	if h := p.IDCardHash(); h != "" {
		put("id_card_hash", h)
	}
	if !p.AsOf().IsZero() {
		put("as_of", p.AsOf().String())
	}
	var verified []string
	for i := range fieldInfos {
		fi := &fieldInfos[i]
		if !p.has.has(fi.id) {
			continue
		}
		if p.verified.has(fi.id) {
			verified = append(verified, fi.Name)
		}
		switch fi.store {
		case stNum:
			put(fi.Name, p.num[fi.slot])
		case stDate:
			put(fi.Name, dateFromYMD(p.date[fi.slot]).String())
		case stEnum:
			put(fi.Name, fi.Enum[p.enum[fi.slot]-1])
		case stBool:
			put(fi.Name, p.dishonest)
		case stRegion:
			put(fi.Name, strconv.FormatUint(uint64(p.regionOf(fi.id)), 10))
		case stIndustry:
			put(fi.Name, p.industry)
		case stTags:
			tags, _ := p.Tags()
			put(fi.Name, tags)
		case stPerYear:
			m := map[string]float64{}
			for _, y := range p.years {
				if y.field == fi.id {
					m[strconv.Itoa(int(y.year))] = y.v
				}
			}
			put(fi.Name, m)
		}
	}
	if p.idCardVerified {
		verified = append(verified, "id_card")
	}
	if verified != nil {
		put("verified", verified)
	}
	if c := p.Contact(); c != nil {
		put("contact", c)
	}
	if a := p.Attrs(); a != nil {
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			put(k, a[k])
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
