package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/store"
)

// prof is a test profile: its data names its key and a revision, so a
// different revision is a different hash.
func prof(kind corpus.Audience, id, reg string, rev int) store.ProfileRecord {
	data := fmt.Sprintf(`{"kind": %q, "id": %q, "region": %q, "rev": %d, "tags": ["高新技术企业"]}`, kind, id, reg, rev)
	return store.ProfileRecord{
		Kind: kind, ID: id, Region: reg, AsOf: corpus.MustDate("2025-06-30"),
		Data: []byte(data), Hash: fmt.Sprintf("h-%s-%s-%d", kind, id, rev),
	}
}

// sameJSON reports whether a and b hold the same JSON value (PostgreSQL's
// jsonb does not keep the text as written).
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// key of a profile, for maps.
func pkey(kind corpus.Audience, id string) string { return string(kind) + "/" + id }

// scanAll returns what ScanProfiles calls fn with for q.
func scanAll(t *testing.T, s store.Store, q store.ProfileQuery) []store.ProfileRecord {
	t.Helper()
	var out []store.ProfileRecord
	if err := s.ScanProfiles(context.Background(), q, func(r store.ProfileRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("scan %+v: %v", q, err)
	}
	return out
}

func testProfilesUpsert(t *testing.T, s store.Store) {
	ctx := context.Background()
	E, R := corpus.AudienceEnterprise, corpus.AudienceResident
	before := time.Now().Add(-time.Minute)
	steps := []struct {
		name string
		recs []store.ProfileRecord
		want store.UpsertResult
	}{
		{"insert", []store.ProfileRecord{prof(E, "91370800A", "370811", 1), prof(E, "91370800B", "370812", 1), prof(R, "r-1", "440106", 1)},
			store.UpsertResult{Inserted: 3}},
		{"re-import", []store.ProfileRecord{prof(E, "91370800A", "370811", 1), prof(E, "91370800B", "370812", 1), prof(R, "r-1", "440106", 1)},
			store.UpsertResult{Unchanged: 3}},
		{"update one, add one", []store.ProfileRecord{prof(E, "91370800A", "370811", 1), prof(E, "91370800B", "370900", 2), prof(R, "r-1", "440106", 1), prof(R, "r-2", "", 1)},
			store.UpsertResult{Inserted: 1, Updated: 1, Unchanged: 2}},
		{"same id, other kind", []store.ProfileRecord{prof(R, "91370800A", "370811", 1)},
			store.UpsertResult{Inserted: 1}},
		{"repeated key: last wins", []store.ProfileRecord{prof(R, "r-1", "440106", 2), prof(R, "r-1", "440106", 3)},
			store.UpsertResult{Updated: 1}},
		{"repeated key equal to stored", []store.ProfileRecord{prof(R, "r-1", "440106", 9), prof(R, "r-1", "440106", 3)},
			store.UpsertResult{Unchanged: 1}},
		{"empty batch", nil, store.UpsertResult{}},
	}
	want := map[string]store.ProfileRecord{}
	seqs := map[string]int64{}
	var maxSeq int64
	for _, st := range steps {
		got, err := s.UpsertProfiles(ctx, st.recs)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: %+v, want %+v", st.name, got, st.want)
		}
		last := map[string]store.ProfileRecord{}
		for _, r := range st.recs {
			last[pkey(r.Kind, r.ID)] = r
		}
		changed := map[string]bool{}
		for k, r := range last {
			changed[k] = want[k].Hash != r.Hash
			want[k] = r
		}
		var stepMax int64
		for k, w := range want {
			g := must(s.GetProfile(ctx, w.Kind, w.ID))(t)
			if g.Kind != w.Kind || g.ID != w.ID || g.Region != w.Region || g.AsOf != w.AsOf || g.Hash != w.Hash || !sameJSON(g.Data, w.Data) {
				t.Errorf("%s: stored %s = %+v (data %s), want %+v (data %s)", st.name, k, g, g.Data, w, w.Data)
			}
			if g.UpdatedAt.Before(before) || g.UpdatedAt.After(time.Now().Add(time.Minute)) {
				t.Errorf("%s: %s updated_at %v is not now", st.name, k, g.UpdatedAt)
			}
			switch {
			case changed[k] && g.Seq <= maxSeq:
				t.Errorf("%s: changed %s has seq %d, not after the previous maximum %d", st.name, k, g.Seq, maxSeq)
			case !changed[k] && g.Seq != seqs[k]:
				t.Errorf("%s: unchanged %s moved from seq %d to %d", st.name, k, seqs[k], g.Seq)
			}
			seqs[k] = g.Seq
			stepMax = max(stepMax, g.Seq)
		}
		maxSeq = max(maxSeq, stepMax)
	}
	// An empty Hash is computed from Data.
	r := prof(E, "91370800C", "370811", 1)
	r.Hash = ""
	if res := must(s.UpsertProfiles(ctx, []store.ProfileRecord{r}))(t); res.Inserted != 1 {
		t.Errorf("computed hash insert: %+v", res)
	}
	if res := must(s.UpsertProfiles(ctx, []store.ProfileRecord{r}))(t); res.Unchanged != 1 {
		t.Errorf("computed hash re-import: %+v, want unchanged", res)
	}
	if g := must(s.GetProfile(ctx, E, "91370800C"))(t); g.Hash == "" {
		t.Error("computed hash not stored")
	}
	if _, err := s.GetProfile(ctx, E, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get missing profile: %v, want ErrNotFound", err)
	}
	if _, err := s.GetProfile(ctx, R, "91370800B"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get profile under the other kind: %v, want ErrNotFound", err)
	}
	for _, c := range []struct {
		kind corpus.Audience
		n    int64
	}{{"", 6}, {E, 3}, {R, 3}} {
		if n := must(s.CountProfiles(ctx, c.kind))(t); n != c.n {
			t.Errorf("count %q = %d, want %d", c.kind, n, c.n)
		}
	}
	if _, err := s.CountProfiles(ctx, "company"); err == nil {
		t.Error("count of an unknown kind: no error")
	}
}

// testProfilesBadBatch: a batch with one bad record fails whole, naming the
// record, and changes nothing already stored.
func testProfilesBadBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	E := corpus.AudienceEnterprise
	good := []store.ProfileRecord{prof(E, "A", "370811", 1), prof(E, "B", "370811", 1)}
	must(s.UpsertProfiles(ctx, good))(t)
	stored := map[string]store.ProfileRecord{}
	for _, r := range scanAll(t, s, store.ProfileQuery{}) {
		stored[pkey(r.Kind, r.ID)] = r
	}
	bad := []struct {
		name, field string
		mutate      func(*store.ProfileRecord)
	}{
		{"empty id", "id", func(r *store.ProfileRecord) { r.ID = "" }},
		{"empty kind", "kind", func(r *store.ProfileRecord) { r.Kind = "" }},
		{"unknown kind", "kind", func(r *store.ProfileRecord) { r.Kind = "both" }},
		{"bad region", "region", func(r *store.ProfileRecord) { r.Region = "3708" }},
		{"bad data", "data", func(r *store.ProfileRecord) { r.Data = []byte(`{"id": `) }},
		{"NUL in data", "data", func(r *store.ProfileRecord) { r.Data = []byte(`{"name": "a\u0000b"}`) }},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			// Records 0 and 1 would change and record 3 would be new.
			third := prof(E, "C", "370811", 1)
			b.mutate(&third)
			batch := []store.ProfileRecord{prof(E, "A", "370811", 2), prof(E, "B", "370900", 2), third, prof(E, "D", "370811", 1)}
			res, err := s.UpsertProfiles(ctx, batch)
			if err == nil {
				t.Fatalf("upsert with a bad record: %+v, no error", res)
			}
			var fe *corpus.FieldError
			if !errors.As(err, &fe) || fe.Field != b.field || !strings.Contains(err.Error(), "record 2") {
				t.Errorf("error %q: want a FieldError on %s naming record 2", err, b.field)
			}
			after := scanAll(t, s, store.ProfileQuery{})
			if len(after) != len(stored) {
				t.Fatalf("%d profiles stored after the failed batch, want %d", len(after), len(stored))
			}
			for _, r := range after {
				w := stored[pkey(r.Kind, r.ID)]
				if r.Hash != w.Hash || r.Seq != w.Seq || r.Region != w.Region {
					t.Errorf("%s changed by a failed batch: %+v, was %+v", r.ID, r, w)
				}
			}
		})
	}
}

// testProfilesSeqConcurrent: writers upsert batches at once while a reader
// follows "changed since cursor"; the reader ends with exactly what is
// stored, so no change was skipped. Each writer mostly inserts new keys,
// which are never changed again, so a skipped seq would stay missing.
func testProfilesSeqConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const (
		writers = 4
		batches = 12
		size    = 40
	)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for b := range batches {
				var batch []store.ProfileRecord
				for i := range size {
					id := fmt.Sprintf("w%d-b%02d-%02d", w, b, i)
					rev := 1
					if b > 0 && rng.IntN(4) == 0 { // change an earlier one of ours
						id = fmt.Sprintf("w%d-b%02d-%02d", w, rng.IntN(b), i)
						rev = 2 + b
					}
					batch = append(batch, prof(corpus.AudienceEnterprise, id, "370811", rev))
				}
				if _, err := s.UpsertProfiles(ctx, batch); err != nil {
					t.Errorf("writer %d batch %d: %v", w, b, err)
					return
				}
			}
		}()
	}
	seen := map[string]store.ProfileRecord{}
	var cursor int64
	follow := func() {
		next := cursor
		if err := s.ScanProfiles(ctx, store.ProfileQuery{AfterSeq: cursor}, func(r store.ProfileRecord) error {
			if r.Seq <= cursor {
				return fmt.Errorf("%s: seq %d not after cursor %d", r.ID, r.Seq, cursor)
			}
			seen[r.ID] = r
			next = max(next, r.Seq)
			return nil
		}); err != nil {
			t.Errorf("follow: %v", err)
		}
		cursor = next
	}
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		for {
			select {
			case <-done:
				follow() // everything has committed: one last pass
				return
			default:
				follow()
			}
		}
	}()
	wg.Wait()
	close(done)
	<-followed
	all := scanAll(t, s, store.ProfileQuery{})
	if len(all) < writers*batches*size/2 {
		t.Fatalf("only %d profiles stored", len(all))
	}
	missed := 0
	for _, r := range all {
		if g, ok := seen[r.ID]; !ok || g.Hash != r.Hash || g.Seq != r.Seq {
			missed++
			if missed <= 3 {
				t.Errorf("reader missed %s at seq %d (saw %+v)", r.ID, r.Seq, g)
			}
		}
	}
	if len(seen) != len(all) || missed > 0 {
		t.Errorf("reader saw %d profiles, %d stored, %d missed", len(seen), len(all), missed)
	}
}

// testProfilesFollow: a follower that scans "changed since cursor" and
// takes the largest seq it saw as its next cursor misses nothing, even when
// profiles change during its scan on both sides of where the scan is.
func testProfilesFollow(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 2500 // more than one page
	E := corpus.AudienceEnterprise
	var recs []store.ProfileRecord
	for i := range n {
		recs = append(recs, prof(E, fmt.Sprintf("f%05d", i), "370811", 1))
	}
	must(s.UpsertProfiles(ctx, recs))(t)
	seen := map[string]int64{}
	follow := func(cursor int64, during func()) int64 {
		next := cursor
		calls := 0
		if err := s.ScanProfiles(ctx, store.ProfileQuery{AfterSeq: cursor}, func(r store.ProfileRecord) error {
			if calls++; calls == 1 && during != nil {
				during()
			}
			seen[r.ID] = r.Seq
			next = max(next, r.Seq)
			return nil
		}); err != nil {
			t.Fatalf("follow from %d: %v", cursor, err)
		}
		return next
	}
	// While the scan is on its first page, a profile it has passed changes,
	// then one on a later page.
	cursor := follow(0, func() {
		must(s.UpsertProfiles(ctx, []store.ProfileRecord{prof(E, "f00000", "370811", 2)}))(t)
		must(s.UpsertProfiles(ctx, []store.ProfileRecord{prof(E, "f02400", "370811", 2)}))(t)
	})
	follow(cursor, nil)
	for _, id := range []string{"f00000", "f02400"} {
		if st := must(s.GetProfile(ctx, E, id))(t); seen[id] != st.Seq {
			t.Errorf("follower last saw %s at seq %d; it changed at seq %d", id, seen[id], st.Seq)
		}
	}
	if len(seen) != n {
		t.Errorf("follower saw %d profiles, want %d", len(seen), n)
	}
}

func testProfilesScan(t *testing.T, s store.Store) {
	ctx := context.Background()
	E, R := corpus.AudienceEnterprise, corpus.AudienceResident
	regions := []string{"370811", "370812", "370900", "379900", "380101", "440106", ""}
	var recs []store.ProfileRecord
	for i := range 60 {
		kind := E
		if i%3 == 0 {
			kind = R
		}
		recs = append(recs, prof(kind, fmt.Sprintf("id-%03d", i), regions[i%len(regions)], 1))
	}
	must(s.UpsertProfiles(ctx, recs))(t)
	mid := must(s.GetProfile(ctx, recs[29].Kind, recs[29].ID))(t).Seq
	var top int64
	for _, r := range scanAll(t, s, store.ProfileQuery{}) {
		top = max(top, r.Seq)
	}
	changed := []store.ProfileRecord{prof(recs[3].Kind, recs[3].ID, recs[3].Region, 2), prof(E, "id-new", "370811", 1)}
	must(s.UpsertProfiles(ctx, changed))(t)
	recs[3] = changed[0]
	recs = append(recs, changed[1])
	stored := map[string]store.ProfileRecord{}
	for _, r := range scanAll(t, s, store.ProfileQuery{}) {
		stored[pkey(r.Kind, r.ID)] = r
	}

	cases := []struct {
		name string
		q    store.ProfileQuery
	}{
		{"all", store.ProfileQuery{}},
		{"kind", store.ProfileQuery{Kind: R}},
		{"national", store.ProfileQuery{Regions: []string{region.National}}},
		{"province", store.ProfileQuery{Regions: []string{"370000"}}},
		{"city", store.ProfileQuery{Regions: []string{"370800"}}},
		{"county", store.ProfileQuery{Regions: []string{"370811"}}},
		{"several", store.ProfileQuery{Regions: []string{"370800", "440106"}}},
		{"city and kind", store.ProfileQuery{Kind: E, Regions: []string{"370800"}}},
		{"none there", store.ProfileQuery{Regions: []string{"110000"}}},
		{"after seq", store.ProfileQuery{AfterSeq: mid}},
		{"shard", store.ProfileQuery{Shard: 2, Shards: 5}},
		{"everything", store.ProfileQuery{Kind: E, Regions: []string{"370000"}, Shard: 1, Shards: 3, AfterSeq: 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			for _, r := range recs {
				st := stored[pkey(r.Kind, r.ID)]
				ok := (c.q.Kind == "" || r.Kind == c.q.Kind) && st.Seq > c.q.AfterSeq
				if len(c.q.Regions) > 0 {
					in := false
					for _, code := range c.q.Regions {
						in = in || region.Within(r.Region, code)
					}
					ok = ok && in
				}
				if ok {
					want = append(want, pkey(r.Kind, r.ID))
				}
			}
			if c.q.Shards > 0 {
				// Which shard a profile is in is the backend's; check the
				// shard against its complement instead.
				var all []string
				for i := range c.q.Shards {
					q := c.q
					q.Shard = i
					for _, r := range scanAll(t, s, q) {
						all = append(all, pkey(r.Kind, r.ID))
					}
				}
				slices.Sort(all)
				slices.Sort(want)
				if !slices.Equal(all, want) {
					t.Errorf("shards together: %v, want each of %v once", all, want)
				}
				return
			}
			var got []string
			for _, r := range scanAll(t, s, c.q) {
				got = append(got, pkey(r.Kind, r.ID))
			}
			slices.Sort(want) // enterprise sorts before resident, as kind, id does
			if !slices.Equal(got, want) {
				t.Errorf("scan %+v:\n got %v\nwant %v", c.q, got, want)
			}
		})
	}
	var since []string
	for _, r := range scanAll(t, s, store.ProfileQuery{AfterSeq: top}) {
		since = append(since, r.ID)
	}
	if !slices.Equal(since, []string{"id-new", "id-003"}) { // enterprise before resident
		t.Errorf("changed after the first batch: %v, want [id-new id-003]", since)
	}

	stop := errors.New("stop")
	n := 0
	err := s.ScanProfiles(ctx, store.ProfileQuery{}, func(store.ProfileRecord) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("scan stopped by fn: %v after %d calls", err, n)
	}
	for _, q := range []store.ProfileQuery{
		{Kind: "company"}, {Regions: []string{"3708"}}, {Shard: 3, Shards: 3}, {Shard: -1, Shards: 3}, {Shards: -1},
	} {
		if err := s.ScanProfiles(ctx, q, func(store.ProfileRecord) error { return nil }); err == nil {
			t.Errorf("scan %+v: no error", q)
		}
	}
}

// testProfilesPaging scans more profiles than one page, whole and in shards.
func testProfilesPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 4500 // more than two pages of 2,000
	var recs []store.ProfileRecord
	for i := range n {
		kind := corpus.AudienceEnterprise
		if i%2 == 1 {
			kind = corpus.AudienceResident
		}
		recs = append(recs, prof(kind, fmt.Sprintf("p%05d", (i*7919)%n), "370811", 1))
	}
	if res := must(s.UpsertProfiles(ctx, recs))(t); res.Inserted != n {
		t.Fatalf("insert: %+v", res)
	}
	all := scanAll(t, s, store.ProfileQuery{})
	if len(all) != n {
		t.Fatalf("scan: %d profiles, want %d", len(all), n)
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Kind > b.Kind || (a.Kind == b.Kind && a.ID >= b.ID) {
			t.Fatalf("scan out of (kind, id) order: %s/%s before %s/%s", a.Kind, a.ID, b.Kind, b.ID)
		}
	}
	const shards = 16
	count := map[string]int{}
	for sh := range shards {
		for _, r := range scanAll(t, s, store.ProfileQuery{Shard: sh, Shards: shards}) {
			count[pkey(r.Kind, r.ID)]++
		}
	}
	if len(count) != n {
		t.Errorf("shards cover %d profiles, want %d", len(count), n)
	}
	for k, c := range count {
		if c != 1 {
			t.Errorf("%s is in %d shards", k, c)
		}
	}
}

// match is a test match record.
func match(id, policy string, version int, benefit, reg, verdict string) store.MatchRecord {
	return store.MatchRecord{
		SubjectKind: corpus.AudienceEnterprise, SubjectID: id, PolicyID: policy, Version: version,
		BenefitKey: benefit, Region: reg, Verdict: verdict, Score: 0.5, Grant: verdict == "eligible",
		Explanation: []byte(fmt.Sprintf(`{"met": ["%s %s"], "missing": []}`, benefit, verdict)),
	}
}

// waitClockPast waits until the clock is past t, so a write made now would
// carry a later time.
func waitClockPast(t time.Time) {
	for !time.Now().After(t.Add(time.Millisecond)) {
		time.Sleep(time.Millisecond)
	}
}

func testMatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	recs := []store.MatchRecord{
		match("A", "p1", 1, "b1", "370811", "eligible"),
		match("A", "p1", 1, "b2", "370811", "ineligible"),
		match("B", "p1", 1, "b1", "370811", "unknown"),
		match("B", "p1", 1, "b2", "370811", "ineligible"),
		match("C", "p1", 1, "b1", "370812", "ineligible"),
		match("D", "p1", 1, "b1", "370811", "eligible"),
		match("A", "p1", 2, "b1", "370811", "unknown"),
		match("A", "p2", 1, "b1", "370811", "eligible"),
	}
	recs[3].Explanation = nil
	if err := s.PutMatches(ctx, recs); err != nil {
		t.Fatal(err)
	}
	byKey := func(rs []store.MatchRecord) map[string]store.MatchRecord {
		m := map[string]store.MatchRecord{}
		for _, r := range rs {
			m[fmt.Sprint(r.PolicyID, r.Version, r.BenefitKey)] = r
		}
		return m
	}
	first := must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, "A"))(t)
	if len(first) != 4 {
		t.Fatalf("A has %d matches, want 4", len(first))
	}
	for _, r := range recs {
		if r.SubjectID != "A" {
			continue
		}
		g := byKey(first)[fmt.Sprint(r.PolicyID, r.Version, r.BenefitKey)]
		if g.Verdict != r.Verdict || g.Score != r.Score || g.Grant != r.Grant || g.Region != r.Region || !sameJSON(g.Explanation, r.Explanation) || g.MatchedAt.IsZero() {
			t.Errorf("stored %+v, put %+v", g, r)
		}
	}
	if b := must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, "B"))(t); len(b) != 2 || b[1].Explanation != nil {
		t.Errorf("B: %+v, want 2 with the second's explanation absent", b)
	}

	// Re-putting the same results touches nothing; a changed one moves.
	for _, r := range first {
		waitClockPast(r.MatchedAt)
	}
	changed := recs[1]
	changed.Verdict, changed.Score = "unknown", 0.7
	again := append(slices.Clone(recs), changed)
	if err := s.PutMatches(ctx, again); err != nil {
		t.Fatal(err)
	}
	second := byKey(must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, "A"))(t))
	for k, r := range byKey(first) {
		g := second[k]
		if k == "p11b2" {
			if g.Verdict != "unknown" || g.Score != 0.7 || !g.MatchedAt.After(r.MatchedAt) {
				t.Errorf("changed %s: %+v, want unknown 0.7 matched after %v", k, g, r.MatchedAt)
			}
			continue
		}
		if !g.MatchedAt.Equal(r.MatchedAt) {
			t.Errorf("unchanged %s: matched_at moved from %v to %v", k, r.MatchedAt, g.MatchedAt)
		}
	}

	// Each subject counts once, under its best verdict.
	want := []store.MatchCount{
		{Region: "370811", Verdict: "eligible", N: 2}, // A (b1), D
		{Region: "370811", Verdict: "unknown", N: 1},  // B
		{Region: "370812", Verdict: "ineligible", N: 1},
	}
	if got := must(s.CountMatches(ctx, "p1", 1))(t); !slices.Equal(got, want) {
		t.Errorf("count p1 v1: %+v, want %+v", got, want)
	}
	// Counting only some benefits: A's b2 is now unknown, B's ineligible.
	wantB2 := []store.MatchCount{
		{Region: "370811", Verdict: "unknown", N: 1},
		{Region: "370811", Verdict: "ineligible", N: 1},
	}
	if got := must(s.CountMatches(ctx, "p1", 1, "b2"))(t); !slices.Equal(got, wantB2) {
		t.Errorf("count p1 v1 b2: %+v, want %+v", got, wantB2)
	}
	if got := must(s.CountMatches(ctx, "p1", 1, "b1", "b2"))(t); !slices.Equal(got, want) {
		t.Errorf("count p1 v1 b1+b2: %+v, want %+v", got, want)
	}
	if got := must(s.CountMatches(ctx, "p9", 1))(t); len(got) != 0 {
		t.Errorf("count of an unknown policy: %+v", got)
	}

	bad := []struct {
		field  string
		mutate func(*store.MatchRecord)
	}{
		{"subject_kind", func(r *store.MatchRecord) { r.SubjectKind = "" }},
		{"subject_id", func(r *store.MatchRecord) { r.SubjectID = "" }},
		{"version", func(r *store.MatchRecord) { r.Version = 0 }},
		{"verdict", func(r *store.MatchRecord) { r.Verdict = "maybe" }},
		{"explanation", func(r *store.MatchRecord) { r.Explanation = []byte("{") }},
	}
	for _, b := range bad {
		r := match("E", "p1", 1, "b1", "370811", "eligible")
		b.mutate(&r)
		err := s.PutMatches(ctx, []store.MatchRecord{match("E", "p1", 1, "b2", "370811", "eligible"), r})
		var fe *corpus.FieldError
		if !errors.As(err, &fe) || fe.Field != b.field || !strings.Contains(err.Error(), "record 1") {
			t.Errorf("bad %s: %v, want a FieldError naming record 1", b.field, err)
		}
	}
	if e := must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, "E"))(t); len(e) != 0 {
		t.Errorf("a failed batch stored %+v", e)
	}

	// Keeping version 2 removes version 1 of p1 only.
	if n := must(s.DeleteMatches(ctx, "p1", 2))(t); n != 6 {
		t.Errorf("delete p1 before v2: %d rows, want 6", n)
	}
	if got := must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, "A"))(t); len(got) != 2 {
		t.Errorf("A after delete: %+v, want p1 v2 and p2 v1", got)
	}
	if n := must(s.DeleteMatches(ctx, "p1", 0))(t); n != 1 {
		t.Errorf("delete all of p1: %d rows, want 1", n)
	}
	if got := must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, "A"))(t); len(got) != 1 || got[0].PolicyID != "p2" {
		t.Errorf("A after deleting p1: %+v, want p2 only", got)
	}
}

// testMatchesExact: what PutMatches stores reads back as it was given —
// scores to the last bit, explanations with quotes, backslashes, escapes
// and Chinese text (the same JSON; byte for byte where the backend keeps
// text) — whatever the batch size; text that is not valid UTF-8 is refused
// by both backends alike.
func testMatchesExact(t *testing.T, s store.Store) {
	ctx := context.Background()
	expls := []string{
		`{"met":["上年度营业收入不低于2000万元"],"unmet":["\"引号\" 与 \\ 反斜杠"],"missing":["revenue"]}`,
		`{"met":["\u003c本市\u003e \n\t\u0001"],"score":0.30000000000000004}`,
		`{ "spaced" : [ 1 , 2 ] }`,
		`[]`,
	}
	scores := []float64{1.0 / 3, 0.1 + 0.2, 1, 0, 2.5e-9, 0.8333333333333334}
	var recs []store.MatchRecord
	for i := range 700 { // more than one statement's worth on any chunking
		r := match(fmt.Sprintf("X%03d", i%7), fmt.Sprintf("p%d", i/7), 1+i%2, "b1", "370811", [...]string{"eligible", "unknown", "ineligible"}[i%3])
		r.Score = scores[i%len(scores)]
		r.Explanation = []byte(expls[i%len(expls)])
		if i%11 == 0 {
			r.Explanation = nil
		}
		recs = append(recs, r)
	}
	if err := s.PutMatches(ctx, recs); err != nil {
		t.Fatal(err)
	}
	want := map[string]store.MatchRecord{}
	for _, r := range recs {
		want[fmt.Sprint(r.SubjectID, r.PolicyID, r.Version, r.BenefitKey)] = r
	}
	n := 0
	for i := range 7 {
		for _, g := range must(s.SubjectMatches(ctx, corpus.AudienceEnterprise, fmt.Sprintf("X%03d", i)))(t) {
			n++
			r := want[fmt.Sprint(g.SubjectID, g.PolicyID, g.Version, g.BenefitKey)]
			if g.Score != r.Score || g.Verdict != r.Verdict || g.Grant != r.Grant || g.Region != r.Region ||
				(g.Explanation == nil) != (r.Explanation == nil) || (r.Explanation != nil && !sameJSON(g.Explanation, r.Explanation)) {
				t.Errorf("stored %+v (explanation %s), put %+v (explanation %s)", g, g.Explanation, r, r.Explanation)
			}
		}
	}
	if n != len(recs) {
		t.Errorf("read back %d rows, put %d", n, len(recs))
	}
	// SubjectDigests gives each row's verdict and the digest of what was put.
	n = 0
	for i := range 7 {
		for _, g := range must(s.SubjectDigests(ctx, corpus.AudienceEnterprise, fmt.Sprintf("X%03d", i)))(t) {
			n++
			r := want[fmt.Sprint(fmt.Sprintf("X%03d", i), g.PolicyID, g.Version, g.BenefitKey)]
			if g.Verdict != r.Verdict || g.Digest != store.MatchDigest(&r) || g.Digest == 0 {
				t.Errorf("digest of %s %d %s: %+v, want verdict %s digest %x", g.PolicyID, g.Version, g.BenefitKey, g, r.Verdict, store.MatchDigest(&r))
			}
		}
	}
	if n != len(recs) {
		t.Errorf("SubjectDigests read %d rows, put %d", n, len(recs))
	}
	// A digest changes with anything the row says.
	base := recs[1]
	for name, mutate := range map[string]func(*store.MatchRecord){
		"region": func(r *store.MatchRecord) { r.Region = "370812" }, "verdict": func(r *store.MatchRecord) { r.Verdict = "eligible" },
		"score": func(r *store.MatchRecord) { r.Score = math.Nextafter(r.Score, 1) }, "grant": func(r *store.MatchRecord) { r.Grant = !r.Grant },
		"explanation":    func(r *store.MatchRecord) { r.Explanation = append(slices.Clone(r.Explanation), ' ') },
		"no explanation": func(r *store.MatchRecord) { r.Explanation = nil },
	} {
		r := base
		mutate(&r)
		if store.MatchDigest(&r) == store.MatchDigest(&base) {
			t.Errorf("changing the %s leaves the digest %x", name, store.MatchDigest(&r))
		}
	}
	for _, bad := range []struct {
		field  string
		mutate func(*store.MatchRecord)
	}{
		{"subject_id", func(r *store.MatchRecord) { r.SubjectID = "X\xff" }},
		{"region", func(r *store.MatchRecord) { r.Region = "37\x00811" }},
		{"explanation", func(r *store.MatchRecord) { r.Explanation = []byte("\"\xfe\"") }},
		{"score", func(r *store.MatchRecord) { r.Score = math.NaN() }},
	} {
		r := match("Y", "p1", 1, "b1", "370811", "eligible")
		bad.mutate(&r)
		var fe *corpus.FieldError
		if err := s.PutMatches(ctx, []store.MatchRecord{r}); !errors.As(err, &fe) || fe.Field != bad.field {
			t.Errorf("bad %s: %v, want a FieldError naming it", bad.field, err)
		}
	}
}

// waitExpired waits until l has expired.
func waitExpired(l store.Lease) {
	for !time.Now().After(l.ExpiresAt) {
		time.Sleep(time.Millisecond)
	}
}

func testSweepStart(t *testing.T, s store.Store) {
	ctx := context.Background()
	sw := must(s.StartSweep(ctx, "p1@1", "p1", 1, 8))(t)
	if sw.Key != "p1@1" || sw.PolicyID != "p1" || sw.Version != 1 || sw.Shards != 8 || sw.Done != 0 || sw.CreatedAt.IsZero() {
		t.Errorf("started %+v", sw)
	}
	again := must(s.StartSweep(ctx, "p1@1", "p1", 1, 8))(t)
	if again != sw {
		t.Errorf("restart: %+v, want %+v", again, sw)
	}
	if got := must(s.GetSweep(ctx, "p1@1"))(t); got != sw {
		t.Errorf("get: %+v, want %+v", got, sw)
	}
	if _, err := s.StartSweep(ctx, "p1@1", "p1", 2, 8); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same key, other version: %v, want ErrConflict", err)
	}
	if _, err := s.GetSweep(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get missing sweep: %v, want ErrNotFound", err)
	}
	for _, bad := range []struct {
		key, policy string
		version     int
		shards      int
	}{{"", "p", 1, 1}, {"k", "", 1, 1}, {"k", "p", 0, 1}, {"k", "p", 1, 0}} {
		if _, err := s.StartSweep(ctx, bad.key, bad.policy, bad.version, bad.shards); err == nil {
			t.Errorf("start %+v: no error", bad)
		}
	}
	// Restarting did not add shards: exactly 8 can be leased.
	n := 0
	for {
		_, ok, err := s.LeaseShard(ctx, "w", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		n++
	}
	if n != 8 {
		t.Errorf("leased %d shards, want 8", n)
	}
}

func testSweepLeases(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(s.StartSweep(ctx, "s", "p1", 3, 2))(t)
	a, ok, err := s.LeaseShard(ctx, "a", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lease a: %v %v", ok, err)
	}
	b, ok, err := s.LeaseShard(ctx, "b", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lease b: %v %v", ok, err)
	}
	if a.Shard == b.Shard || a.Token == b.Token || a.SweepKey != "s" || a.PolicyID != "p1" || a.Version != 3 || a.Shards != 2 || a.Worker != "a" {
		t.Errorf("leases %+v and %+v", a, b)
	}
	if !a.ExpiresAt.After(time.Now()) {
		t.Errorf("lease a expires at %v, already past", a.ExpiresAt)
	}
	if c, ok, err := s.LeaseShard(ctx, "c", time.Minute); err != nil || ok {
		t.Errorf("third lease of two shards: %+v %v %v", c, ok, err)
	}
	if err := s.RenewLease(ctx, a, time.Minute); err != nil {
		t.Errorf("renew a: %v", err)
	}
	if err := s.CompleteShard(ctx, a); err != nil {
		t.Errorf("complete a: %v", err)
	}
	if err := s.CompleteShard(ctx, a); !errors.Is(err, store.ErrConflict) {
		t.Errorf("complete a twice: %v, want ErrConflict", err)
	}
	if err := s.RenewLease(ctx, a, time.Minute); !errors.Is(err, store.ErrConflict) {
		t.Errorf("renew a completed shard: %v, want ErrConflict", err)
	}
	forged := b
	forged.Token = ""
	if err := s.CompleteShard(ctx, forged); !errors.Is(err, store.ErrConflict) {
		t.Errorf("complete without a token: %v, want ErrConflict", err)
	}
	forged.Token = a.Token
	if err := s.CompleteShard(ctx, forged); !errors.Is(err, store.ErrConflict) {
		t.Errorf("complete b's shard with a's token: %v, want ErrConflict", err)
	}

	// An expired lease is taken over; the old token is then worthless.
	if err := s.RenewLease(ctx, b, time.Millisecond); err != nil {
		t.Fatalf("shorten b: %v", err)
	}
	// The renewal ended b's lease 1 ms after a moment before now.
	bExp := b
	bExp.ExpiresAt = time.Now().Add(2 * time.Millisecond)
	if got, _ := s.GetSweep(ctx, "s"); got.Done != 1 {
		t.Errorf("done = %d, want 1", got.Done)
	}
	waitExpired(bExp)
	c, ok, err := s.LeaseShard(ctx, "c", time.Minute)
	if err != nil || !ok || c.Shard != b.Shard || c.Token == b.Token {
		t.Fatalf("take over b's expired shard: %+v %v %v", c, ok, err)
	}
	if err := s.RenewLease(ctx, b, time.Minute); !errors.Is(err, store.ErrConflict) {
		t.Errorf("renew a lease taken over: %v, want ErrConflict", err)
	}
	if err := s.CompleteShard(ctx, b); !errors.Is(err, store.ErrConflict) {
		t.Errorf("complete a lease taken over: %v, want ErrConflict", err)
	}
	if err := s.CompleteShard(ctx, c); err != nil {
		t.Errorf("complete c: %v", err)
	}
	if got := must(s.GetSweep(ctx, "s"))(t); got.Done != 2 {
		t.Errorf("done = %d, want 2", got.Done)
	}
	if l, ok, err := s.LeaseShard(ctx, "d", time.Minute); err != nil || ok {
		t.Errorf("lease from a finished sweep: %+v %v %v", l, ok, err)
	}
	if _, _, err := s.LeaseShard(ctx, "d", 0); err == nil {
		t.Error("lease with no ttl: no error")
	}
}

// testSweepConcurrent: workers in several goroutines drain a 16-shard sweep,
// two of whose shards were leased by a worker that died. No shard is held by
// two live leases at once and each completes exactly once.
func testSweepConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const (
		shards  = 16
		workers = 4
	)
	must(s.StartSweep(ctx, "big", "p1", 1, shards))(t)
	var dead []store.Lease
	for range 2 {
		l, ok, err := s.LeaseShard(ctx, "dead", 20*time.Millisecond)
		if err != nil || !ok {
			t.Fatalf("lease for the dead worker: %v %v", ok, err)
		}
		dead = append(dead, l)
	}
	var (
		mu        sync.Mutex
		held      = map[int]string{} // shard → worker holding a live lease
		completed = map[int]int{}
		wg        sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("worker", w)
			for {
				l, ok, err := s.LeaseShard(ctx, name, time.Minute)
				if err != nil {
					t.Errorf("%s: lease: %v", name, err)
					return
				}
				if !ok {
					sw, err := s.GetSweep(ctx, "big")
					if err != nil {
						t.Errorf("%s: %v", name, err)
						return
					}
					if sw.Done == shards {
						return
					}
					time.Sleep(time.Millisecond) // the dead worker's leases are still running
					continue
				}
				mu.Lock()
				if other, ok := held[l.Shard]; ok {
					t.Errorf("shard %d leased to %s while %s holds it", l.Shard, name, other)
				}
				held[l.Shard] = name
				mu.Unlock()
				if err := s.RenewLease(ctx, l, time.Minute); err != nil {
					t.Errorf("%s: renew shard %d: %v", name, l.Shard, err)
				}
				err = s.CompleteShard(ctx, l)
				mu.Lock()
				delete(held, l.Shard)
				if err == nil {
					completed[l.Shard]++
				}
				mu.Unlock()
				if err != nil {
					t.Errorf("%s: complete shard %d: %v", name, l.Shard, err)
				}
			}
		}()
	}
	wg.Wait()
	for sh := range shards {
		if completed[sh] != 1 {
			t.Errorf("shard %d completed %d times", sh, completed[sh])
		}
	}
	for _, l := range dead {
		if err := s.CompleteShard(ctx, l); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the dead worker completing shard %d: %v, want ErrConflict", l.Shard, err)
		}
	}
	if sw := must(s.GetSweep(ctx, "big"))(t); sw.Done != shards {
		t.Errorf("done = %d, want %d", sw.Done, shards)
	}
}

// BenchmarkUpsertProfiles measures UpsertProfiles on batches of batch
// profiles as the importer sends them: each iteration inserts a new batch,
// re-imports it unchanged and imports it again with every profile changed.
// It reports the cost per profile of each.
func BenchmarkUpsertProfiles(b *testing.B, s store.Store, batch int) {
	ctx := context.Background()
	data := `{"kind": "enterprise", "id": "%s", "region": "370811", "employees": %d, "tags": ["高新技术企业", "科技型中小企业"], "revenue": {"2024": 35000000}, "verified": ["revenue"]}`
	var (
		n     int
		spent [3]time.Duration
	)
	for b.Loop() {
		recs := make([]store.ProfileRecord, batch)
		changed := make([]store.ProfileRecord, batch)
		for i := range recs {
			id := fmt.Sprintf("91370811%010d", n)
			n++
			recs[i] = store.ProfileRecord{Kind: corpus.AudienceEnterprise, ID: id, Region: "370811",
				AsOf: corpus.MustDate("2025-06-30"), Data: []byte(fmt.Sprintf(data, id, n%300))}
			changed[i] = recs[i]
			changed[i].Data = []byte(fmt.Sprintf(data, id, n%300+1))
		}
		for i, step := range []struct {
			recs []store.ProfileRecord
			want store.UpsertResult
		}{{recs, store.UpsertResult{Inserted: batch}}, {recs, store.UpsertResult{Unchanged: batch}}, {changed, store.UpsertResult{Updated: batch}}} {
			start := time.Now()
			res, err := s.UpsertProfiles(ctx, step.recs)
			if err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(start)
			if res != step.want {
				b.Fatalf("%+v, want %+v", res, step.want)
			}
		}
	}
	for i, name := range []string{"ns/inserted", "ns/unchanged", "ns/updated"} {
		b.ReportMetric(float64(spent[i].Nanoseconds())/float64(n), name)
	}
}

// BenchmarkPutMatches measures PutMatches on batches of batch results:
// each iteration writes new results, then the same again (unchanged).
func BenchmarkPutMatches(b *testing.B, s store.Store, batch int) {
	ctx := context.Background()
	var (
		n     int
		spent [2]time.Duration
	)
	for b.Loop() {
		recs := make([]store.MatchRecord, batch)
		for i := range recs {
			recs[i] = match(fmt.Sprintf("91370811%010d", n), "p1", 1, "b1", "370811", [...]string{"eligible", "unknown", "ineligible"}[n%3])
			n++
		}
		for i := range spent {
			start := time.Now()
			if err := s.PutMatches(ctx, recs); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(start)
		}
	}
	for i, name := range []string{"ns/new", "ns/unchanged"} {
		b.ReportMetric(float64(spent[i].Nanoseconds())/float64(n), name)
	}
}
