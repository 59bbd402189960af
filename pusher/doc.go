// Package pusher turns matches into action.
//
// Planning (Planner.Plan) reads the matches of one policy version from a
// MatchSource (the store's matches, or MatchLines over `zhida match`
// output) and writes to the store, idempotently:
//
//   - for a subject eligible on verified facts alone for an apply-free
//     (免申即享) benefit: a grant recording the facts and sources it rests
//     on, the policy version and the amount when computable, and a
//     已为您办理 notice;
//   - for every other eligible subject: a new_policy push, and a
//     deadline_reminder due before the benefit's 申报截止;
//   - for a nearly eligible one (unknown, scoring at least MinNearScore): a
//     needs_info push naming the missing facts.
//
// Messages are plain Chinese built from the policy's own words: what the
// benefit is (name, 支持标准), why the subject qualifies (the met condition
// texts), what to check, what to do next and by when.
//
// A grant is money, so it waits: it becomes ready for payment only when its
// notice was delivered and the objection window has passed since (counted
// from receipt); an objection (Inbox.Decline) holds it; a retraction stops
// it. ExportGrants writes ready grants as CSV for the payment office, once.
//
// The Worker claims due pushes from the store's delivery outbox and sends
// them in batches to a Twirp Delivery receiver, marking each item by its
// per-item result: accepted or duplicate is delivered, rejected is a dead
// letter at once, anything else backs off exponentially with jitter and
// becomes a dead letter after the rule's attempts. Rules (per channel and
// kinds: cron spec, batch, attempts, quiet hours, per-subject daily cap)
// come from DefaultRules or ReadRules; the Scheduler runs them on
// robfig/cron/v3 in China time.
//
// Delivery is at least once from the pusher and exactly once at a receiver
// that honours idempotency keys (the built-in one in package rpc does): a
// worker that dies after the receiver stored a batch but before it marked
// it leaves the claim to expire; the next claimer resends, and the receiver
// answers DUPLICATE. Each (subject, benefit, kind) is pushed at most once
// per policy version.
package pusher
