package rpc

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/store"
)

// twirpError maps an error from validation, the lifecycle rules or the store
// to the Twirp code a client can act on. Field errors become
// invalid_argument with the field as "argument"; several at once are listed
// in the "errors" meta. Anything unexpected is logged and returned as
// internal without its details.
func twirpError(ctx context.Context, log *slog.Logger, prefix string, err error) error {
	if err == nil {
		return nil
	}
	var fe *corpus.FieldError
	if errors.As(err, &fe) {
		field := fe.Field
		if prefix != "" {
			field = prefix + "." + field
		}
		te := twirp.InvalidArgumentError(field, fe.Msg)
		if all := fieldErrors(err, prefix); len(all) > 1 {
			te = te.WithMeta("errors", strings.Join(all, "; "))
		}
		return te
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return twirp.NewError(twirp.NotFound, err.Error())
	case errors.Is(err, store.ErrConflict):
		return twirp.NewError(twirp.Aborted, err.Error())
	case errors.Is(err, corpus.ErrNothingToPublish), errors.Is(err, corpus.ErrNotPublished):
		return twirp.NewError(twirp.FailedPrecondition, err.Error())
	case errors.Is(err, context.Canceled):
		return twirp.NewError(twirp.Canceled, "request canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return twirp.NewError(twirp.DeadlineExceeded, "deadline exceeded")
	}
	var te twirp.Error
	if errors.As(err, &te) {
		return te
	}
	log.ErrorContext(ctx, "request failed", "method", methodName(ctx), "err", err)
	return twirp.InternalError("internal error")
}

// fieldErrors lists every field error in a joined error, as "field: msg".
func fieldErrors(err error, prefix string) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		// Look through single wrappers too: the store wraps the joined
		// validation error ("publish: %w"), and errors.As would stop at
		// the first field error inside it.
		switch x := e.(type) {
		case *corpus.FieldError:
			f := x.Field
			if prefix != "" {
				f = prefix + "." + f
			}
			out = append(out, f+": "+x.Msg)
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

func methodName(ctx context.Context) string {
	m, _ := twirp.MethodName(ctx)
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }
