// Command eval measures Zhida: extraction, matching and search quality on the
// labelled cases, and speed at scale. Each measurement is a subcommand that
// prints its numbers:
//
//	go run ./eval extract      condition-atom precision/recall/F1
//	go run ./eval match        verdict accuracy and apply-free false grants
//	go run ./eval search       recall@10, MRR and search speed
//	go run ./eval bench-match  sweep speed against naive and SQL baselines
//	go run ./eval bench-push   delivery throughput and lag
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	root := &cobra.Command{
		Use:           "eval",
		Short:         "Measure Zhida's quality and speed",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(evalCommands()...)
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

// writeJSON writes v as one JSON value (CJK and < > & as they are),
// indented for people unless a command's -json asked for one line.
func writeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}
