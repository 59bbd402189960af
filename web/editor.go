package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/rpc"
)

// The editor console: token login, the policy list, new policies from text
// or a file, review and correction of the extracted conditions, the impact
// preview, publish, retract, and version history with diffs. Every change
// goes through the PolicyLibrary service as the logged-in editor, so the
// console enforces nothing the API does not.

// edBase is what every console page carries: the session's CSRF token for
// its forms and a one-line notice.
type edBase struct {
	CSRF   string
	Notice string
	Error  string
}

// editorNotices are the fixed messages a redirect may ask a page to show (by key,
// so a link cannot put arbitrary text on the page).
var editorNotices = map[string]string{
	"created":        "已识别并保存为草稿。请逐条核对识别出的条件：每个条件所依据的原文已用黄色标出。",
	"saved":          "已保存到草稿。",
	"meta":           "基本信息已保存。",
	"deleted":        "已从草稿中删除该条件。",
	"benefitdeleted": "已从草稿中删除该项权益。",
	"published":      "已发布。",
	"retracted":      "已撤回。",
	"loggedout":      "已退出登录。",
}

// editorRoutes registers the editor console under /editor.
func (s *Server) editorRoutes(mux *http.ServeMux) {
	s.sess = newSessions(SessionTTL, time.Now)
	mux.HandleFunc("GET /editor", s.editorLogin)
	mux.HandleFunc("POST /editor/login", s.editorDoLogin)
	mux.HandleFunc("POST /editor/logout", s.requireEditor(s.editorLogout))
	mux.HandleFunc("GET /editor/policies", s.requireEditor(s.editorList))
	mux.HandleFunc("GET /editor/new", s.requireEditor(s.editorNew))
	mux.HandleFunc("POST /editor/new", s.requireEditor(s.editorCreate))
	mux.HandleFunc("GET /editor/p/{id}", s.requireEditor(s.editorReview))
	mux.HandleFunc("POST /editor/p/{id}/meta", s.requireEditor(s.editorSaveMeta))
	mux.HandleFunc("GET /editor/p/{id}/atom", s.requireEditor(s.editorAtom))
	mux.HandleFunc("POST /editor/p/{id}/atom", s.requireEditor(s.editorSaveAtom))
	mux.HandleFunc("POST /editor/p/{id}/atom/delete", s.requireEditor(s.editorDeleteAtom))
	mux.HandleFunc("GET /editor/p/{id}/benefit", s.requireEditor(s.editorBenefit))
	mux.HandleFunc("POST /editor/p/{id}/benefit", s.requireEditor(s.editorSaveBenefit))
	mux.HandleFunc("POST /editor/p/{id}/benefit/delete", s.requireEditor(s.editorDeleteBenefit))
	mux.HandleFunc("GET /editor/p/{id}/impact", s.requireEditor(s.editorImpact))
	mux.HandleFunc("POST /editor/p/{id}/publish", s.requireEditor(s.editorPublish))
	mux.HandleFunc("GET /editor/p/{id}/retract", s.requireEditor(s.editorRetractForm))
	mux.HandleFunc("POST /editor/p/{id}/retract", s.requireEditor(s.editorRetract))
	mux.HandleFunc("GET /editor/p/{id}/history", s.requireEditor(s.editorHistory))
	mux.HandleFunc("GET /editor/p/{id}/diff", s.requireEditor(s.editorDiff))
}

// currentSession returns the request's live editor session, or nil.
func (s *Server) currentSession(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return s.sess.get(c.Value)
}

// editorHandler is a console handler for a logged-in editor; its request
// context carries the editor token for the services.
type editorHandler func(w http.ResponseWriter, r *http.Request, x *session)

// requireEditor sends a visitor without a session to the login page and
// refuses a POST whose form lacks the session's CSRF token.
func (s *Server) requireEditor(h editorHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x := s.currentSession(r)
		if x == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/editor?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.render(w, r, http.StatusUnauthorized, "editor_login", page{Title: "编辑台登录", Data: loginData{Error: "登录已过期，请重新登录。"}})
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, MaxUpload+1<<20)
			if err := r.ParseMultipartForm(MaxUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.fail(w, r, http.StatusRequestEntityTooLarge, "提交的内容太大（上限 8 MB）。")
					return
				}
				s.fail(w, r, http.StatusBadRequest, "无法读取提交的表单。")
				return
			}
			if !x.validCSRF(r.PostFormValue("csrf")) {
				s.fail(w, r, http.StatusForbidden, "表单已失效（可能已在别处退出登录）。请返回上一页刷新后重试。")
				return
			}
		}
		h(w, r.WithContext(rpc.WithToken(r.Context(), x.token)), x)
	}
}

// loginData is the login page's data.
type loginData struct {
	Next   string
	Error  string
	Notice string
}

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/editor/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/editor/policies"
}

func (s *Server) editorLogin(w http.ResponseWriter, r *http.Request) {
	if s.currentSession(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "editor_login", page{Title: "编辑台登录",
		Data: loginData{Next: r.URL.Query().Get("next"), Notice: editorNotices[r.URL.Query().Get("msg")]}})
}

// editorDoLogin checks the token through the same check the API uses and
// starts a session. The token is never logged or put in a cookie.
func (s *Server) editorDoLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "无法读取提交的表单。")
		return
	}
	// Login has no session yet to hold a CSRF token; a cross-site form post
	// is refused by its Origin instead.
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			s.fail(w, r, http.StatusForbidden, "拒绝来自其他网站的登录请求。")
			return
		}
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	next := r.PostFormValue("next")
	if err := s.cfg.Editors.Require(rpc.WithToken(r.Context(), token)); err != nil || token == "" {
		msg := "编辑令牌不正确。"
		var te twirp.Error
		if errors.As(err, &te) && strings.Contains(te.Msg(), "disabled") {
			msg = "服务器未配置编辑令牌，编辑台已停用（启动时用 --editor-token 或 ZHIDA_EDITOR_TOKEN 设置）。"
		}
		s.cfg.Log.WarnContext(r.Context(), "editor login refused", "remote", r.RemoteAddr)
		s.render(w, r, http.StatusUnauthorized, "editor_login", page{Title: "编辑台登录", Data: loginData{Next: next, Error: msg}})
		return
	}
	x := s.sess.create(token)
	setSessionCookie(w, r, x)
	s.cfg.Log.InfoContext(r.Context(), "editor logged in", "remote", r.RemoteAddr)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (s *Server) editorLogout(w http.ResponseWriter, r *http.Request, x *session) {
	s.sess.drop(x.id)
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/editor?msg=loggedout", http.StatusSeeOther)
}

// edPage renders a console page for session x.
func (s *Server) edPage(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	s.render(w, r, status, name, page{Title: title, Editor: true, Data: data})
}

// serviceFail shows a service error as a page: a missing policy as 404, a
// token the server no longer accepts as a new login.
func (s *Server) serviceFail(w http.ResponseWriter, r *http.Request, err error) {
	var te twirp.Error
	if !errors.As(err, &te) {
		s.cfg.Log.ErrorContext(r.Context(), "editor page", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "内部错误，请稍后重试。")
		return
	}
	switch te.Code() {
	case twirp.NotFound:
		s.fail(w, r, http.StatusNotFound, "找不到这项政策或版本。")
	case twirp.Unauthenticated:
		if c, err := r.Cookie(sessionCookie); err == nil {
			s.sess.drop(c.Value)
		}
		clearSessionCookie(w, r)
		s.render(w, r, http.StatusUnauthorized, "editor_login", page{Title: "编辑台登录", Data: loginData{Error: "编辑令牌已失效，请重新登录。"}})
	case twirp.InvalidArgument, twirp.FailedPrecondition, twirp.Aborted:
		s.fail(w, r, http.StatusBadRequest, describe(te))
	default:
		s.fail(w, r, http.StatusInternalServerError, "服务出错："+te.Msg())
	}
}

// describe puts a service error in one sentence for an editor.
func describe(te twirp.Error) string {
	msg := te.Msg()
	if arg := te.Meta("argument"); arg != "" {
		msg = arg + "：" + msg
	}
	if all := te.Meta("errors"); all != "" {
		msg = all
	}
	switch te.Code() {
	case twirp.Aborted:
		return "草稿已被他人修改，你的修改未保存。请重新打开页面，在最新草稿上再改。（" + te.Msg() + "）"
	case twirp.FailedPrecondition:
		return "当前状态不允许此操作：" + msg
	}
	return "内容有误：" + msg
}
