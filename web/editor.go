package web

import "net/http"

// editorRoutes registers the editor console under /editor.
func (s *Server) editorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /editor", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "editor_login", page{Title: "编辑台登录"})
	})
}
