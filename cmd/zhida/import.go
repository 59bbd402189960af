package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/open"
)

// importBatch is how many profiles go to the store in one upsert (one
// transaction; CopyFrom on PostgreSQL).
const importBatch = 5000

// idKeyFile is where the embedded store keeps a generated 身份证号 hash key.
const idKeyFile = "id_card.key"

func newImportCmd() *cobra.Command {
	var (
		data, postgres, idKey string
		batch                 int
	)
	cmd := &cobra.Command{
		Use:     "import-profiles FILE.jsonl",
		Aliases: []string{"import"},
		Short:   "Import subject profiles (CONTRACT §1 JSON Lines) into the store",
		Long: `Import subject profiles from a JSON Lines file ("-" reads standard input).

Each good line is validated, its 身份证号 replaced by an HMAC-SHA256 under the
id-card key, and upserted in batches of 5,000; re-importing a file changes
nothing. Bad lines are reported on stderr (line number and key) and the good
ones still import; the exit status is then non-zero.

The id-card key comes from --id-key or ZHIDA_ID_KEY. Without one, the embedded
store uses DATA/id_card.key, generating it on first use (keep it: a new key
gives every resident a new hash). With --postgres and no key, a line with an
id_card stops the import with an error (lines before it stay imported).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			key := []byte(idKey)
			if len(key) == 0 && postgres == "" {
				k, created, err := loadOrCreateKey(filepath.Join(data, idKeyFile))
				if err != nil {
					return err
				}
				if created {
					log.Info("generated an id-card hash key; keep it with the data", "file", filepath.Join(data, idKeyFile))
				}
				key = k
			}
			var in io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			st, err := open.Open(ctx, postgres, data)
			if err != nil {
				return fmt.Errorf("open store: %w", err)
			}
			defer st.Close()
			imp := importer{store: st, parser: matcher.NewParser(matcher.ParseOptions{IDCardKey: key}),
				hasKey: len(key) > 0, batch: batch, log: log, errOut: cmd.ErrOrStderr(), progressEvery: 5 * time.Second}
			sum, err := imp.run(ctx, in)
			fmt.Fprintf(cmd.OutOrStdout(), "lines %d: inserted %d, updated %d, unchanged %d, bad %d\n",
				sum.Lines, sum.Inserted, sum.Updated, sum.Unchanged, sum.Bad)
			if err != nil {
				return err
			}
			if sum.Bad > 0 {
				return fmt.Errorf("%d bad lines (reported above); the other lines were imported", sum.Bad)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&data, "data", envOr("ZHIDA_DATA", "./data"), "folder of the embedded database (env ZHIDA_DATA)")
	fs.StringVar(&postgres, "postgres", os.Getenv("ZHIDA_POSTGRES"), "PostgreSQL URL; empty uses the embedded database (env ZHIDA_POSTGRES)")
	fs.StringVar(&idKey, "id-key", os.Getenv("ZHIDA_ID_KEY"), "HMAC key for 身份证号 hashes (env ZHIDA_ID_KEY)")
	fs.IntVar(&batch, "batch", importBatch, "profiles per store transaction")
	return cmd
}

// loadOrCreateKey reads the hash key kept in file, creating a random one
// (readable by the owner only) when there is none.
func loadOrCreateKey(file string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(file)
	if err == nil {
		k := strings.TrimSpace(string(b))
		if k == "" {
			return nil, false, fmt.Errorf("id-card key file %s is empty", file)
		}
		return []byte(k), false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read id-card key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return nil, false, fmt.Errorf("create id-card key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, err
	}
	k := hex.EncodeToString(raw)
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create id-card key: %w", err)
	}
	if _, err := f.WriteString(k + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write id-card key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("write id-card key: %w", err)
	}
	return []byte(k), true, nil
}

// importSummary counts what an import did.
type importSummary struct {
	Lines int // profile lines read (good and bad; blank lines not counted)
	store.UpsertResult
	Bad int
}

// importer streams a profile file into the store: one goroutine parses and
// converts, the caller's goroutine upserts, so parsing overlaps the writes.
type importer struct {
	store         store.Profiles
	parser        *matcher.Parser
	hasKey        bool
	batch         int
	log           *slog.Logger
	errOut        io.Writer
	progressEvery time.Duration
}

// errNoIDKey stops an import that meets a 身份证号 with no key to hash it.
var errNoIDKey = errors.New("the file has id_card values but no id-card hash key is set: pass --id-key or set ZHIDA_ID_KEY (the same key for every import)")

type parsedBatch struct {
	recs  []store.ProfileRecord
	lines int // profile lines read up to the end of this batch
	bad   int
}

func (im *importer) run(ctx context.Context, in io.Reader) (importSummary, error) {
	if im.batch <= 0 {
		im.batch = importBatch
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan parsedBatch, 2)
	parseErr := make(chan error, 1)
	go func() {
		defer close(batches)
		parseErr <- im.parse(ctx, in, batches)
	}()

	var sum importSummary
	start, last := time.Now(), time.Now()
	var storeErr error
	for b := range batches {
		sum.Lines, sum.Bad = b.lines, b.bad
		if storeErr != nil || len(b.recs) == 0 {
			continue
		}
		res, err := im.store.UpsertProfiles(ctx, b.recs)
		if err != nil {
			storeErr = fmt.Errorf("store profiles (batch ending at profile line %d): %w", b.lines, err)
			cancel() // stop parsing; drain the channel
			continue
		}
		sum.Inserted += res.Inserted
		sum.Updated += res.Updated
		sum.Unchanged += res.Unchanged
		if now := time.Now(); im.progressEvery > 0 && now.Sub(last) >= im.progressEvery {
			last = now
			el := now.Sub(start).Seconds()
			im.log.Info("importing", "lines", sum.Lines, "bad", sum.Bad,
				"lines_per_s", int(float64(sum.Lines)/el))
		}
	}
	perr := <-parseErr
	if storeErr != nil {
		return sum, storeErr
	}
	if perr != nil {
		return sum, perr
	}
	el := time.Since(start).Seconds()
	im.log.Info("import done", "lines", sum.Lines, "seconds", fmt.Sprintf("%.1f", el),
		"lines_per_s", int(float64(sum.Lines)/max(el, 1e-9)))
	return sum, nil
}

// parse reads profiles, reports bad lines on errOut as it meets them and
// sends batches of records.
func (im *importer) parse(ctx context.Context, in io.Reader, out chan<- parsedBatch) error {
	r := im.parser.NewReader(in)
	reported, good := 0, 0
	cur := parsedBatch{recs: make([]store.ProfileRecord, 0, im.batch)}
	report := func() error {
		errs := r.LineErrors()
		for ; reported < len(errs); reported++ {
			le := errs[reported]
			if !im.hasKey && le.Field == "id_card" {
				return fmt.Errorf("line %d: %w", le.Line, errNoIDKey)
			}
			// A LineError never holds a 身份证号 or contact handle.
			fmt.Fprintf(im.errOut, "bad %v\n", le)
		}
		cur.bad = reported
		return nil
	}
	send := func() error {
		select {
		case out <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = parsedBatch{recs: make([]store.ProfileRecord, 0, im.batch), lines: cur.lines, bad: cur.bad}
		return nil
	}
	// stop sends what was read before a fatal line, then fails.
	stop := func(err error) error {
		if len(cur.recs) > 0 {
			cur.lines = good + reported
			if serr := send(); serr != nil {
				return serr
			}
		}
		return err
	}
	for r.Next() {
		if err := report(); err != nil {
			return stop(err)
		}
		p := r.Profile()
		rec, err := sweep.Record(&p)
		if err != nil {
			return err
		}
		cur.recs = append(cur.recs, rec)
		good++
		if len(cur.recs) == im.batch {
			cur.lines = good + reported
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("read profiles: %w", err)
	}
	if err := report(); err != nil {
		return stop(err)
	}
	cur.lines = good + reported
	return send()
}

// openFor opens the store an import writes to.
func openFor(ctx context.Context, postgres, data string) (store.Store, error) {
	return open.Open(ctx, postgres, data)
}
