package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/pusher"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
)

// storeFlags select the store, as serve does.
type storeFlags struct{ data, postgres string }

func (f *storeFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.data, "data", envOr("ZHIDA_DATA", "./data"), "folder of the embedded database (env ZHIDA_DATA)")
	fs.StringVar(&f.postgres, "postgres", os.Getenv("ZHIDA_POSTGRES"), "PostgreSQL URL; empty uses the embedded database (env ZHIDA_POSTGRES)")
}

func (f *storeFlags) open(ctx context.Context) (store.Store, error) {
	st, err := open.Open(ctx, f.postgres, f.data)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}

func newPushCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Send pushes from the delivery outbox; inspect and redrive dead letters",
	}
	cmd.AddCommand(newPushPlanCmd(), newPushRunCmd(), newPushDeadCmd(), newPushRedriveCmd())
	return cmd
}

func newPushRunCmd() *cobra.Command {
	var (
		sf        storeFlags
		receivers []string
		token     string
		rulesPath string
		cronSpec  string
		quiet     string
		batch     int
		dailyCap  int
		once      bool
	)
	cmd := &cobra.Command{
		Use:   "run --receiver URL",
		Short: "Push on cron schedules (China time) to Twirp Delivery receivers until stopped",
		Long: `Runs the pusher: on every rule's cron tick it first plans the pushes and
grants of every sweep completed since (as zhida push plan does) and applies
policy events (a retraction cancels the policy's pending pushes and stops its
grants; a new version does so for the older versions), then drains the due
deliveries in batches to the channel's receiver; the objection windows of
apply-free grants are checked every minute. zhida serve runs the same loop
in-process unless --push=false. Default rules: the inbox channel every five
minutes, quiet hours 22:00-08:00, at most 5 pushes per subject a day
(apply-free notices uncapped); --rules FILE replaces them (a JSON array, see
pusher.ReadRules).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := newLogger()
			senders := senders(receivers, token)
			if len(senders) == 0 {
				return fmt.Errorf("--receiver is required (e.g. http://127.0.0.1:8080 for the built-in inbox of zhida serve)")
			}
			if rulesPath != "" {
				for _, f := range []string{"cron", "quiet", "batch", "daily-cap"} {
					if cmd.Flags().Changed(f) {
						return fmt.Errorf("--%s applies to the default rules; with --rules, set it in the file", f)
					}
				}
			}
			rules, err := loadRules(rulesPath, ruleOptions{cron: cronSpec, quiet: quiet, batch: batch, dailyCap: dailyCap})
			if err != nil {
				return err
			}
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			loop := newPushLoop(st, log, senders, nil)
			if once {
				ps, err := loop.Prepare(ctx)
				fmt.Fprintf(cmd.OutOrStdout(), "policy events %d; sweeps planned %d: %d new grants, %d new pushes\n",
					ps.Events, ps.Planned, ps.Plan.NewGrants, ps.Plan.NewPushes)
				if err != nil {
					return err
				}
				for _, r := range rules {
					s, err := loop.Worker.Drain(ctx, r)
					fmt.Fprintf(cmd.OutOrStdout(), "%s: claimed %d, delivered %d (%d duplicate), retried %d, dead %d, deferred %d\n",
						r.Name, s.Claimed, s.Delivered, s.Duplicate, s.Retried, s.Dead, s.Deferred)
					if err != nil {
						return err
					}
				}
				n, err := loop.ReadyDue(ctx)
				fmt.Fprintf(cmd.OutOrStdout(), "grants ready for payment: %d\n", n)
				return err
			}
			stop, err := startPusher(ctx, log, loop, rules)
			if err != nil {
				return err
			}
			log.Info("pusher running", "channels", len(senders), "rules", len(rules))
			<-ctx.Done()
			stop()
			return nil
		},
	}
	sf.register(cmd)
	fs := cmd.Flags()
	fs.StringArrayVar(&receivers, "receiver", envList("ZHIDA_PUSH_RECEIVER"), "Twirp Delivery receiver: URL (the inbox channel) or channel=URL; repeatable (env ZHIDA_PUSH_RECEIVER)")
	fs.StringVar(&token, "token", os.Getenv("ZHIDA_PUSHER_TOKEN"), "bearer token for the receivers (env ZHIDA_PUSHER_TOKEN)")
	fs.StringVar(&rulesPath, "rules", "", "JSON rules file (channel, kinds, cron, batch, quiet, daily_cap, ...) replacing the default rules")
	fs.StringVar(&cronSpec, "cron", "", "cron spec for every default rule, e.g. \"@every 30s\" (default: every five minutes)")
	fs.StringVar(&quiet, "quiet", "22:00-08:00", "quiet hours in China time for the default rules, \"\" for none")
	fs.IntVar(&batch, "batch", 0, "items per Deliver call for the default rules (default 500)")
	fs.IntVar(&dailyCap, "daily-cap", 5, "most pushes per subject per day for the default rules, 0 for no cap")
	fs.BoolVar(&once, "once", false, "drain every rule once now (quiet hours still apply) and exit")
	return cmd
}

func envList(key string) []string {
	if v := os.Getenv(key); v != "" {
		return []string{v}
	}
	return nil
}

func newPushDeadCmd() *cobra.Command {
	var (
		sf    storeFlags
		after int64
		limit int
	)
	cmd := &cobra.Command{
		Use:   "dead",
		Short: "List dead letters as JSON lines",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			ds, err := st.ListDead(cmd.Context(), after, limit)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			for _, d := range ds {
				if err := enc.Encode(map[string]any{"id": d.ID, "key": d.Key, "kind": d.Kind, "channel": d.Channel,
					"policy_id": d.PolicyID, "version": d.Version, "attempts": d.Attempts, "last_error": d.LastError}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().Int64Var(&after, "after", 0, "list dead letters with an id above this")
	cmd.Flags().IntVar(&limit, "limit", 100, "most dead letters to list")
	return cmd
}

func newPushRedriveCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "redrive ID...",
		Short: "Make dead letters pending again (attempts reset), due now",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ids []int64
			for _, a := range args {
				id, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					return fmt.Errorf("argument %q: not a delivery id", a)
				}
				ids = append(ids, id)
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.Redrive(cmd.Context(), ids, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "redriven: %d of %d\n", n, len(ids))
			return nil
		},
	}
	sf.register(cmd)
	return cmd
}

func newGrantsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "grants", Short: "Apply-free (免申即享) grants"}
	var (
		sf     storeFlags
		out    string
		noMark bool
	)
	export := &cobra.Command{
		Use:   "export",
		Short: "Write ready grants not yet exported as CSV for payment, and mark them exported",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			w := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
				if err != nil {
					return fmt.Errorf("grants export: %w", err)
				}
				defer f.Close()
				w = f
			}
			if _, err := pusher.ReadyDue(ctx, st, time.Now()); err != nil {
				return err
			}
			n, err := pusher.ExportGrants(ctx, st, w, !noMark, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d grants\n", n)
			return nil
		},
	}
	sf.register(export)
	export.Flags().StringVarP(&out, "out", "o", "-", "CSV file to create (must not exist), - for stdout")
	export.Flags().BoolVar(&noMark, "no-mark", false, "do not mark the grants exported (a dry run)")
	cmd.AddCommand(export)
	return cmd
}

func newPushPlanCmd() *cobra.Command {
	var (
		sf            storeFlags
		policyID      string
		version       int
		matchesPath   string
		policyName    string
		subjectKind   string
		objectionDays int
		reminderDays  int
	)
	cmd := &cobra.Command{
		Use:   "plan --policy-id ID [--matches FILE.jsonl --subject-kind enterprise|resident]",
		Short: "Plan pushes and apply-free grants from a policy version's matches",
		Long: `Reads the matches of one published policy version, from the store (a sweep's
results) or, with --matches, from the CONTRACT output of zhida match against
that version's document, and writes, idempotently: a grant and
a 已为您办理 notice for every subject eligible on verified facts for an
apply-free benefit, a push (and a deadline reminder) for every other eligible
subject, and a needs-info push for every nearly eligible one. Running it
again writes nothing new. zhida push run then sends them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if policyID == "" {
				return fmt.Errorf("--policy-id is required")
			}
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if version == 0 {
				p, err := st.GetPolicy(ctx, policyID)
				if err != nil {
					return err
				}
				if p.Live == nil {
					return fmt.Errorf("policy %s has no published version", policyID)
				}
				version = p.LatestVersion
			}
			v, err := st.GetVersion(ctx, policyID, version)
			if err != nil {
				return err
			}
			var src pusher.MatchSource = st
			if matchesPath != "" {
				f, err := os.Open(matchesPath)
				if err != nil {
					return fmt.Errorf("--matches: %w", err)
				}
				defer f.Close()
				src = &pusher.MatchLines{R: f, Kind: corpus.Audience(subjectKind), Policy: policyName, Version: &v}
			}
			pl := &pusher.Planner{ObjectionDays: objectionDays, ReminderDays: reminderDays}
			stats, err := pl.Plan(ctx, src, st, &v)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetEscapeHTML(false)
			return enc.Encode(stats)
		},
	}
	sf.register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&policyID, "policy-id", "", "the policy's id in the store")
	fs.IntVar(&version, "version", 0, "the version matched (default: the live version)")
	fs.StringVar(&matchesPath, "matches", "", "zhida match output, JSON Lines (default: the matches in the store)")
	fs.StringVar(&policyName, "policy-name", "", "keep only lines whose policy field is this (when the output holds several policies)")
	fs.StringVar(&subjectKind, "subject-kind", "enterprise", "enterprise or resident")
	fs.IntVar(&objectionDays, "objection-days", 7, "days after receiving the 已为您办理 notice a subject may object")
	fs.IntVar(&reminderDays, "reminder-days", 7, "days before a deadline to remind; negative for none")
	return cmd
}
