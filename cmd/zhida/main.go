// Command zhida is the one Zhida binary: the policy library server, the
// extractor, the matcher, the indexer and the pusher, as subcommands.
//
//	zhida serve      serve the Twirp API and web pages
//	zhida demo       load the bundled sample corpus and serve it
//	zhida extract    read a policy text into benefits and conditions
//	zhida match      match profiles against policies
//	zhida index      bring the search index up to date (--rebuild: anew)
//
// Run `zhida help` for the full list.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "zhida:", err)
		os.Exit(1)
	}
}

// newRoot builds the command tree. Each subcommand lives in its own file and
// registers itself through one constructor here, so the tree is explicit.
func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "zhida",
		Short:         "Zhida (直达): a policy library and a 政策找人 service",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, c := range subcommands() {
		root.AddCommand(c)
	}
	return root
}
