package main

import "github.com/spf13/cobra"

// subcommands lists every subcommand of zhida.
func subcommands() []*cobra.Command {
	return []*cobra.Command{
		newServeCmd(),
		newDemoCmd(),
		newMatchCmd(),
		newImportCmd(),
		newSweepCmd(),
		newExtractCmd(),
		newPushCmd(),
		newGrantsCmd(),
		newIndexCmd(),
	}
}
