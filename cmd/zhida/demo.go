package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/sample"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/store"
)

func newDemoCmd() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the bundled sample corpus into the store and serve it",
		Long: `demo takes the same flags as serve. It loads the bundled sample corpus
(real policy documents, see corpus/sample/SOURCES.md) into the store when the
store holds no policy yet, then serves it and prints where to look.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger()
			f.demoSignIn = true
			shownToken := "(the one you configured)"
			if f.editorToken == "" {
				f.editorToken = randomToken()
				shownToken = f.editorToken
			}
			shownOwner := "(the one you configured)"
			if f.ownerToken == "" {
				f.ownerToken = randomToken()
				shownOwner = f.ownerToken
			}
			out := cmd.OutOrStdout()
			return serve(cmd.Context(), log, f, func(ctx context.Context, st store.Store, url string) error {
				n, err := loadSample(ctx, log, st)
				if err != nil {
					return err
				}
				var subjects int
				if n > 0 {
					if subjects, err = loadSampleProfiles(ctx, log, st, serveIDKey(log, f)); err != nil {
						return err
					}
				}
				printBanner(out, url, f, shownToken, shownOwner, n, subjects)
				if n > 0 {
					kind, id, msgs, err := demoInbox(ctx, log, st)
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "Pages: %s/ (search, policy pages, %s/calc, %s/inbox — demo sign-in as %s %s: %d messages)\n", url, url, url, kind, id, msgs)
				} else {
					fmt.Fprintf(out, "Pages: %s/ (search, policy pages, %s/calc, %s/inbox with demo sign-in)\n", url, url, url)
				}
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

// loadSample publishes every sample document unless the store already holds
// policies (a second demo run on the same data folder loads nothing again).
func loadSample(ctx context.Context, log *slog.Logger, st store.Store) (int, error) {
	page, err := st.ListPolicies(ctx, store.PolicyFilter{PageSize: 1})
	if err != nil {
		return 0, fmt.Errorf("look for existing policies: %w", err)
	}
	if len(page.Policies) > 0 {
		log.Info("the store already holds policies; not loading the sample corpus again")
		return 0, nil
	}
	docs, err := sample.Documents()
	if err != nil {
		return 0, err
	}
	rules := corpus.DefaultRules()
	for i, doc := range docs {
		if err := rules.Prepare(&doc); err != nil {
			return i, fmt.Errorf("sample document %d (%s): %w", i, doc.Title, err)
		}
		p, err := st.CreateDraft(ctx, doc)
		if err != nil {
			return i, fmt.Errorf("sample document %d (%s): %w", i, doc.Title, err)
		}
		if _, err := st.Publish(ctx, p.ID, rules.CheckPublish); err != nil {
			return i, fmt.Errorf("publish sample document %d (%s): %w", i, doc.Title, err)
		}
	}
	log.Info("sample corpus loaded", "policies", len(docs))
	return len(docs), nil
}

// loadSampleProfiles imports the sample subjects through the same path as
// zhida import-profiles, so the background matcher has someone to match.
func loadSampleProfiles(ctx context.Context, log *slog.Logger, st store.Store, key []byte) (int, error) {
	imp := importer{store: st, parser: matcher.NewParser(matcher.ParseOptions{IDCardKey: key}),
		hasKey: len(key) > 0, log: log, errOut: io.Discard}
	sum, err := imp.run(ctx, bytes.NewReader(sample.Profiles()))
	if err != nil {
		return 0, fmt.Errorf("sample profiles: %w", err)
	}
	if sum.Bad > 0 {
		return 0, fmt.Errorf("sample profiles: %d bad lines", sum.Bad)
	}
	return sum.Inserted + sum.Updated + sum.Unchanged, nil
}

func printBanner(w io.Writer, url string, f serverFlags, token, ownerToken string, loaded, subjects int) {
	fmt.Fprintf(w, `
Zhida demo (直达 政策找人)
  data:          %s
  loaded:        %d sample policies and %d sample subjects (0 means they were already there)
  search index:  %s
  API (Twirp):   %s/twirp/zhida.v1.PolicyLibrary/<Method>
                 %s/twirp/zhida.v1.Search/Search
  editor token:  %s
  editor console: %s/editor  (log in with the editor token)
  pushes:        %s
  data-owner token (Profiles/Upsert, BulkUpsert): %s

Try:
  curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"region":"440106","page_size":5}' \
    %s/twirp/zhida.v1.PolicyLibrary/ListPolicies

  curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"query":"残疾人 补贴","region":"440106","page_size":5,"facets":true}' \
    %s/twirp/zhida.v1.Search/Search

  # which live benefits a sample enterprise in 扬州 qualifies for, and why
  curl -s -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"kind":"enterprise","id":"91321002MA37124213"}' \
    %s/twirp/zhida.v1.Matcher/MatchSubject

Press Ctrl-C to stop.
`, storeKind(f), loaded, subjects, f.search().kind(), url, url, token, url, pushSummary(f.push), ownerToken, url, url, token, url)
}

// pushSummary says what the in-process pusher does.
func pushSummary(f pushFlags) string {
	if !f.enabled {
		return "off (--push=false)"
	}
	when := "every five minutes"
	if f.rules != "" {
		when = "on the rules in " + f.rules
	} else if f.cron != "" {
		when = f.cron
	}
	to := "the built-in inbox"
	if f.receiver != "" {
		to = f.receiver
	}
	return "planned when each policy's sweep completes, sent " + when + " to " + to
}
