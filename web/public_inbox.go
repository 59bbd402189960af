package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/rpc"
	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// demoCookie holds the subject of a demo sign-in ("kind:id").
const demoCookie = "zhida_demo_subject"

// subject is who the inbox belongs to.
type subject struct {
	Kind, ID string
	// Via is "gateway" (the trusted header) or "demo" (the demo sign-in).
	Via string
}

func parseSubject(s string) (subject, bool) {
	kind, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	id = strings.TrimSpace(id)
	if !ok || (kind != "enterprise" && kind != "resident") || id == "" || len(id) > 128 {
		return subject{}, false
	}
	return subject{Kind: kind, ID: id}, true
}

// subjectOf returns the signed-in subject: the trusted gateway header when
// one is configured, else the demo sign-in cookie when demo sign-in is on.
// Nothing else is believed.
func (s *Server) subjectOf(r *http.Request) (subject, bool) {
	if s.cfg.SubjectHeader != "" {
		if sub, ok := parseSubject(r.Header.Get(s.cfg.SubjectHeader)); ok {
			sub.Via = "gateway"
			return sub, true
		}
	}
	if s.cfg.DemoSignIn {
		if c, err := r.Cookie(demoCookie); err == nil {
			if v, err := url.QueryUnescape(c.Value); err == nil {
				if sub, ok := parseSubject(v); ok {
					sub.Via = "demo"
					return sub, true
				}
			}
		}
	}
	return subject{}, false
}

// sameOrigin refuses a form post sent from another site (a browser sends
// Origin or Sec-Fetch-Site with every POST).
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

func (s *Server) inboxRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /inbox", s.inboxPage)
	mux.HandleFunc("POST /inbox/signin", s.inboxSignIn)
	mux.HandleFunc("POST /inbox/signout", s.inboxSignOut)
	mux.HandleFunc("POST /inbox/act", s.inboxAct)
}

// itemView is one inbox message as the page shows it.
type itemView struct {
	*pb.InboxItem
	N          int
	KindLabel  string
	Received   string
	Unread     bool
	Grant      bool
	Declined   bool
	RatingOpts []option
}

// grantView is one apply-free grant as the page shows it.
type grantView struct {
	*pb.GrantItem
	Amount, State string
}

// grantState says where a grant stands, in the subject's words.
func grantState(g *pb.GrantItem) string {
	day := func(s string) string {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.In(chinaTime).Format("2006-01-02 15:04")
		}
		return s
	}
	switch g.Status {
	case "notified":
		return "公示中：" + day(g.ObjectionEndsAt) + " 前可提出异议，之后进入拨付"
	case "held":
		return "已暂停：" + g.Reason
	case "ready":
		if g.ExportedAt != "" {
			return "已交付拨付（" + day(g.ExportedAt) + "）"
		}
		return "已确认，等待拨付"
	case "stopped":
		return "已终止：" + g.Reason
	}
	return g.Status
}

// inboxView is the inbox page's data.
type inboxView struct {
	Subject      subject
	SignedIn     bool
	DemoSignIn   bool
	Gateway      bool
	Items        []itemView
	Grants       []grantView
	Unread       int
	Next, Notice string
	Error        string
	SubjectLabel string
}

var pushKindLabels = map[string]string{
	"new_policy":        "您可能符合条件，可以申请",
	"apply_free_notice": "已为您办理（免申即享）",
	"deadline_reminder": "申报截止提醒",
	"needs_info":        "还差一点信息",
}

var notices = map[string]string{
	"read": "已标记为已读。", "declined": "已记录您的谢绝，今后不再就此打扰。", "rated": "谢谢您的评价。",
	"asked": "您的问题已提交，工作人员会在此答复。", "signedin": "已登录。",
}

var chinaTime = time.FixedZone("CST", 8*3600)

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	v := inboxView{DemoSignIn: s.cfg.DemoSignIn, Gateway: s.cfg.SubjectHeader != ""}
	sub, ok := s.subjectOf(r)
	if !ok {
		status := http.StatusUnauthorized
		s.render(w, r, status, "inbox", page{Title: "我的消息", Data: v})
		return
	}
	v.Subject, v.SignedIn = sub, true
	v.SubjectLabel = audienceLabels[sub.Kind]
	v.Notice = notices[r.URL.Query().Get("done")]
	ctx := rpc.WithToken(r.Context(), s.cfg.InboxToken)
	resp, err := s.cfg.Inbox.ListMyPushes(ctx, &pb.ListMyPushesRequest{Subject: &pb.Subject{Kind: sub.Kind, Id: sub.ID},
		PageSize: 50, PageToken: r.URL.Query().Get("page")})
	if err != nil {
		s.cfg.Log.ErrorContext(r.Context(), "web: list inbox", "err", err)
		v.Error = "读取消息时出错，请稍后再试。"
		s.render(w, r, http.StatusServiceUnavailable, "inbox", page{Title: "我的消息", Data: v})
		return
	}
	for i, it := range resp.Items {
		iv := itemView{InboxItem: it, N: i, KindLabel: pushKindLabels[it.Kind], Unread: it.ReadAt == "",
			Grant: it.Kind == "apply_free_notice", Declined: it.DeclinedAt != ""}
		if iv.KindLabel == "" {
			iv.KindLabel = "通知"
		}
		if t, err := time.Parse(time.RFC3339, it.ReceivedAt); err == nil {
			iv.Received = t.In(chinaTime).Format("2006-01-02 15:04")
		}
		for n := 5; n >= 1; n-- {
			iv.RatingOpts = append(iv.RatingOpts, option{Value: strconv.Itoa(n), Label: strings.Repeat("★", n) + "（" + strconv.Itoa(n) + " 分）", Selected: int(it.Rating) == n})
		}
		if iv.Unread {
			v.Unread++
		}
		v.Items = append(v.Items, iv)
	}
	if resp.NextPageToken != "" {
		v.Next = "/inbox?page=" + url.QueryEscape(resp.NextPageToken)
	}
	grants, err := s.cfg.Inbox.ListMyGrants(ctx, &pb.ListMyGrantsRequest{Subject: &pb.Subject{Kind: sub.Kind, Id: sub.ID}})
	if err != nil {
		s.cfg.Log.ErrorContext(r.Context(), "web: list grants", "err", err)
		v.Error = "读取免申即享办理情况时出错，请稍后再试。"
	} else {
		for _, g := range grants.Grants {
			gv := grantView{GrantItem: g, Amount: g.AmountText, State: grantState(g)}
			if g.HasAmount {
				gv.Amount = money(g.Amount)
			}
			v.Grants = append(v.Grants, gv)
		}
	}
	s.render(w, r, http.StatusOK, "inbox", page{Title: "我的消息", Data: v})
}

func (s *Server) inboxSignIn(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.DemoSignIn {
		s.fail(w, r, http.StatusNotFound, "本站未开启演示登录。")
		return
	}
	if !sameOrigin(r) {
		s.fail(w, r, http.StatusForbidden, "请求来自其他网站，已拒绝。")
		return
	}
	sub, ok := parseSubject(r.PostFormValue("kind") + ":" + r.PostFormValue("id"))
	if !ok {
		v := inboxView{DemoSignIn: true, Gateway: s.cfg.SubjectHeader != "", Error: "请选择身份类型并填写主体编号（企业填统一社会信用代码）。"}
		s.render(w, r, http.StatusBadRequest, "inbox", page{Title: "我的消息", Data: v})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: demoCookie, Value: url.QueryEscape(sub.Kind + ":" + sub.ID), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/inbox?done=signedin", http.StatusSeeOther)
}

func (s *Server) inboxSignOut(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.fail(w, r, http.StatusForbidden, "请求来自其他网站，已拒绝。")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: demoCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

// inboxAct applies one action on one message: read, decline, rate or ask.
func (s *Server) inboxAct(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.fail(w, r, http.StatusForbidden, "请求来自其他网站，已拒绝。")
		return
	}
	sub, ok := s.subjectOf(r)
	if !ok {
		s.fail(w, r, http.StatusUnauthorized, "请先登录。")
		return
	}
	ctx := rpc.WithToken(r.Context(), s.cfg.InboxToken)
	who := &pb.Subject{Kind: sub.Kind, Id: sub.ID}
	key := r.PostFormValue("key")
	var (
		err  error
		done string
	)
	switch r.PostFormValue("action") {
	case "read":
		_, err = s.cfg.Inbox.MarkRead(ctx, &pb.InboxItemRequest{Subject: who, IdempotencyKey: key})
		done = "read"
	case "decline":
		_, err = s.cfg.Inbox.Decline(ctx, &pb.DeclineRequest{Subject: who, IdempotencyKey: key, Reason: r.PostFormValue("reason")})
		done = "declined"
	case "rate":
		n, perr := strconv.Atoi(r.PostFormValue("rating"))
		if perr != nil || n < 1 || n > 5 {
			s.fail(w, r, http.StatusBadRequest, "评分请选 1 到 5 分。")
			return
		}
		_, err = s.cfg.Inbox.Rate(ctx, &pb.RateRequest{Subject: who, IdempotencyKey: key, Rating: int32(n), Comment: r.PostFormValue("comment")})
		done = "rated"
	case "ask":
		_, err = s.cfg.Inbox.Ask(ctx, &pb.AskRequest{Subject: who, IdempotencyKey: key, Question: r.PostFormValue("question")})
		done = "asked"
	default:
		s.fail(w, r, http.StatusBadRequest, "不认识的操作。")
		return
	}
	var te twirp.Error
	switch {
	case errors.As(err, &te) && te.Code() == twirp.NotFound:
		s.fail(w, r, http.StatusNotFound, "没有找到这条消息。")
		return
	case errors.As(err, &te) && (te.Code() == twirp.InvalidArgument || te.Code() == twirp.FailedPrecondition):
		msg := "所填内容有误：" + te.Msg()
		if te.Meta("argument") == "question" {
			msg = "请填写您的问题。"
		}
		s.fail(w, r, http.StatusBadRequest, msg)
		return
	case err != nil:
		s.cfg.Log.ErrorContext(r.Context(), "web: inbox action", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "操作未成功，请稍后再试。")
		return
	}
	http.Redirect(w, r, "/inbox?done="+done+"#item-"+url.QueryEscape(key), http.StatusSeeOther)
}
