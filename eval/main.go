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
	"fmt"
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
