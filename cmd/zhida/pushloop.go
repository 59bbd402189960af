package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/pusher"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// pushFlags configure the pusher serve runs in-process.
type pushFlags struct {
	enabled  bool
	rules    string
	cron     string
	quiet    string
	receiver string
}

func (f *pushFlags) register(cmd *cobra.Command, defCron, defQuiet string) {
	fs := cmd.Flags()
	on := true
	if v := os.Getenv("ZHIDA_PUSH"); v != "" {
		on, _ = strconv.ParseBool(v)
	}
	fs.BoolVar(&f.enabled, "push", on, "run the pusher in-process: plan each completed sweep's pushes and grants, send them on the rules' schedules (env ZHIDA_PUSH; --push=false to run none)")
	fs.StringVar(&f.rules, "push-rules", os.Getenv("ZHIDA_PUSH_RULES"), "JSON rules file replacing the default push rules (env ZHIDA_PUSH_RULES)")
	fs.StringVar(&f.cron, "push-cron", envOr("ZHIDA_PUSH_CRON", defCron), "cron spec (China time) for every default push rule, e.g. \"@every 30s\"; empty: every five minutes (env ZHIDA_PUSH_CRON)")
	fs.StringVar(&f.quiet, "push-quiet", envOr("ZHIDA_PUSH_QUIET", defQuiet), "quiet hours (China time) of the default push rules, \"\" for none (env ZHIDA_PUSH_QUIET)")
	fs.StringVar(&f.receiver, "push-receiver", os.Getenv("ZHIDA_PUSH_RECEIVER"), "Twirp Delivery receiver: URL (the inbox channel) or channel=URL; empty: this server's built-in inbox (env ZHIDA_PUSH_RECEIVER)")
}

// senders makes a Twirp Delivery client per receiver ("URL" for the inbox
// channel, or "channel=URL").
func senders(receivers []string, token string) map[string]pb.Delivery {
	out := map[string]pb.Delivery{}
	for _, r := range receivers {
		channel, url, ok := strings.Cut(r, "=")
		if !ok {
			channel, url = pusher.ChannelInbox, r
		}
		out[channel] = pusher.NewTwirpSender(url, token, nil)
	}
	return out
}

// ruleOptions adjust the default rules.
type ruleOptions struct {
	cron     string
	quiet    string
	batch    int
	dailyCap int // -1 keeps the default rules' caps
}

// loadRules reads a rules file, or returns the default rules adjusted by o.
func loadRules(path string, o ruleOptions) ([]pusher.Rule, error) {
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		defer f.Close()
		rules, err := pusher.ReadRules(f)
		if err != nil {
			return nil, fmt.Errorf("rules %s: %w", path, err)
		}
		return rules, nil
	}
	q, err := pusher.ParseQuietHours(o.quiet)
	if err != nil {
		return nil, err
	}
	rules := pusher.DefaultRules()
	for i := range rules {
		rules[i].Quiet = q
		if o.cron != "" {
			rules[i].Cron = o.cron
		}
		if o.batch > 0 {
			rules[i].Batch = o.batch
		}
		if rules[i].DailyCap > 0 && o.dailyCap >= 0 {
			rules[i].DailyCap = o.dailyCap
		}
	}
	return rules, nil
}

// newPushLoop is the pusher as serve and push run wire it.
func newPushLoop(st store.Store, log *slog.Logger, senders map[string]pb.Delivery, planner *pusher.Planner) *pusher.Loop {
	if planner == nil {
		planner = &pusher.Planner{}
	}
	return &pusher.Loop{Store: st, Log: log, Planner: planner,
		Worker: &pusher.Worker{Queue: st, Log: log, Senders: senders}}
}

// startPusher schedules the loop's rules and returns a function that stops
// them and waits for running ones.
func startPusher(ctx context.Context, log *slog.Logger, loop *pusher.Loop, rules []pusher.Rule) (func(), error) {
	sched := pusher.NewScheduler(ctx, log)
	if err := loop.Schedule(sched, rules); err != nil {
		return nil, err
	}
	sched.Start()
	return func() { <-sched.Stop().Done() }, nil
}

// servePusher starts serve's in-process pusher, sending to f.receiver or
// to this server's own inbox at selfURL.
func servePusher(ctx context.Context, log *slog.Logger, st store.Store, f pushFlags, selfURL, token string) (func(), error) {
	rules, err := loadRules(f.rules, ruleOptions{cron: f.cron, quiet: f.quiet, dailyCap: -1})
	if err != nil {
		return nil, fmt.Errorf("--push-rules: %w", err)
	}
	receiver := f.receiver
	if receiver == "" {
		receiver = selfURL
	}
	loop := newPushLoop(st, log, senders([]string{receiver}, token), nil)
	stop, err := startPusher(ctx, log, loop, rules)
	if err != nil {
		return nil, fmt.Errorf("pusher: %w", err)
	}
	return stop, nil
}
