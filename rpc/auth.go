package rpc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/twitchtv/twirp"
)

type bearerKey struct{}

// withBearer puts the request's bearer token into the context for the
// services to check. It never logs the token.
func withBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			r = r.WithContext(context.WithValue(r.Context(), bearerKey{}, strings.TrimSpace(tok)))
		}
		next.ServeHTTP(w, r)
	})
}

// Editors checks the editor bearer token. The token is kept only as a hash so
// that it cannot leak through a debug dump of the server's state.
type Editors struct {
	sum [32]byte
	set bool
}

// NewEditors returns a checker for token; an empty token refuses every write.
func NewEditors(token string) Editors {
	if token == "" {
		return Editors{}
	}
	return Editors{sum: sha256.Sum256([]byte(token)), set: true}
}

// Require returns an unauthenticated error unless the request carries the
// editor token.
func (e Editors) Require(ctx context.Context) error {
	tok, _ := ctx.Value(bearerKey{}).(string)
	if !e.set {
		return twirp.NewError(twirp.Unauthenticated, "editing is disabled: no editor token is configured on the server")
	}
	if tok == "" {
		return twirp.NewError(twirp.Unauthenticated, "missing editor token: send Authorization: Bearer <token>")
	}
	sum := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(sum[:], e.sum[:]) != 1 {
		return twirp.NewError(twirp.Unauthenticated, "wrong editor token")
	}
	return nil
}

// WithToken returns ctx carrying token as if it had come in an
// Authorization: Bearer header, for in-process callers such as the web pages,
// which check a user's login themselves and then call the services directly.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, bearerKey{}, token)
}
