package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/sample"
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
			shownToken := "(the one you configured)"
			if f.editorToken == "" {
				f.editorToken = randomToken()
				shownToken = f.editorToken
			}
			out := cmd.OutOrStdout()
			return serve(cmd.Context(), log, f, func(ctx context.Context, st store.Store, url string) error {
				n, err := loadSample(ctx, log, st)
				if err != nil {
					return err
				}
				printBanner(out, url, f, shownToken, n)
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

func printBanner(w io.Writer, url string, f serverFlags, token string, loaded int) {
	fmt.Fprintf(w, `
Zhida demo (直达 政策找人)
  data:          %s
  loaded:        %d sample policies (0 means they were already there)
  search index:  %s
  API (Twirp):   %s/twirp/zhida.v1.PolicyLibrary/<Method>
                 %s/twirp/zhida.v1.Search/Search
  editor token:  %s

Try:
  curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"region":"440106","page_size":5}' \
    %s/twirp/zhida.v1.PolicyLibrary/ListPolicies

  curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"query":"残疾人 补贴","region":"440106","page_size":5,"facets":true}' \
    %s/twirp/zhida.v1.Search/Search

Press Ctrl-C to stop.
`, storeKind(f), loaded, f.search().kind(), url, url, token, url, url)
}
