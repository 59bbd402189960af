// Command mkid completes test identifiers with their check characters, so that
// fixture ids are computed, not typed:
//
//	go run ./eval/casecheck/mkid uscc 91411202MA9K3L1B   # 16 chars -> 18
//	go run ./eval/casecheck/mkid idcard 41120219800101123 # 17 digits -> 18
package main

import (
	"fmt"
	"os"

	"github.com/zhida/zhida/eval/casecheck"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: mkid uscc|idcard PREFIX...")
		os.Exit(2)
	}
	for _, p := range os.Args[2:] {
		switch os.Args[1] {
		case "uscc":
			code, err := casecheck.CompleteUSCC(p)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Println(code)
		case "idcard":
			c, err := casecheck.IDCardCheckChar(p)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Println(p + string(c))
		default:
			fmt.Fprintln(os.Stderr, "unknown kind", os.Args[1])
			os.Exit(2)
		}
	}
}
