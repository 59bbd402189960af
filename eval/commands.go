package main

import "github.com/spf13/cobra"

// evalCommands lists every measurement subcommand.
func evalCommands() []*cobra.Command {
	return []*cobra.Command{
		newMatchCmd(),
		newBenchMatchCmd(),
		newBenchRematchCmd(),
		newBenchSQLCmd(),
		newBenchPushCmd(),
		newExtractCmd(),
		searchCommand(),
		searchBenchCommand(),
	}
}
