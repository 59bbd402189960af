package rpc

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/corpus"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
	"github.com/zhida/zhida/store/sqlite"
)

func withToken(tok string) func(context.Context) context.Context {
	return func(ctx context.Context) context.Context {
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer "+tok)
		ctx, _ = twirp.WithHTTPRequestHeaders(ctx, hdr)
		return ctx
	}
}

func codeOf(err error) twirp.ErrorCode {
	c, _ := twirpCode(err)
	return c
}

func TestDeliveryAndInbox(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(NewHandler(Config{Store: st, PusherToken: "push", InboxToken: "gw", Log: discardLog()}))
	defer srv.Close()
	pctx := withToken("push")(context.Background())
	gctx := withToken("gw")(context.Background())
	deliver := pb.NewDeliveryProtobufClient(srv.URL, srv.Client())
	inbox := pb.NewInboxJSONClient(srv.URL, srv.Client())

	grant := store.Grant{Key: "enterprise|E1|p1|v1|b1", PolicyID: "p1", Version: 1, BenefitKey: "b1",
		SubjectKind: corpus.AudienceEnterprise, SubjectID: "E1", Status: store.GrantNotified, ObjectionEndsAt: time.Now().Add(time.Hour)}
	if _, err := st.PutGrants(context.Background(), []store.Grant{grant}); err != nil {
		t.Fatal(err)
	}
	item := func(key, kind string) *pb.PushItem {
		return &pb.PushItem{IdempotencyKey: key, SubjectKind: "enterprise", SubjectId: "E1", Kind: kind, Title: "已为您办理“稳岗返还”",
			Body: "正文", PolicyId: "p1", PolicyVersion: 1, BenefitKey: "b1", DueDate: "2026-03-09", Channel: "inbox"}
	}
	req := &pb.DeliverRequest{Items: []*pb.PushItem{item("k1", "apply_free_notice"), item("k2", "new_policy"), item("k1", "apply_free_notice"),
		{IdempotencyKey: "k3", SubjectKind: "alien", SubjectId: "x", Kind: "new_policy", Title: "t", Body: "b"}}}
	if _, err := deliver.Deliver(context.Background(), req); codeOf(err) != twirp.Unauthenticated {
		t.Fatalf("deliver without token: %v", err)
	}
	resp, err := deliver.Deliver(pctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []pb.ItemStatus{pb.ItemStatus_ITEM_STATUS_ACCEPTED, pb.ItemStatus_ITEM_STATUS_ACCEPTED,
		pb.ItemStatus_ITEM_STATUS_DUPLICATE, pb.ItemStatus_ITEM_STATUS_REJECTED}
	for i, r := range resp.Results {
		if r.Status != want[i] || r.IdempotencyKey != req.Items[i].IdempotencyKey {
			t.Errorf("result %d: %v, want %v", i, r, want[i])
		}
	}
	if resp.Results[3].Reason == "" {
		t.Error("rejection without a reason")
	}
	resp, err = deliver.Deliver(pctx, &pb.DeliverRequest{Items: req.Items[:2]})
	if err != nil || resp.Results[0].Status != pb.ItemStatus_ITEM_STATUS_DUPLICATE || resp.Results[1].Status != pb.ItemStatus_ITEM_STATUS_DUPLICATE {
		t.Fatalf("resend: %v, %v; want duplicates", resp, err)
	}

	me := &pb.Subject{Kind: "enterprise", Id: "E1"}
	if _, err := inbox.ListMyPushes(pctx, &pb.ListMyPushesRequest{Subject: me}); codeOf(err) != twirp.Unauthenticated {
		t.Errorf("inbox with the pusher's token: %v", err)
	}
	page, err := inbox.ListMyPushes(gctx, &pb.ListMyPushesRequest{Subject: me, PageSize: 1})
	if err != nil || len(page.Items) != 1 || page.Items[0].IdempotencyKey != "k2" || page.NextPageToken == "" {
		t.Fatalf("page 1: %v, %v", page, err)
	}
	page, err = inbox.ListMyPushes(gctx, &pb.ListMyPushesRequest{Subject: me, PageSize: 1, PageToken: page.NextPageToken})
	if err != nil || len(page.Items) != 1 || page.Items[0].IdempotencyKey != "k1" || page.NextPageToken != "" {
		t.Fatalf("page 2: %v, %v", page, err)
	}
	if _, err := inbox.MarkRead(gctx, &pb.InboxItemRequest{Subject: &pb.Subject{Kind: "enterprise", Id: "E2"}, IdempotencyKey: "k1"}); codeOf(err) != twirp.NotFound {
		t.Errorf("another subject's message: %v", err)
	}
	if _, err := inbox.Rate(gctx, &pb.RateRequest{Subject: me, IdempotencyKey: "k2", Rating: 6}); codeOf(err) != twirp.InvalidArgument {
		t.Errorf("rating 6: %v", err)
	}
	it, err := inbox.Rate(gctx, &pb.RateRequest{Subject: me, IdempotencyKey: "k2", Rating: 4, Comment: "清楚"})
	if err != nil || it.Rating != 4 || it.Comment != "清楚" || it.ReadAt == "" {
		t.Errorf("rate: %v, %v", it, err)
	}
	it, err = inbox.Ask(gctx, &pb.AskRequest{Subject: me, IdempotencyKey: "k2", Question: "需要哪些材料？"})
	if err != nil || it.Question != "需要哪些材料？" || it.AskedAt == "" {
		t.Errorf("ask: %v, %v", it, err)
	}
	unread, err := inbox.ListMyPushes(gctx, &pb.ListMyPushesRequest{Subject: me, UnreadOnly: true})
	if err != nil || len(unread.Items) != 1 || unread.Items[0].IdempotencyKey != "k1" {
		t.Errorf("unread: %v, %v", unread, err)
	}
	// A reminder about the same benefit is waiting in the pusher's outbox
	// (the same store, as in zhida serve).
	reminder := store.NewDelivery{Key: "reminder", SubjectKind: corpus.AudienceEnterprise, SubjectID: "E1", Kind: "deadline_reminder",
		Channel: "inbox", PolicyID: "p1", Version: 1, BenefitKey: "b1", Payload: []byte(`{}`), NotBefore: time.Now().Add(time.Hour)}
	if _, err := st.Enqueue(context.Background(), []store.NewDelivery{reminder}); err != nil {
		t.Fatal(err)
	}
	// Declining the 已为您办理 notice is an objection: the grant is held,
	// and nothing more is pushed about the benefit.
	it, err = inbox.Decline(gctx, &pb.DeclineRequest{Subject: me, IdempotencyKey: "k1", Reason: "本企业已注销分支机构"})
	if err != nil || it.DeclinedAt == "" || it.DeclineReason != "本企业已注销分支机构" {
		t.Fatalf("decline: %v, %v", it, err)
	}
	g, err := st.GetGrant(context.Background(), grant.Key)
	if err != nil || g.Status != store.GrantHeld || g.Reason != "申请人提出异议：本企业已注销分支机构" {
		t.Errorf("grant after objection: %+v, %v", g, err)
	}
	if d, err := st.GetDelivery(context.Background(), "reminder"); err != nil || d.Status != store.DeliveryCancelled {
		t.Errorf("reminder after decline: %+v, %v", d, err)
	}
	// The subject sees its grant held; another subject sees none.
	if _, err := inbox.ListMyGrants(pctx, &pb.ListMyGrantsRequest{Subject: me}); codeOf(err) != twirp.Unauthenticated {
		t.Errorf("grants with the pusher's token: %v", err)
	}
	gs, err := inbox.ListMyGrants(gctx, &pb.ListMyGrantsRequest{Subject: me})
	if err != nil || len(gs.Grants) != 1 || gs.Grants[0].Status != "held" || gs.Grants[0].BenefitKey != "b1" || gs.Grants[0].ObjectionEndsAt == "" {
		t.Errorf("my grants: %v, %v", gs, err)
	}
	gs, err = inbox.ListMyGrants(gctx, &pb.ListMyGrantsRequest{Subject: &pb.Subject{Kind: "enterprise", Id: "E2"}})
	if err != nil || len(gs.Grants) != 0 {
		t.Errorf("another subject's grants: %v, %v", gs, err)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
