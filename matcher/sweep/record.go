package sweep

import (
	"fmt"

	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/store"
)

// Record turns a validated profile into what the store keeps: Data is the
// CONTRACT JSON written by Profile.MarshalJSON, which carries the keyed hash
// of a 身份证号 ("id_card_hash"), never the number.
func Record(p *matcher.Profile) (store.ProfileRecord, error) {
	data, err := p.MarshalJSON()
	if err != nil {
		return store.ProfileRecord{}, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	return store.ProfileRecord{
		Kind:   p.Kind.Audience(),
		ID:     p.ID,
		Region: p.Region(),
		AsOf:   p.AsOf(),
		Data:   data,
	}, nil
}

// Decode reads a stored profile back. The parser needs no id-card key:
// stored data holds only the hash.
func Decode(ps *matcher.Parser, rec *store.ProfileRecord) (matcher.Profile, error) {
	p, err := ps.ParseLine(rec.Data, 0)
	if err != nil {
		return matcher.Profile{}, fmt.Errorf("stored profile %s %s: %w", rec.Kind, rec.ID, err)
	}
	return p, nil
}
