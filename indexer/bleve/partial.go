package bleve

import (
	"context"
	"fmt"
)

// partialWords replaces each query word that no document holds, under none
// of its synonyms, by the dictionary words inside it (segment.PartialTerms:
// 拍电影 → 电影, 孤寡老人 → 孤寡 老人 老年人 长者): people say compounds that
// policies never write, around a word that they do. A word found anywhere
// is kept as it is, so this changes nothing for the words of the documents'
// own vocabulary. It runs before searchFast and searchBleve choose a path,
// so both see the same words. groups is changed in place.
func (x *Index) partialWords(ctx context.Context, groups [][]string) error {
	var docFreq func(term string) (uint64, error)
	for i, g := range groups {
		parts := x.seg.PartialTerms(g[0])
		if len(parts) == 0 {
			continue
		}
		if docFreq == nil {
			ai, err := x.idx.Advanced()
			if err != nil {
				return fmt.Errorf("open index: %w", err)
			}
			r, err := ai.Reader()
			if err != nil {
				return fmt.Errorf("open index reader: %w", err)
			}
			defer r.Close()
			docFreq = func(term string) (uint64, error) {
				tfr, err := r.TermFieldReader(ctx, []byte(term), fAll, false, false, false)
				if err != nil {
					return 0, fmt.Errorf("postings of %s: %w", term, err)
				}
				defer tfr.Close()
				return tfr.Count(), nil
			}
		}
		held := false
		for _, t := range g {
			n, err := docFreq(t)
			if err != nil {
				return err
			}
			if n > 0 {
				held = true
				break
			}
		}
		if !held {
			groups[i] = parts
		}
	}
	return nil
}
