package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/store"
)

// matchPoll is how often serve's matcher looks for new events, free shards
// and changed profiles.
const matchPoll = 5 * time.Second

// matchLoop keeps matches current in the background of serve: the outbox
// consumer, the sweep worker and the changed-profile follower (sweep.Run).
// Every serve process runs one; they share sweeps through shard leases.
func matchLoop(ctx context.Context, log *slog.Logger, st store.Store) {
	host, _ := os.Hostname()
	w := sweep.New(st, host+":"+strconv.Itoa(os.Getpid()), log)
	w.Run(ctx, matchPoll)
}

// serveIDKey is the 身份证号 hash key for profiles sent to the Profiles
// service: ZHIDA_ID_KEY, else (embedded store) the key import-profiles keeps
// under the data folder. With neither, profiles with an id_card are refused.
func serveIDKey(log *slog.Logger, f serverFlags) []byte {
	if k := os.Getenv("ZHIDA_ID_KEY"); k != "" {
		return []byte(k)
	}
	if f.postgres != "" {
		return nil
	}
	k, created, err := loadOrCreateKey(filepath.Join(f.data, idKeyFile))
	if err != nil {
		log.Warn("no id-card hash key: profiles with an id_card are refused", "err", err)
		return nil
	}
	if created {
		log.Info("generated an id-card hash key; keep it with the data", "file", filepath.Join(f.data, idKeyFile))
	}
	return k
}
