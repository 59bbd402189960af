package extract

import (
	"regexp"
	"strings"

	"github.com/zhida/zhida/corpus"
)

// A grant is often written over two clauses: the thing granted in one and
// its amount in the next (可申请财政贴息的创业担保贷款，最高贷款额度为30万元),
// or the amount first and the way it is paid after it (按每户每年1万元为限额，
// 依次扣减其应缴纳的税费). Read clause by clause, neither half is a grant;
// joinSplitGrants puts such halves back together.

var (
	// namedOnlyRe is a clause naming what is granted, with no amount.
	namedOnlyRe = regexp.MustCompile(`(?:可申请|可享受|可获得|给予|享受)[^，。；]{0,20}(?:贷款|贴息|补贴|补助|资助|奖励|减免)`)
	// amountOnlyRe is a clause stating an amount or a limit (最高贷款额度为
	// 30万元, 按每户每年1万元为限额).
	amountOnlyRe = regexp.MustCompile(`额度|限额|最高|不超过|标准为|每人|每户`)
	// payVerbRe opens a clause saying how an amount is paid or deducted.
	payVerbRe = regexp.MustCompile(`^(?:依次|逐项|按顺序)?(?:扣减|抵减|抵扣|减免|免征|返还|拨付|发放)`)
	// loanGrantRe is a loan offered with its amount (可申请最高不超过20万元的
	// 创业担保贷款, 贷款额度最高为50万元): a subsidised loan is a benefit.
	loanGrantRe = regexp.MustCompile(`可申请[^，。；]{0,20}贷款|贷款额度`)
)

// joinSplitGrants joins a clause naming a grant to the amount clause after
// it, and an amount clause to the paying clause after it.
func joinSplitGrants(clauses []string) []string {
	out := make([]string, 0, len(clauses))
	for i := 0; i < len(clauses); i++ {
		cl := clauses[i]
		if i+1 < len(clauses) && splitGrant(cl, clauses[i+1]) {
			out = append(out, cl+clauses[i+1])
			i++
			continue
		}
		out = append(out, cl)
	}
	return out
}

// splitGrant reports whether a and b are the two halves of one grant.
func splitGrant(a, b string) bool {
	if isGrant(a) || isGrant(b) || notGrantRe.MatchString(a) || notGrantRe.MatchString(b) {
		return false
	}
	aAmount, bAmount := moneyOrRateRe.MatchString(a), moneyOrRateRe.MatchString(b)
	switch {
	case namedOnlyRe.MatchString(a) && !aAmount && bAmount && amountOnlyRe.MatchString(b):
		return true
	case aAmount && amountOnlyRe.MatchString(a) && !bAmount && payVerbRe.MatchString(strings.TrimSpace(b)):
		return true
	}
	return false
}

// isLoanGrant reports a clause offering a loan of a stated amount.
func isLoanGrant(cl string) bool {
	return moneyOrRateRe.MatchString(cl) && loanGrantRe.MatchString(cl) && !notGrantRe.MatchString(cl) && !strings.Contains(cl, "期限") &&
		!loanThresholdRe.MatchString(cl)
}

// loanThresholdRe marks a loan amount used as a condition (担保贷款额度在
// 100万元（含）以上的).
var loanThresholdRe = regexp.MustCompile(`以上|以下|不低于|不少于|达到|(?:^|[^不])超过|^且|^并`)

// asideReqRe is an aside that states a requirement rather than explaining
// a word (（须持有主管部门颁发的证件）, （有街道出具的身份证明）).
var asideReqRe = regexp.MustCompile(`（((?:须|需|必须|应当|应|需要)[^（）]{2,40}|(?:有|持有)[^（）]{0,30}(?:证明|证件|证书|证))）`)

// asideRequirements keeps the requirements a grant states in asides as
// unparsed hits: the subject must check them, so they must not vanish.
func asideRequirements(text string) []hit {
	var out []hit
	for _, m := range asideReqRe.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, hit{cond: corpus.Unparsed(text[m[2]:m[3]]), start: m[2], end: m[3]})
	}
	return out
}

// loanHeadRe is a section title about loan amounts.
var loanHeadRe = regexp.MustCompile(`贷款(?:标准|额度)|借款(?:标准|额度)`)

// structuralGrant reports a clause that grants by where it stands rather
// than by its words: a loan with its amount, the cap a loan section opens
// with (贷款标准 … 最高额度20万元), a subsidy a measure names without an
// amount. first: the clause opens its sentence.
func structuralGrant(cl string, b *block, first bool) bool {
	if notGrantRe.MatchString(cl) {
		return false
	}
	switch {
	case isLoanGrant(cl):
		return true
	case first && loanSection(b) && moneyOrRateRe.MatchString(cl) && !strings.Contains(cl, "期限"):
		return true
	case measureOf(b) != nil && namedGrantRe.MatchString(cl):
		return true
	}
	return false
}
