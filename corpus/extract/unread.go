package extract

import "github.com/zhida/zhida/corpus"

// A benefit whose tree holds no condition at all is true for every subject
// of its audience — and, when the text is apply-free, granted to every one
// of them on no verified fact. Real grants nearly always name whom they are
// for; an empty tree means the reader found no condition it could place,
// not that there is none. The grant's own words are kept as one unparsed
// condition instead, so that a person checks them (CONTRACT §2: what cannot
// be expressed is kept, never dropped).

// keepUnread returns c, or an unparsed condition on the grant's words when
// c has no atom.
func keepUnread(c corpus.Cond, grant string) corpus.Cond {
	if len(c.Atoms()) > 0 {
		return c
	}
	text := trimPunct(grant)
	if text == "" {
		text = "享受条件未能从原文读出"
	}
	return corpus.Unparsed(text)
}
