package indexer

import (
	"context"
	"errors"
	"sync"
)

// ErrNotReady is returned by Pending.Ready while the backend is still opening.
var ErrNotReady = errors.New("search backend is still loading")

// Pending is a Backend that is opened in the background (loading the
// segmenter takes about a second), so a server can listen at once. Calls
// wait until Resolve gives the real backend, or return its open error.
type Pending struct {
	once sync.Once
	done chan struct{}
	b    Backend
	err  error
}

var _ Backend = (*Pending)(nil)

// NewPending returns a Pending backend; call Resolve exactly once.
func NewPending() *Pending { return &Pending{done: make(chan struct{})} }

// Resolve sets the opened backend, or the error opening it failed with.
// Later calls are ignored (and their backend closed).
func (p *Pending) Resolve(b Backend, err error) {
	set := false
	p.once.Do(func() {
		if err == nil && b == nil {
			err = errors.New("search backend: none opened")
		}
		p.b, p.err, set = b, err, true
		close(p.done)
	})
	if !set && b != nil {
		b.Close()
	}
}

// Wait blocks until the backend is resolved or ctx ends; it returns the open
// error, or ctx's.
func (p *Pending) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Index waits for the backend, then indexes.
func (p *Pending) Index(ctx context.Context, docs []Doc) error {
	if err := p.Wait(ctx); err != nil {
		return err
	}
	return p.b.Index(ctx, docs)
}

// Delete waits for the backend, then deletes.
func (p *Pending) Delete(ctx context.Context, policyIDs ...string) error {
	if err := p.Wait(ctx); err != nil {
		return err
	}
	return p.b.Delete(ctx, policyIDs...)
}

// Search waits for the backend, then searches.
func (p *Pending) Search(ctx context.Context, q Query) (Result, error) {
	if err := p.Wait(ctx); err != nil {
		return Result{}, err
	}
	return p.b.Search(ctx, q)
}

// Ready does not wait: ErrNotReady while opening, else the open error or the
// backend's own readiness.
func (p *Pending) Ready(ctx context.Context) error {
	select {
	case <-p.done:
	default:
		return ErrNotReady
	}
	if p.err != nil {
		return p.err
	}
	return p.b.Ready(ctx)
}

// Close waits for the opening to finish and closes the backend; the opener
// must be bound to a context that ends, or Close waits for it.
func (p *Pending) Close() error {
	<-p.done
	if p.b == nil {
		return nil
	}
	return p.b.Close()
}

// Backend returns the opened backend, or nil while opening or after failure.
func (p *Pending) Backend() Backend {
	select {
	case <-p.done:
		return p.b
	default:
		return nil
	}
}
