// Package matcher decides which subjects (enterprises and residents) a
// policy's benefits reach.
//
// It has three parts:
//
//   - Profiles (profile.go, parse.go): the CONTRACT §1 subject record in a
//     compact form, read from JSON Lines with validation (统一社会信用代码 with
//     its GB 32100 and embedded GB 11714 check characters, 身份证号 with its
//     GB 11643 check character and birth date, region codes against the
//     行政区划 table, dates, enums, ranges). A bad line is a *LineError naming
//     the line and the key; the other lines still load. A 身份证号 is replaced
//     by its HMAC-SHA256 under a configured key on import and never kept in
//     clear; birth_date and gender are taken from it when absent, and count
//     as verified only when id_card is in `verified`. Profile.MarshalJSON
//     writes a profile back as a CONTRACT line (the hash under
//     "id_card_hash", never the number) that ParseLine reads to an
//     equivalent profile.
//   - Evaluation (eval.go): three-valued (Kleene) evaluation of corpus.Cond
//     trees as CONTRACT §2–3 define it, with a near-miss score, the met and
//     unmet atom texts, the missing keys, and the apply-free grant rule (the
//     tree must be true on the profile cut down to its verified keys). This is
//     the reference evaluator: it walks the tree as written.
//   - Compiled sweeps (compile.go, index.go): the benefits compiled once into
//     flat programs (field ids resolved, relative years made absolute, values
//     pre-parsed, identical atoms shared and memoised per profile), and a
//     predicate index in the spirit of Whang et al., "Indexing Boolean
//     Expressions" (VLDB 2009), which Match uses for one profile.
//   - Block sweeps (block.go): Sweep sorts profiles by kind and region and
//     matches 64 at a time with bit masks (each atom evaluated once per
//     block; verdicts, grants and scores from AND/OR and bit-sliced sums),
//     on GOMAXPROCS workers, with the results of Match.
//
// # Semantics fixed here
//
//   - A missing key makes its atom unknown; `tags` present without the tag is
//     false, absent is unknown. Derived fields (age, established_years,
//     graduation_years: whole years, the anniversary counts; rd_ratio:
//     rd_expense / revenue of the same year) are present when their sources
//     are; rd_ratio with zero revenue is unknown.
//   - Per-year atoms read the year at + `year` (default -1, 上年度); a profile
//     with only other years is unknown for that atom.
//   - `within`: regions by region.Within (100000 holds every code), except
//     that a profile naming only a larger area that contains the atom's
//     region (户籍 110100 北京市市辖区, which many data owners use, against
//     an atom for 110105 朝阳区) is unknown there, not false: the fact is
//     missing, not contrary. Industries by prefix (C3911 is within C39 and C;
//     a profile's C39 is unknown for an atom on C3911). `in`/`not_in` on regions and
//     industries compare codes exactly; on tags they mean has any / has none.
//   - An atom the vocabulary cannot express (`unparsed`), an unknown field, or
//     an atom malformed for its field is unknown, never false: evaluation
//     does not turn a bad tree into a denial (ParsePolicyJSON rejects such
//     trees up front with corpus.Rules).
//   - A benefit's audience is its own, else its policy's, else the kind its
//     fields and tags belong to, else both; a profile of the other kind is
//     ineligible.
//   - No implicit scope: a policy whose tree has no region atom reaches every
//     profile (CONTRACT §2: the service, not the matcher, may scope it).
//   - `scale` is not derived when absent: the 2017 统计上大中小微型企业划分办法
//     thresholds depend on the industry and on revenue or total assets of a
//     given year, and a wrongly derived scale would turn an honest unknown
//     into a confident verdict. An absent scale stays unknown.
//
// # Score
//
// The score of a node is in [0,1] and is 1 exactly when the node is true. A
// false atom scores 0 and an unknown one ½; a conjunction scores the mean of
// its children, a disjunction its best child, a negation 1 − its child. So
// among benefits that are not eligible, one missing a single condition of
// five ranks above one missing four, and an unknown above a near-miss that
// fails the same number of conditions.
//
// # Index
//
// Each benefit is posted, per subject kind, under one atom of its root
// conjunction (an atom that must hold for the tree to hold): region or
// residence_region within X, tags has T, an enum value set, or a numeric
// threshold (kept sorted, so a profile's value selects a prefix). The atom
// chosen is the one that rules out the most profiles, measured on a sample
// of profiles when one is given (CompileOptions.Sample), else estimated from
// its form. A profile evaluates only the benefits posted under lists its
// values reach, plus those with no useful atom. A benefit is skipped only
// when its posted atom is definitely false for the profile; a profile that
// lacks the posted key reaches every benefit posted on that key. The
// equivalence test checks that indexed, naive, block-swept and reference
// evaluation agree exactly on random trees and profiles.
//
// Why a sweep does not rely on the index alone: with realistic data most
// benefits a profile's values reach really match it — mostly as unknown
// (a missing key, an unparsed clause) — so after pruning a profile still
// evaluates about as many benefits as it matches (measured by eval
// bench-match: ~210 candidates, ~190 matches of 2,000 benefits). The block
// sweep makes each of those evaluations a few word operations shared by 64
// profiles instead.
//
// The package depends on no database or network.
package matcher
