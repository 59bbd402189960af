// Package sweep runs the matcher against the profiles in the store: a sweep
// matches one policy version against every profile, split into shards that
// any number of workers (goroutines or zhida processes) lease from the store;
// an outbox consumer turns policy events into sweeps and deletions; Rematch
// and Follow rematch profiles that changed against every live benefit.
//
// # What is stored
//
// A sweep stores one MatchRecord per (subject, benefit) whose verdict is
// eligible or unknown, with the explanation as JSON (see Explanation).
// Ineligible pairs are not stored: they are most pairs, and a count of them
// is the profile count minus the subjects with a stored verdict. Rematch
// writes an ineligible row over a stored row that no longer holds, so a
// subject that stops qualifying does not keep a stale eligible row.
//
// # Idempotence
//
// A sweep's key is (policy, version, evaluation date): starting it twice
// the same day returns the existing sweep, and a sweep that is done does
// nothing. PutMatches leaves unchanged rows alone, so a sweep of the same
// version on a later day rewrites only verdicts that the date changed (ages,
// 上年度) — except that a pair that turned ineligible keeps its old row until
// the subject is rematched (Rematch, Follow) or the policy changes version.
package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/store"
)

// Defaults of a Worker.
const (
	DefaultShards   = 16
	DefaultTTL      = time.Minute
	DefaultPageSize = 1000
)

// Worker matches profiles in the store. Its methods are safe for concurrent
// use; several Workers (in one process or many) share sweeps through the
// store's leases.
type Worker struct {
	store store.Store
	name  string
	log   *slog.Logger

	// Shards is how many shards a new sweep is split into.
	Shards int
	// TTL is how long a shard lease lasts without renewal; the worker renews
	// at a third of it.
	TTL time.Duration
	// PageSize is how many profiles are matched and written at once.
	PageSize int
	// LiveMaxAge is how long the compiled live set is reused before it is
	// compiled again in the background (see Live).
	LiveMaxAge time.Duration
	// Today gives the evaluation date of new sweeps and rematches
	// (default corpus.Today).
	Today func() corpus.Date

	parser *matcher.Parser
	// oneAtATime matches pages a profile at a time instead of in blocks
	// (tests compare the two).
	oneAtATime bool

	mu         sync.Mutex
	sets       map[string]*Compiled // by sweep key
	live       *liveSet
	refreshing atomic.Bool // a background compile of the live set runs
}

// New returns a worker named name (it appears in leases: use one name per
// process, e.g. host:pid).
func New(st store.Store, name string, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.Default()
	}
	return &Worker{store: st, name: name, log: log, Shards: DefaultShards, TTL: DefaultTTL,
		PageSize: DefaultPageSize, Today: corpus.Today, LiveMaxAge: time.Minute,
		parser: matcher.NewParser(matcher.ParseOptions{}), sets: map[string]*Compiled{}}
}

// SweepKey names the sweep of a policy version evaluated on date at.
func SweepKey(policyID string, version int, at corpus.Date) string {
	return "match/" + policyID + "/v" + strconv.Itoa(version) + "/" + at.String()
}

// sweepDate reads the evaluation date back from a sweep key.
func sweepDate(key string) (corpus.Date, error) {
	i := strings.LastIndexByte(key, '/')
	if i < 0 {
		return corpus.Date{}, fmt.Errorf("sweep key %q has no date", key)
	}
	return corpus.ParseDate(key[i+1:])
}

// StartSweep creates (or finds) today's sweep of a policy version.
func (w *Worker) StartSweep(ctx context.Context, policyID string, version int) (store.Sweep, error) {
	key := SweepKey(policyID, version, w.Today())
	sw, err := w.store.StartSweep(ctx, key, policyID, version, w.Shards)
	if errors.Is(err, store.ErrConflict) {
		// Started today with another shard count: that sweep stands.
		sw, err = w.store.GetSweep(ctx, key)
	}
	if err != nil {
		return store.Sweep{}, fmt.Errorf("start sweep of %s v%d: %w", policyID, version, err)
	}
	return sw, nil
}

// SweepPolicy starts today's sweep of a policy version and works on open
// shards (this sweep's and older ones) until it is done; shards other
// workers hold are waited for, and taken over if their leases expire.
func (w *Worker) SweepPolicy(ctx context.Context, policyID string, version int) (store.Sweep, error) {
	sw, err := w.StartSweep(ctx, policyID, version)
	if err != nil {
		return sw, err
	}
	for {
		if _, err := w.Work(ctx); err != nil {
			return sw, err
		}
		sw, err = w.store.GetSweep(ctx, sw.Key)
		if err != nil {
			return sw, fmt.Errorf("sweep %s: %w", sw.Key, err)
		}
		if sw.Done >= sw.Shards {
			return sw, nil
		}
		// Another worker holds the rest: wait for it or for its lease to expire.
		select {
		case <-ctx.Done():
			return sw, ctx.Err()
		case <-time.After(min(w.TTL/4, time.Second)):
		}
	}
}

// ShardDone names one shard a worker completed.
type ShardDone struct {
	SweepKey string
	Shard    int
	Profiles int
	Matches  int
}

// Work leases and runs shards until none is free, and returns those it
// completed. A shard whose lease was lost midway is left to its new holder.
func (w *Worker) Work(ctx context.Context) ([]ShardDone, error) {
	var done []ShardDone
	for {
		l, ok, err := w.store.LeaseShard(ctx, w.name, w.TTL)
		if err != nil {
			return done, fmt.Errorf("lease shard: %w", err)
		}
		if !ok {
			// Every open sweep is served for now: drop the compiled sets so a
			// long-running worker does not keep one per sweep it ever saw.
			w.mu.Lock()
			clear(w.sets)
			w.mu.Unlock()
			return done, nil
		}
		d, err := w.runShard(ctx, l)
		if errors.Is(err, store.ErrConflict) {
			w.log.WarnContext(ctx, "shard lease lost to another worker", "sweep", l.SweepKey, "shard", l.Shard)
			continue
		}
		if err != nil {
			return done, fmt.Errorf("sweep %s shard %d: %w", l.SweepKey, l.Shard, err)
		}
		done = append(done, d)
	}
}

// Compiled is a set of policy versions compiled for one evaluation date,
// with what names each compiled benefit.
type Compiled struct {
	set  *matcher.Set
	pol  matcher.Policy // the policy of a one-version set
	pols []matcher.Policy
	// live is false when the version is no longer in force: its shards are
	// completed without writing.
	live bool
	keys []string // benefit keys, by compiled index
	// ids and vers name the policy version of each compiled policy.
	ids  []string
	vers []int
	// byKey finds a compiled benefit by its key.
	byKey map[benefitID]int
}

// benefitID names a benefit of a policy version: a map key that costs no
// allocation to build.
type benefitID struct {
	policy  string
	version int
	benefit string
}

func matchKey(policyID string, version int, benefit string) benefitID {
	return benefitID{policyID, version, benefit}
}

// compiled returns the compiled set of a lease's policy version, compiling
// it once per sweep.
func (w *Worker) compiled(ctx context.Context, l store.Lease) (*Compiled, error) {
	w.mu.Lock()
	vs := w.sets[l.SweepKey]
	w.mu.Unlock()
	if vs != nil {
		return vs, nil
	}
	at, err := sweepDate(l.SweepKey)
	if err != nil {
		return nil, err
	}
	head, err := w.store.GetPolicy(ctx, l.PolicyID)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", l.PolicyID, err)
	}
	v, err := w.store.GetVersion(ctx, l.PolicyID, l.Version)
	if err != nil {
		return nil, fmt.Errorf("policy %s v%d: %w", l.PolicyID, l.Version, err)
	}
	vs, err = Compile([]corpus.Version{v}, at)
	if err != nil {
		return nil, err
	}
	vs.live = head.Status == corpus.StatusPublished && head.LatestVersion == l.Version &&
		v.Document.StatusOn(at) == corpus.StatusPublished
	w.mu.Lock()
	w.sets[l.SweepKey] = vs
	w.mu.Unlock()
	return vs, nil
}

// PolicyOf is what the matcher needs of a published version; the policy is
// named by its ID.
func PolicyOf(v corpus.Version) matcher.Policy {
	d := v.Document
	return matcher.Policy{Name: v.PolicyID, Title: d.Title, Region: d.Region, Audience: d.Audience, Benefits: d.Benefits}
}

// BenefitKey is the key matches are stored under: the benefit's Key, or
// its position for a document stored without keys.
func BenefitKey(b *corpus.Benefit, i int) string {
	if b.Key != "" {
		return b.Key
	}
	return "b" + strconv.Itoa(i+1)
}

// compileVersions compiles versions into one set (of one version when used
// for a sweep).
func Compile(vs []corpus.Version, at corpus.Date) (*Compiled, error) {
	pols := make([]matcher.Policy, len(vs))
	for i := range vs {
		pols[i] = PolicyOf(vs[i])
	}
	set, err := matcher.Compile(pols, matcher.CompileOptions{At: at})
	if err != nil {
		return nil, err
	}
	out := &Compiled{set: set, live: true, pols: pols}
	for i := range vs {
		out.ids = append(out.ids, vs[i].PolicyID)
		out.vers = append(out.vers, vs[i].Version)
	}
	if len(pols) == 1 {
		out.pol = pols[0]
	}
	out.byKey = map[benefitID]int{}
	for i := 0; i < set.Len(); i++ {
		pi, bi := set.Benefit(i)
		k := BenefitKey(&pols[pi].Benefits[bi], bi)
		out.keys = append(out.keys, k)
		out.byKey[matchKey(out.ids[pi], out.vers[pi], k)] = i
	}
	return out, nil
}

// Set returns the compiled benefits.
func (c *Compiled) Set() *matcher.Set { return c.set }

// BenefitRef names compiled benefit i.
type BenefitRef struct {
	PolicyID    string
	Version     int
	PolicyTitle string
	// PolicyRegion is the issuing region (the tree may carry no region atom).
	PolicyRegion string
	BenefitKey   string
	Benefit      *corpus.Benefit
}

// Ref names compiled benefit i.
func (c *Compiled) Ref(i int) BenefitRef {
	pi, bi := c.set.Benefit(i)
	return BenefitRef{PolicyID: c.ids[pi], Version: c.vers[pi], PolicyTitle: c.pols[pi].Title,
		PolicyRegion: c.pols[pi].Region, BenefitKey: c.keys[i], Benefit: &c.pols[pi].Benefits[bi]}
}

// Find returns the compiled index of a benefit.
func (c *Compiled) Find(policyID string, version int, benefitKey string) (int, bool) {
	i, ok := c.byKey[matchKey(policyID, version, benefitKey)]
	return i, ok
}

// scanPages reads the profiles q selects and hands them to fn in pages of
// at most w.PageSize; fn may write to the store (ScanProfiles has closed
// its rows by then). The slice is reused between calls.
func (w *Worker) scanPages(ctx context.Context, q store.ProfileQuery, fn func([]store.ProfileRecord) error) error {
	page := make([]store.ProfileRecord, 0, w.PageSize)
	err := w.store.ScanProfiles(ctx, q, func(rec store.ProfileRecord) error {
		page = append(page, rec)
		if len(page) < w.PageSize {
			return nil
		}
		err := fn(page)
		page = page[:0]
		return err
	})
	if err == nil && len(page) > 0 {
		err = fn(page)
	}
	return err
}

// runShard matches every profile of one shard and completes it.
func (w *Worker) runShard(ctx context.Context, l store.Lease) (ShardDone, error) {
	d := ShardDone{SweepKey: l.SweepKey, Shard: l.Shard}
	vs, err := w.compiled(ctx, l)
	if err != nil {
		return d, err
	}
	if vs.live {
		q := store.ProfileQuery{Shard: l.Shard, Shards: l.Shards}
		if a := vs.pol.Audience; a == corpus.AudienceEnterprise || a == corpus.AudienceResident {
			q.Kind = a
		}
		lastRenew := time.Now()
		err = w.scanPages(ctx, q, func(page []store.ProfileRecord) error {
			n, err := w.matchPage(ctx, vs, page, nil)
			d.Profiles += len(page)
			d.Matches += n
			if err != nil {
				return err
			}
			if time.Since(lastRenew) > w.TTL/3 {
				if err := w.store.RenewLease(ctx, l, w.TTL); err != nil {
					return fmt.Errorf("renew lease: %w", err)
				}
				lastRenew = time.Now()
			}
			return nil
		})
		if err != nil {
			return d, err
		}
	}
	if err := w.store.CompleteShard(ctx, l); err != nil {
		return d, fmt.Errorf("complete shard: %w", err)
	}
	w.log.DebugContext(ctx, "shard done", "sweep", l.SweepKey, "shard", l.Shard, "profiles", d.Profiles, "matches", d.Matches)
	return d, nil
}

// matchPage matches a page of stored profiles against a compiled set and
// writes the eligible and unknown results. The page is matched in blocks
// of 64 profiles with bit masks (matcher.Blocks), or one profile at a time
// (Set.Match) for a single profile or when w.oneAtATime; both give the same
// results. When stale is given, it is called per profile with the fresh
// results, and returns the rows to write in their place (those that differ
// from the stored ones, and stored rows to overwrite as ineligible).
func (w *Worker) matchPage(ctx context.Context, vs *Compiled, page []store.ProfileRecord,
	stale func(p *matcher.Profile, rec *store.ProfileRecord, written []store.MatchRecord) ([]store.MatchRecord, error)) (int, error) {
	ps := make([]matcher.Profile, len(page))
	for i := range page {
		p, err := Decode(w.parser, &page[i])
		if err != nil {
			return 0, err
		}
		ps[i] = p
	}
	// Each profile's matches, in one slice: all[span[i][0]:span[i][1]].
	var all []matcher.Match
	span := make([][2]int, len(ps))
	collect := func(i int, ms []matcher.Match) {
		span[i] = [2]int{len(all), len(all) + len(ms)}
		all = append(all, ms...)
	}
	if w.oneAtATime || len(ps) == 1 {
		var sc matcher.Scratch
		for i := range ps {
			collect(i, vs.set.Match(&ps[i], &sc))
		}
	} else {
		vs.set.Blocks().Match(ps, collect)
	}
	var out []store.MatchRecord
	now := time.Now().UTC()
	for i := range page {
		rec, p := &page[i], &ps[i]
		start := len(out)
		for _, m := range all[span[i][0]:span[i][1]] {
			mr, err := vs.record(p, rec, m, now)
			if err != nil {
				return 0, err
			}
			out = append(out, mr)
		}
		if stale != nil {
			rows, err := stale(p, rec, out[start:])
			if err != nil {
				return 0, err
			}
			out = append(out[:start], rows...)
		}
	}
	if len(out) == 0 {
		return 0, nil
	}
	if err := w.store.PutMatches(ctx, out); err != nil {
		return 0, fmt.Errorf("store matches: %w", err)
	}
	return len(out), nil
}

// record builds the stored result of one match, with its explanation.
func (vs *Compiled) record(p *matcher.Profile, rec *store.ProfileRecord, m matcher.Match, now time.Time) (store.MatchRecord, error) {
	ex := ExplanationOf(vs.set.Explain(int(m.Benefit), p))
	if m.Grant {
		ex.Facts = grantFacts(vs.Ref(int(m.Benefit)).Benefit, p, rec.Data)
		ex.Profile = &ProfileRef{Hash: rec.Hash}
		if !rec.AsOf.IsZero() {
			ex.Profile.AsOf = rec.AsOf.String()
		}
	}
	data, err := json.Marshal(ex)
	if err != nil {
		return store.MatchRecord{}, err
	}
	pi, _ := vs.set.Benefit(int(m.Benefit))
	return store.MatchRecord{
		SubjectKind: rec.Kind, SubjectID: rec.ID,
		PolicyID: vs.ids[pi], Version: vs.vers[pi],
		BenefitKey: vs.keys[m.Benefit], Region: rec.Region,
		Verdict: m.Verdict.Verdict(), Score: m.Score, Grant: m.Grant,
		Explanation: data, MatchedAt: now,
	}, nil
}
