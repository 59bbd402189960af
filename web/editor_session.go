package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// sessionCookie names the editor session cookie. It holds only a random
// session id; the editor token stays in the server's memory.
const sessionCookie = "zhida_editor"

// SessionTTL is how long an editor session lasts without use.
const SessionTTL = 8 * time.Hour

// maxSessions bounds the session table so that a flood of logins cannot
// grow it without limit; the oldest session goes first.
const maxSessions = 1000

// session is one logged-in editor.
type session struct {
	id string
	// token is what the editor typed, presented to the services on their
	// behalf; it never leaves the process.
	token string
	// csrf is the value every POST form of this session must carry.
	csrf    string
	expires time.Time
}

// sessions is the Server's in-memory session table.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	ttl time.Duration
	now func() time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, ttl: ttl, now: now}
}

// randomID returns 32 random bytes, URL-safe base64.
func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for token.
func (s *sessions) create(token string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.m) >= maxSessions {
		var oldest *session
		for id, x := range s.m {
			if !x.expires.After(now) {
				delete(s.m, id)
				continue
			}
			if oldest == nil || x.expires.Before(oldest.expires) {
				oldest = x
			}
		}
		if len(s.m) >= maxSessions && oldest != nil {
			delete(s.m, oldest.id)
		}
	}
	x := &session{id: randomID(), token: token, csrf: randomID(), expires: now.Add(s.ttl)}
	s.m[x.id] = x
	return x
}

// get returns the live session with id and extends it; nil when there is
// none or it expired.
func (s *sessions) get(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.m[id]
	if !ok {
		return nil
	}
	now := s.now()
	if !x.expires.After(now) {
		delete(s.m, id)
		return nil
	}
	x.expires = now.Add(s.ttl)
	c := *x
	return &c
}

// drop ends the session with id.
func (s *sessions) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// validCSRF reports whether the form value matches the session's token.
func (x *session) validCSRF(v string) bool {
	return v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(x.csrf)) == 1
}

// setSessionCookie sends the session id: HttpOnly (no script reads it),
// SameSite=Strict (no other site's form or link carries it), scoped to the
// console, Secure when the request came over TLS.
func setSessionCookie(w http.ResponseWriter, r *http.Request, x *session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: x.id, Path: "/editor",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/editor", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}
