package rpc

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/corpus/region"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// Config is what the API server needs.
type Config struct {
	Store       store.Store
	Rules       corpus.Rules
	Regions     *region.Table
	EditorToken string
	Log         *slog.Logger
	// MaxBody bounds request bodies; 0 means DefaultMaxBody.
	MaxBody int64
}

// NewHandler returns the HTTP handler serving every Twirp service under
// /twirp/ (protobuf and JSON), plus /healthz.
func NewHandler(cfg Config) http.Handler {
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	lib := NewLibrary(cfg.Store, cfg.Rules, cfg.Regions, NewEditors(cfg.EditorToken), cfg.Log)
	hooks := &twirp.ServerHooks{
		Error: func(ctx context.Context, err twirp.Error) context.Context {
			if err.Code() != twirp.Internal {
				m, _ := twirp.MethodName(ctx)
				cfg.Log.InfoContext(ctx, "request refused", "method", m, "code", err.Code(), "msg", err.Msg())
			}
			return ctx
		},
	}
	mux := http.NewServeMux()
	libServer := pb.NewPolicyLibraryServer(lib, twirp.WithServerHooks(hooks))
	mux.Handle(libServer.PathPrefix(), libServer)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return withBearer(guard(cfg.MaxBody, mux))
}
