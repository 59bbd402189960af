// Package web serves the editor console and the public pages: server-rendered
// html/template pages, embedded in the binary, that call the same service
// implementations as the Twirp API, in process. Every rule (validation,
// lifecycle, matching) therefore lives once, behind the services.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/zhida/zhida/corpus/extract"
	"github.com/zhida/zhida/corpus/region"
	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

//go:embed templates static
var files embed.FS

// Config is what the pages need: the services (usually the rpc package's
// implementations), the region table and the credentials the pages present
// to the services on a user's behalf.
type Config struct {
	Library pb.PolicyLibrary
	Matcher pb.Matcher
	// Search may be nil: the search page then says search is unavailable.
	Search pb.Search
	Inbox  pb.Inbox
	// Regions names region codes on the pages.
	Regions *region.Table
	// Editors checks the token an editor types at login.
	Editors rpc.Editors
	// InboxToken is the inbox gateway token the pages present to the Inbox
	// service: the web pages are one such gateway.
	InboxToken string
	// Live gives the live benefits, compiled, for the calculator (usually a
	// sweep.Worker over the store); nil turns the calculator off.
	Live LiveBenefits
	// SubjectHeader names the request header a trusted authenticating
	// gateway (统一身份认证) sets to "kind:id" of the signed-in subject; empty
	// (the default) ignores any such header.
	SubjectHeader string
	// DemoSignIn lets anyone sign in to an inbox by typing a subject kind and
	// id (kept in a cookie): for demos only.
	DemoSignIn bool
	// Extract reads a pasted policy into benefits and conditions;
	// extract.Extract when nil. The console's tests pin it to a recorded
	// reading so that they test the console, not the extractor's progress.
	Extract func(text string, opts extract.Options) (extract.Result, error)
	Log     *slog.Logger
}

// Server is the http.Handler for the pages.
type Server struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	// sess holds the editor console's logins.
	sess *sessions
}

// New parses the embedded templates and registers the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Extract == nil {
		cfg.Extract = extract.Extract
	}
	if cfg.Regions == nil {
		cfg.Regions = region.Default()
	}
	s := &Server{cfg: cfg, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	if err := s.parse(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(static))))
	s.publicRoutes(s.mux)
	s.editorRoutes(s.mux)
	return s, nil
}

// ServeHTTP serves one page request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	s.mux.ServeHTTP(w, r)
}

// parse builds one template per page: the shared layout plus the page file,
// so that every page can define its own "title" and "main" blocks.
func (s *Server) parse() error {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return fmt.Errorf("web: list templates: %w", err)
	}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		parts := []string{"templates/layout.html", name}
		if strings.HasPrefix(base, "editor_") {
			parts = append(parts, "templates/editor_parts.tmpl")
		}
		t, err := template.New(base).Funcs(s.funcs()).ParseFS(files, parts...)
		if err != nil {
			return fmt.Errorf("web: parse %s: %w", base, err)
		}
		s.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return nil
}

// funcs are the helpers the templates may call.
func (s *Server) funcs() template.FuncMap {
	m := template.FuncMap{
		// regionName names a 6-digit code (广东省广州市天河区), or returns the code.
		"regionName": s.regionName,
		"add":        func(a, b int) int { return a + b },
	}
	for k, f := range editorFuncs() {
		m[k] = f
	}
	return m
}

// page is what every template sees: the page's own data plus the layout's.
type page struct {
	Title string
	// Editor is true when the request carries an editor session: the nav
	// then says so. Only console pages know (the session cookie's path is
	// /editor), so public pages always show the plain 编辑台 link.
	Editor bool
	Data   any
}

// render writes page name with status; a template failure becomes a plain 500
// (logged) rather than a half-written page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		s.cfg.Log.ErrorContext(r.Context(), "web: no such page template", "page", name)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.cfg.Log.ErrorContext(r.Context(), "web: render page", "page", name, "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail renders the error page with a message a user can act on.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", page{Title: "出错了", Data: msg})
}

// regionName names a 6-digit code from the province down (广东省广州市天河区);
// 全国 for the national code; the code itself when it is not in the table.
func (s *Server) regionName(code string) string {
	if code == region.National {
		return "全国"
	}
	r, ok := s.cfg.Regions.Lookup(code)
	if !ok {
		return code
	}
	var b strings.Builder
	anc := s.cfg.Regions.Ancestors(code)
	for i := len(anc) - 1; i >= 0; i-- {
		if a, ok := s.cfg.Regions.Lookup(anc[i]); ok && anc[i] != region.National {
			b.WriteString(a.Name)
		}
	}
	b.WriteString(r.Name)
	return b.String()
}
