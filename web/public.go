package web

import "net/http"

// publicRoutes registers the pages for enterprises and residents: search,
// policy pages, the benefit calculator and the inbox.
func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "home", page{Title: "首页"})
	})
}
