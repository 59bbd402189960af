// Package pusher turns matches into action. Planning (Plan) reads the
// matches of a policy version and writes, idempotently, an apply-free grant
// for every subject whose eligibility rests on verified facts alone (with a
// 已为您办理 notice) and a push for every other eligible or nearly eligible
// subject, composed in plain Chinese from the policy's own words. The
// Worker claims due pushes from the store's delivery outbox and sends them
// in batches to a Twirp Delivery receiver, marking each item by its
// per-item result; failures back off exponentially with jitter and become
// dead letters after a rule's attempts run out. The Scheduler runs workers
// and the grant clock on cron schedules (robfig/cron/v3, China time).
//
// Delivery is at least once from the pusher and exactly once at a receiver
// that honours idempotency keys: a worker that dies after the receiver
// stored a batch but before it marked it leaves the claim to expire; the
// next claimer resends, and the receiver answers DUPLICATE.
package pusher
