package sweep_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/matcher/sweep/sweeptest"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/postgres"
	"github.com/zhida/zhida/store/postgres/pgtest"
	"github.com/zhida/zhida/store/sqlite"
)

var today = corpus.Date{Year: 2026, Month: 6, Day: 1}

// backends runs fn on a fresh SQLite store and, when ZHIDA_TEST_POSTGRES is
// set, on a fresh PostgreSQL schema.
func backends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		st, err := sqlite.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		st, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}

type fixture struct {
	st       store.Store
	profiles []matcher.Profile
	versions []corpus.Version
}

func setup(t *testing.T, st store.Store, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	profs, err := sweeptest.Load(ctx, st, sweeptest.Profiles(n, 42))
	if err != nil {
		t.Fatal(err)
	}
	vers, err := sweeptest.Publish(ctx, st, sweeptest.Documents())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, profiles: profs, versions: vers}
}

func newWorker(st store.Store, name string) *sweep.Worker {
	w := sweep.New(st, name, nil)
	w.Today = func() corpus.Date { return today }
	w.PageSize = 300
	return w
}

type stored struct {
	verdict string
	grant   bool
	score   float64
	at      time.Time
}

// storedMatches reads every stored result of the fixture's subjects, keyed
// by subject/policy/version/benefit.
func (f *fixture) storedMatches(t *testing.T) map[string]stored {
	t.Helper()
	out := map[string]stored{}
	for i := range f.profiles {
		p := &f.profiles[i]
		ms, err := f.st.SubjectMatches(context.Background(), p.Kind.Audience(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Region != p.Region() {
				t.Errorf("%s: stored region %q, profile %q", p.ID, m.Region, p.Region())
			}
			var ex sweep.Explanation
			if err := json.Unmarshal(m.Explanation, &ex); err != nil || ex.Benefit == "" {
				t.Errorf("%s: explanation %s: %v", p.ID, m.Explanation, err)
			}
			// A grant records the verified facts it rested on, in the form
			// the pusher reads for the audit.
			if m.Grant {
				pe, err := pusher.ParseExplanation(m.Explanation)
				if err != nil || len(pe.Facts) == 0 {
					t.Errorf("%s: grant without facts: %s (%v)", p.ID, m.Explanation, err)
				}
				verified := 0
				for _, f := range pe.Facts {
					if f.Verified != p.Verified(f.Key) || len(f.Value) == 0 {
						t.Errorf("%s: fact %+v", p.ID, f)
					}
					if f.Verified {
						verified++
					}
				}
				if verified == 0 || pe.Profile == nil || len(pe.Profile.Hash) != 64 {
					t.Errorf("%s: grant with %d verified facts, profile %+v", p.ID, verified, pe.Profile)
				}
			}
			out[fmt.Sprintf("%s/%s/%d/%s", m.SubjectID, m.PolicyID, m.Version, m.BenefitKey)] =
				stored{m.Verdict, m.Grant, m.Score, m.MatchedAt}
		}
	}
	return out
}

// expected evaluates every profile with the reference evaluator.
func (f *fixture) expected() map[string]stored {
	out := map[string]stored{}
	for i := range f.profiles {
		p := &f.profiles[i]
		for _, v := range f.versions {
			pol := sweep.PolicyOf(v)
			res := matcher.EvalPolicy(&pol, p, today)
			for bi, br := range res.Benefits {
				if br.Verdict == matcher.False {
					continue
				}
				k := fmt.Sprintf("%s/%s/%d/%s", p.ID, v.PolicyID, v.Version, sweep.BenefitKey(&v.Document.Benefits[bi], bi))
				out[k] = stored{verdict: br.Verdict.Verdict(), grant: br.Grant, score: br.Score}
			}
		}
	}
	return out
}

func compare(t *testing.T, got, want map[string]stored) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("stored %d results, reference evaluation gives %d", len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		g, ok := got[k]
		if !ok || g.verdict != w.verdict || g.grant != w.grant || math.Abs(g.score-w.score) > 1e-9 {
			if bad++; bad <= 10 {
				t.Errorf("%s: stored %+v (present %v), want %+v", k, g, ok, w)
			}
		}
	}
}

func TestSweepMatchesReference(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := setup(t, st, 3000)
		w := newWorker(st, "w1")
		for _, v := range f.versions {
			sw, err := w.SweepPolicy(ctx, v.PolicyID, v.Version)
			if err != nil {
				t.Fatal(err)
			}
			if sw.Done != sw.Shards || sw.Shards != sweep.DefaultShards {
				t.Fatalf("sweep %+v not done", sw)
			}
		}
		want := f.expected()
		var eligible, unknown, grants int
		for _, s := range want {
			if s.grant {
				grants++
			}
			if s.verdict == "eligible" {
				eligible++
			} else {
				unknown++
			}
		}
		if eligible < 50 || unknown < 50 || grants < 10 {
			t.Fatalf("generated data too thin: %d eligible, %d unknown results, %d grants", eligible, unknown, grants)
		}
		got := f.storedMatches(t)
		compare(t, got, want)

		// Re-running: the same day's sweep is done and does nothing; a second
		// sweep of the same version (another key) rewrites no row.
		if done, err := w.Work(ctx); err != nil || len(done) != 0 {
			t.Fatalf("work after done: %v, %v", done, err)
		}
		v := f.versions[0]
		if _, err := st.StartSweep(ctx, "rerun/"+today.String(), v.PolicyID, v.Version, 4); err != nil {
			t.Fatal(err)
		}
		done, err := w.Work(ctx)
		if err != nil || len(done) != 4 {
			t.Fatalf("rerun: %d shards, %v", len(done), err)
		}
		again := f.storedMatches(t)
		for k, g := range got {
			if a := again[k]; !a.at.Equal(g.at) || a.verdict != g.verdict {
				t.Fatalf("%s rewritten by a re-run: %+v → %+v", k, g, a)
			}
		}
		if len(again) != len(got) {
			t.Fatalf("re-run changed the row count %d → %d", len(got), len(again))
		}

		// CountMatches agrees with the reference: distinct subjects by their
		// best verdict, per region.
		counts, err := st.CountMatches(ctx, v.PolicyID, v.Version)
		if err != nil {
			t.Fatal(err)
		}
		best := map[string]string{}
		region := map[string]string{}
		for i := range f.profiles {
			region[f.profiles[i].ID] = f.profiles[i].Region()
		}
		for k, s := range want {
			var subj, pol string
			var ver int
			var ben string
			fmt.Sscanf(replaceSlash(k), "%s %s %d %s", &subj, &pol, &ver, &ben)
			if pol != v.PolicyID {
				continue
			}
			if best[subj] != "eligible" {
				best[subj] = s.verdict
			}
		}
		wantCounts := map[string]int64{}
		for subj, verdict := range best {
			wantCounts[region[subj]+"/"+verdict]++
		}
		gotCounts := map[string]int64{}
		for _, c := range counts {
			gotCounts[c.Region+"/"+c.Verdict] += c.N
		}
		if fmt.Sprint(sorted(gotCounts)) != fmt.Sprint(sorted(wantCounts)) {
			t.Errorf("counts %v, want %v", sorted(gotCounts), sorted(wantCounts))
		}
	})
}

func replaceSlash(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '/' {
			b[i] = ' '
		}
	}
	return string(b)
}

func sorted(m map[string]int64) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

func TestSweepSharedAndTakenOver(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := setup(t, st, 1500)
		v := f.versions[0]
		w1, w2 := newWorker(st, "w1"), newWorker(st, "w2")
		if _, err := w1.StartSweep(ctx, v.PolicyID, v.Version); err != nil {
			t.Fatal(err)
		}
		// A worker that leases a shard with a tiny TTL and dies.
		dead, ok, err := st.LeaseShard(ctx, "dead", 50*time.Millisecond)
		if err != nil || !ok {
			t.Fatalf("lease: %v %v", ok, err)
		}
		// Two workers share the rest, then the dead one's shard once its lease
		// expires (SweepPolicy waits for it).
		var mu sync.Mutex
		seen := map[int][]string{}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, w := range []*sweep.Worker{w1, w2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var all []sweep.ShardDone
				for {
					done, err := w.Work(ctx)
					if err != nil {
						errs <- err
						return
					}
					all = append(all, done...)
					sw, err := st.GetSweep(ctx, dead.SweepKey)
					if err != nil {
						errs <- err
						return
					}
					if sw.Done == sw.Shards {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				mu.Lock()
				for _, d := range all {
					seen[d.Shard] = append(seen[d.Shard], d.SweepKey)
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != sweep.DefaultShards {
			t.Fatalf("shards done: %v", seen)
		}
		for s, keys := range seen {
			if len(keys) != 1 {
				t.Errorf("shard %d done %d times", s, len(keys))
			}
		}
		if err := st.CompleteShard(ctx, dead); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the dead worker completed its lost shard: %v", err)
		}
		f.versions = f.versions[:1]
		compare(t, f.storedMatches(t), f.expected())
	})
}

func TestConsumeAndRematch(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := setup(t, st, 600)
		w := newWorker(st, "w1")
		if n, err := w.Consume(ctx, 100); err != nil || n != len(f.versions) {
			t.Fatalf("consume: %d, %v", n, err)
		}
		if _, err := w.Work(ctx); err != nil {
			t.Fatal(err)
		}
		compare(t, f.storedMatches(t), f.expected())

		// Rematching a profile that did not change writes nothing; after a
		// change, only the rows that differ.
		if n, err := w.Rematch(ctx, corpus.AudienceResident, "r000001"); err != nil || n != 0 {
			t.Fatalf("rematch of an unchanged profile wrote %d rows (%v)", n, err)
		}

		// A resident who gets the 低保 tag and becomes unemployed is rematched
		// by Follow; one who loses them gets an ineligible row.
		var seq int64
		if err := st.ScanProfiles(ctx, store.ProfileQuery{}, func(r store.ProfileRecord) error {
			seq = max(seq, r.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		live, err := w.Live(ctx)
		if err != nil || live.Set().Len() != 4 {
			t.Fatalf("live set: %v, %v", live, err)
		}
		line := `{"kind":"resident","id":"r000001","region":"440106","tags":["低保对象"],"employment":"unemployed"}`
		if _, err := sweeptest.Load(ctx, st, []byte(line)); err != nil {
			t.Fatal(err)
		}
		next, n, err := w.Follow(ctx, seq)
		if err != nil || n != 1 || next <= seq {
			t.Fatalf("follow: next %d n %d %v", next, n, err)
		}
		res := v2(t, st, "r000001", f.versions[1].PolicyID)
		if res["b2"] != "eligible" {
			t.Fatalf("after follow: %v", res)
		}
		line = `{"kind":"resident","id":"r000001","region":"440106","tags":[],"employment":"employed"}`
		if _, err := sweeptest.Load(ctx, st, []byte(line)); err != nil {
			t.Fatal(err)
		}
		before, err := st.SubjectMatches(ctx, corpus.AudienceResident, "r000001")
		if err != nil {
			t.Fatal(err)
		}
		n, err = w.Rematch(ctx, corpus.AudienceResident, "r000001")
		if err != nil {
			t.Fatal(err)
		}
		if res := v2(t, st, "r000001", f.versions[1].PolicyID); res["b2"] != "ineligible" {
			t.Fatalf("after rematch: %v", res)
		}
		after, err := st.SubjectMatches(ctx, corpus.AudienceResident, "r000001")
		if err != nil {
			t.Fatal(err)
		}
		changed := 0
		for i := range after {
			if i >= len(before) || after[i].Verdict != before[i].Verdict || after[i].Score != before[i].Score ||
				after[i].BenefitKey != before[i].BenefitKey || !after[i].MatchedAt.Equal(before[i].MatchedAt) {
				changed++
			}
		}
		if n == 0 || n != changed {
			t.Errorf("rematch after a change wrote %d rows; %d of %d stored rows changed", n, changed, len(after))
		}

		// Retracting a policy deletes its results once consumed, and the live
		// set drops it.
		if _, err := st.Retract(ctx, f.versions[0].PolicyID, "test"); err != nil {
			t.Fatal(err)
		}
		if n, err := w.Consume(ctx, 100); err != nil || n != 1 {
			t.Fatalf("consume retract: %d, %v", n, err)
		}
		counts, err := st.CountMatches(ctx, f.versions[0].PolicyID, f.versions[0].Version)
		if err != nil || len(counts) != 0 {
			t.Fatalf("counts after retract: %v, %v", counts, err)
		}
		if live, err := w.Live(ctx); err != nil || live.Set().Len() != 2 {
			t.Fatalf("live after retract: %v", err)
		}
	})
}

// v2 returns a subject's stored verdicts for one policy by benefit key.
func v2(t *testing.T, st store.Store, id, policy string) map[string]string {
	t.Helper()
	ms, err := st.SubjectMatches(context.Background(), corpus.AudienceResident, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		if m.PolicyID == policy {
			out[m.BenefitKey] = m.Verdict
		}
	}
	return out
}

// TestRun: the background loop sweeps a newly published policy and
// rematches a profile changed afterwards.
func TestRun(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if _, err := sweeptest.Load(ctx, st, sweeptest.Profiles(300, 5)); err != nil {
			t.Fatal(err)
		}
		w := newWorker(st, "run")
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx, 20*time.Millisecond) }()
		vers, err := sweeptest.Publish(ctx, st, sweeptest.Documents())
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "sweeps done", func() bool {
			for _, v := range vers {
				sw, err := st.GetSweep(ctx, sweep.SweepKey(v.PolicyID, v.Version, today))
				if err != nil || sw.Done != sw.Shards {
					return false
				}
			}
			return true
		})
		line := `{"kind":"resident","id":"newcomer","region":"440106","birth_date":"1940-01-01"}`
		if _, err := sweeptest.Load(ctx, st, []byte(line)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "newcomer matched", func() bool {
			ms, err := st.SubjectMatches(ctx, corpus.AudienceResident, "newcomer")
			for _, m := range ms {
				if err == nil && m.BenefitKey == "b1" && m.Verdict == "eligible" { // 高龄津贴
					return true
				}
			}
			return false
		})
		cancel()
		<-done
	})
}

// waitFor polls cond until it holds; the test's own timeout bounds it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 3000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: did not happen in 30 s", what)
}

// TestBlockSweepStoresWhatOneAtATimeDoes: shard sweeps match their pages in
// blocks of 64 profiles with bit masks; a worker matching one profile at a
// time stores exactly the same rows (region, verdict, score, grant and
// explanation) for the same profiles, versions and date — here also for a
// policy of both audiences, whose pages mix enterprises and residents.
func TestBlockSweepStoresWhatOneAtATimeDoes(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := setup(t, st, 2000)
		both := corpus.Document{
			Title: "广州市普惠政策", Region: "440100", Audience: corpus.AudienceBoth,
			Category: corpus.CategoryOther, PublishDate: corpus.Date{Year: 2025, Month: 3, Day: 1},
			Benefits: []corpus.Benefit{{Name: "普惠补贴", Amount: "1万元", ApplyFree: true, Conditions: ptr(corpus.All(
				corpus.Atom("region", corpus.OpWithin, corpus.String("440100"), "广州市"),
				corpus.Any(corpus.Atom("tags", corpus.OpHas, corpus.String("高新技术企业"), "高新技术企业"),
					corpus.Atom("tags", corpus.OpHas, corpus.String("低保对象"), "低保对象"),
					corpus.Unparsed("其他困难情形"))))}},
		}
		vers, err := sweeptest.Publish(ctx, st, []corpus.Document{both})
		if err != nil {
			t.Fatal(err)
		}
		f.versions = append(f.versions, vers...)

		type row struct {
			region, verdict string
			score           float64
			grant           bool
			explanation     string
		}
		sweepAll := func(name string, oneAtATime bool) map[string]row {
			w := newWorker(st, name)
			sweep.SetOneAtATime(w, oneAtATime)
			for _, v := range f.versions {
				// A key of its own per run (ending in the date the worker reads).
				key := fmt.Sprintf("%s/%s/v%d/%s", name, v.PolicyID, v.Version, today)
				if _, err := st.StartSweep(ctx, key, v.PolicyID, v.Version, 4); err != nil {
					t.Fatal(err)
				}
			}
			done, err := w.Work(ctx)
			if err != nil || len(done) != 4*len(f.versions) {
				t.Fatalf("%s: %d shards done, %v", name, len(done), err)
			}
			out := map[string]row{}
			for i := range f.profiles {
				p := &f.profiles[i]
				ms, err := st.SubjectMatches(ctx, p.Kind.Audience(), p.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					out[fmt.Sprintf("%s/%s/%s/%d/%s", m.SubjectKind, m.SubjectID, m.PolicyID, m.Version, m.BenefitKey)] =
						row{m.Region, m.Verdict, m.Score, m.Grant, string(m.Explanation)}
				}
			}
			for _, v := range f.versions {
				if _, err := st.DeleteMatches(ctx, v.PolicyID, 0); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
		one := sweepAll("one", true)
		blocks := sweepAll("blocks", false)
		var kinds [2]int
		for k, r := range one {
			if strings.HasPrefix(k, "enterprise/") {
				kinds[0]++
			} else {
				kinds[1]++
			}
			if b, ok := blocks[k]; !ok || b != r {
				t.Errorf("%s: one at a time stored %+v, blocks %+v (present %v)", k, r, b, ok)
			}
		}
		if len(blocks) != len(one) || kinds[0] < 100 || kinds[1] < 100 {
			t.Errorf("blocks stored %d rows, one at a time %d (%v enterprise/resident)", len(blocks), len(one), kinds)
		}
	})
}

func ptr(c corpus.Cond) *corpus.Cond { return &c }

// TestLiveRefreshedInBackground: once LiveMaxAge passes with no new event
// consumed, Live returns the set it has at once and compiles a new one in
// the background, which later calls get.
func TestLiveRefreshedInBackground(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		setup(t, st, 50)
		w := newWorker(st, "w1")
		if _, err := w.Consume(ctx, 100); err != nil {
			t.Fatal(err)
		}
		first, err := w.Live(ctx)
		if err != nil || first.Set().Len() != 4 {
			t.Fatalf("live: %v", err)
		}
		// Published but not consumed: the outbox cursor does not move.
		extra := sweeptest.Documents()[:1]
		extra[0].Title += "（修订）"
		if _, err := sweeptest.Publish(ctx, st, extra); err != nil {
			t.Fatal(err)
		}
		w.LiveMaxAge = 0
		again, err := w.Live(ctx)
		if err != nil || again != first {
			t.Fatalf("after LiveMaxAge: got another set (%v), want the current one while a new one compiles", err)
		}
		waitFor(t, "the refreshed live set", func() bool {
			c, err := w.Live(ctx)
			return err == nil && c.Set().Len() == 6
		})
	})
}

// BenchmarkShardSweep sweeps the fixture's two policies over 20,000 stored
// profiles (SQLite), matching pages in blocks or one profile at a time.
// The results are already stored after the first run, so the later ones
// measure reading, decoding and matching (the writes change nothing).
func BenchmarkShardSweep(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	profs, err := sweeptest.Load(ctx, st, sweeptest.Profiles(20000, 42))
	if err != nil {
		b.Fatal(err)
	}
	vers, err := sweeptest.Publish(ctx, st, sweeptest.Documents())
	if err != nil {
		b.Fatal(err)
	}
	// A first sweep stores the results.
	if _, err := newWorker(st, "first").SweepPolicy(ctx, vers[0].PolicyID, vers[0].Version); err != nil {
		b.Fatal(err)
	}
	if _, err := newWorker(st, "first").SweepPolicy(ctx, vers[1].PolicyID, vers[1].Version); err != nil {
		b.Fatal(err)
	}
	run := 0
	for _, mode := range []string{"blocks", "one"} {
		b.Run(mode, func(b *testing.B) {
			w := sweep.New(st, "bench", nil)
			w.Today = func() corpus.Date { return today }
			sweep.SetOneAtATime(w, mode == "one")
			for b.Loop() {
				run++
				for _, v := range vers {
					key := fmt.Sprintf("bench%d/%s/v%d/%s", run, v.PolicyID, v.Version, today)
					if _, err := st.StartSweep(ctx, key, v.PolicyID, v.Version, 4); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := w.Work(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(profs)), "ns/profile")
		})
	}
}
