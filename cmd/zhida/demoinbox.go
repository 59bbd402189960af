package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// demoInbox fills the sample subjects' inboxes the way production does —
// sweep every live version, plan pushes and grants, deliver them to the
// built-in inbox (in process, quiet hours off) — so the inbox page has
// something to show as soon as the demo is up. It returns the sample
// subject with the most messages, for the banner.
func demoInbox(ctx context.Context, log *slog.Logger, st store.Store) (kind, id string, n int, err error) {
	w := sweep.New(st, "demo", log)
	pl := &pusher.Planner{}
	f := store.PolicyFilter{Status: corpus.StatusPublished, PageSize: store.MaxPageSize}
	for {
		page, err := st.ListPolicies(ctx, f)
		if err != nil {
			return "", "", 0, fmt.Errorf("demo inbox: list policies: %w", err)
		}
		for _, p := range page.Policies {
			if p.Live == nil {
				continue
			}
			if _, err := w.SweepPolicy(ctx, p.ID, p.Live.Version); err != nil {
				return "", "", 0, fmt.Errorf("demo inbox: sweep %s: %w", p.ID, err)
			}
			if _, err := pl.Plan(ctx, st, st, p.Live); err != nil {
				return "", "", 0, fmt.Errorf("demo inbox: plan %s: %w", p.ID, err)
			}
		}
		if page.NextPageToken == "" {
			break
		}
		f.PageToken = page.NextPageToken
	}
	tok := randomToken()
	pw := &pusher.Worker{Queue: st, Log: log,
		Senders: map[string]pb.Delivery{pusher.ChannelInbox: rpc.NewReceiver(st, rpc.NewToken("pusher", tok), log)}}
	for _, r := range pusher.DefaultRules() {
		r.Quiet = pusher.QuietHours{}
		if _, err := pw.Drain(rpc.WithToken(ctx, tok), r); err != nil {
			return "", "", 0, fmt.Errorf("demo inbox: deliver (%s): %w", r.Name, err)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(sample.Profiles()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s struct{ Kind, ID string }
		if json.Unmarshal(sc.Bytes(), &s) != nil {
			continue
		}
		items, err := st.ListInbox(ctx, store.InboxQuery{SubjectKind: corpus.Audience(s.Kind), SubjectID: s.ID, Limit: 100})
		if err != nil {
			return "", "", 0, fmt.Errorf("demo inbox: %w", err)
		}
		if len(items) > n {
			kind, id, n = s.Kind, s.ID, len(items)
		}
	}
	return kind, id, n, nil
}
