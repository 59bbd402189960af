// Package open picks the store backend from the command line's settings:
// PostgreSQL when a URL is given, else the embedded SQLite database.
package open

import (
	"context"
	"path/filepath"

	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/postgres"
	"github.com/zhida/zhida/store/sqlite"
)

// Open returns the PostgreSQL store at postgresURL when it is set, and
// otherwise the embedded store in dataDir ("./data" when empty).
func Open(ctx context.Context, postgresURL, dataDir string) (store.Store, error) {
	if postgresURL != "" {
		return postgres.Open(ctx, postgresURL)
	}
	if dataDir == "" {
		dataDir = filepath.Join(".", "data")
	}
	return sqlite.Open(ctx, dataDir)
}
