package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/corpus/extract"
)

// newExtractCmd is `zhida extract [--region CODE] FILE`: it reads a policy
// text and prints the CONTRACT §3 JSON of its benefits and conditions.
func newExtractCmd() *cobra.Command {
	var regionCode string
	cmd := &cobra.Command{
		Use:   "extract [--region CODE] FILE",
		Short: "Read a policy text into benefits and eligibility conditions (JSON)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("extract: %w", err)
			}
			res, err := extract.Extract(string(b), extract.Options{Region: regionCode})
			if err != nil {
				return fmt.Errorf("extract %s: %w", args[0], err)
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		},
	}
	cmd.Flags().StringVar(&regionCode, "region", "", "issuing region (6-digit 行政区划代码; 100000 for a national document), used for 本市/本区/本省")
	return cmd
}
