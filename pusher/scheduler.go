package pusher

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/robfig/cron/v3"

	pb "github.com/zhida/zhida/rpc/zhidav1"
)

// NewTwirpSender returns a Delivery client speaking protobuf over HTTP to
// the receiver at baseURL (e.g. http://127.0.0.1:8080), sending token as a
// bearer token when it is not empty.
func NewTwirpSender(baseURL, token string, client *http.Client) pb.Delivery {
	if client == nil {
		// Batches go out several at a time (Rule.Parallel, rules ticking
		// together): keep that many connections open rather than the
		// default two.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		client = &http.Client{Timeout: time.Minute, Transport: tr}
	}
	if token != "" {
		c := *client
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = bearer{token: token, next: next}
		client = &c
	}
	return pb.NewDeliveryProtobufClient(baseURL, client)
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// cronParser accepts specs with or without a seconds field, and
// descriptors such as @every 30s.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Scheduler runs jobs on cron schedules in China time. A job still running
// when its next time comes is skipped, so one process never drains a rule
// twice at once (other processes may: claims keep them apart).
type Scheduler struct {
	c   *cron.Cron
	log *slog.Logger
	ctx context.Context
}

// NewScheduler returns a stopped scheduler whose jobs run under ctx.
func NewScheduler(ctx context.Context, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.Default()
	}
	l := cronLogger{log}
	c := cron.New(cron.WithLocation(chinaZone), cron.WithParser(cronParser), cron.WithLogger(l),
		cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	return &Scheduler{c: c, log: log, ctx: ctx}
}

// AddRule schedules w.Drain(rule) on rule.Cron.
func (s *Scheduler) AddRule(w *Worker, rule Rule) error {
	r, err := rule.withDefaults()
	if err != nil {
		return err
	}
	if w.Senders[r.Channel] == nil {
		return fmt.Errorf("rule %s: channel %q: %w", r.Name, r.Channel, ErrNoSender)
	}
	return s.Add(r.Name, r.Cron, func(ctx context.Context) error {
		st, err := w.Drain(ctx, r)
		if st.Claimed > 0 {
			s.log.InfoContext(ctx, "push run", "rule", r.Name, "claimed", st.Claimed, "delivered", st.Delivered,
				"duplicate", st.Duplicate, "retried", st.Retried, "dead", st.Dead, "deferred", st.Deferred)
		}
		return err
	})
}

// Add schedules job on spec; its errors are logged.
func (s *Scheduler) Add(name, spec string, job func(context.Context) error) error {
	if spec == "" {
		return fmt.Errorf("job %s: empty cron spec", name)
	}
	_, err := s.c.AddFunc(spec, func() {
		if s.ctx.Err() != nil {
			return
		}
		if err := job(s.ctx); err != nil && s.ctx.Err() == nil {
			s.log.ErrorContext(s.ctx, "scheduled job failed", "job", name, "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("job %s: cron spec %q: %w", name, spec, err)
	}
	return nil
}

// Start starts the scheduler in the background.
func (s *Scheduler) Start() { s.c.Start() }

// Stop stops scheduling and returns a context done when running jobs end.
func (s *Scheduler) Stop() context.Context { return s.c.Stop() }

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
