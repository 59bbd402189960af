//go:build !linux

package main

import "time"

// threadCPUTime is not measured on this system.
func threadCPUTime() time.Duration { return 0 }
