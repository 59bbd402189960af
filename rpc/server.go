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
	// IDCardKey is the HMAC key for 身份证号 in profiles sent to the Profiles
	// service (the one imports use); empty refuses profiles with an id_card.
	IDCardKey []byte
	// DataOwnerToken lets government data owners write profiles (the
	// Profiles service); empty refuses those calls. The Matcher service
	// takes EditorToken.
	DataOwnerToken string
	// PusherToken lets a pusher call the built-in Delivery receiver;
	// InboxToken is the gateway's token for the Inbox service. Empty
	// refuses those calls.
	PusherToken string
	InboxToken  string
	// Search, when set, serves the Search service over this backend
	// (usually an indexer.Pending that is still opening).
	Search Searcher
	Log    *slog.Logger
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
	// Profiles takes the data owners' token, Matcher the editors'.
	editors := NewEditors(cfg.EditorToken)
	owners := NewToken("data owner", cfg.DataOwnerToken)
	profServer := pb.NewProfilesServer(NewProfiles(cfg.Store, cfg.IDCardKey, owners, cfg.Log), twirp.WithServerHooks(hooks))
	mux.Handle(profServer.PathPrefix(), profServer)
	matchServer := pb.NewMatcherServer(NewMatcher(cfg.Store, editors, cfg.Log), twirp.WithServerHooks(hooks))
	mux.Handle(matchServer.PathPrefix(), matchServer)
	recv := pb.NewDeliveryServer(NewReceiver(cfg.Store, NewToken("pusher", cfg.PusherToken), cfg.Log), twirp.WithServerHooks(hooks))
	mux.Handle(recv.PathPrefix(), recv)
	inbox := pb.NewInboxServer(NewInbox(cfg.Store, cfg.Store, NewToken("inbox gateway", cfg.InboxToken), cfg.Log), twirp.WithServerHooks(hooks))
	mux.Handle(inbox.PathPrefix(), inbox)
	if cfg.Search != nil {
		srch := pb.NewSearchServer(NewSearch(cfg.Search, cfg.Rules, cfg.Regions, cfg.Log), twirp.WithServerHooks(hooks))
		mux.Handle(srch.PathPrefix(), srch)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return withBearer(guard(cfg.MaxBody, mux))
}
