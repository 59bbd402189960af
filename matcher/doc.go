// Package matcher decides which subjects (enterprises and residents) a
// policy's benefits reach.
//
// It has three parts:
//
//   - Profiles (profile.go, parse.go): the CONTRACT §1 subject record in a
//     compact form, read from JSON Lines with validation (统一社会信用代码 and
//     身份证号 check digits, region codes, dates, enums). A 身份证号 is replaced
//     by a keyed hash on import and never kept in clear.
//   - Evaluation (eval.go): three-valued (Kleene) evaluation of corpus.Cond
//     trees exactly as CONTRACT §2–3 define it, with a score for ranking
//     near-misses, the met/unmet atom texts, the missing keys, and the
//     apply-free grant rule (the tree must be true on the verified keys alone).
//     This is the reference evaluator: it walks the tree as written.
//   - Compiled sweeps (compile.go, index.go): the live benefits compiled once
//     into flat programs with field ids resolved and values pre-parsed, and a
//     predicate index in the spirit of Whang et al., "Indexing Boolean
//     Expressions" (VLDB 2009): every benefit is posted under one atom that
//     its tree needs (audience, region within X, tags has T, a numeric
//     threshold, an enum value), so a profile only evaluates the benefits whose
//     posted atom is not definitely false for it. A benefit is pruned only when
//     it is definitely false; a missing key never prunes.
//
// The package depends on no database or network.
package matcher
