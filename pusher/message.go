package pusher

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher/sweep"
)

// Message is a composed push: what the store keeps as a delivery's payload
// and the worker sends as a PushItem.
type Message struct {
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	PolicyID   string `json:"policy_id"`
	Version    int    `json:"version"`
	BenefitKey string `json:"benefit_key"`
	// DueDate is the last day to act (YYYY-MM-DD), "" when none.
	DueDate string `json:"due_date,omitempty"`
}

// Explanation is a match's stored explanation as the matcher writes it
// (met/unmet/missing/check, and for a grant the facts it rested on and the
// profile they were read from); one type serves the writer and the reader.
type Explanation = sweep.Explanation

// Fact is one profile fact a decision read (see sweep.Fact).
type Fact = sweep.Fact

// ProfileRef names the stored profile a decision was made on.
type ProfileRef = sweep.ProfileRef

// ParseExplanation reads a stored explanation; empty input is an empty
// explanation.
func ParseExplanation(b []byte) (Explanation, error) {
	var e Explanation
	if len(b) == 0 {
		return e, nil
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("explanation: %w", err)
	}
	return e, nil
}

// chineseDate writes 2026年6月30日.
func chineseDate(d corpus.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// policyName is 《title》（文号）.
func policyName(doc *corpus.Document) string {
	s := "《" + strings.Trim(doc.Title, "《》 ") + "》"
	if doc.DocNumber != "" {
		s += "（" + doc.DocNumber + "）"
	}
	return s
}

func issuer(doc *corpus.Document) string {
	if doc.Issuer != "" {
		return doc.Issuer
	}
	return "政策发布部门"
}

func bullets(b *strings.Builder, head string, items []string) {
	if len(items) == 0 {
		return
	}
	b.WriteString(head)
	b.WriteString("\n")
	for _, it := range items {
		b.WriteString("· ")
		b.WriteString(strings.TrimSpace(it))
		b.WriteString("\n")
	}
}

// fieldLabels names missing profile keys in Chinese, from the vocabulary.
func fieldLabels(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if f, ok := corpus.LookupField(k); ok && f.Label != "" {
			out = append(out, f.Label)
		} else {
			out = append(out, k)
		}
	}
	return out
}

func amountLine(b *strings.Builder, ben *corpus.Benefit) {
	if ben.Amount != "" {
		b.WriteString("支持标准：")
		b.WriteString(ben.Amount)
		b.WriteString("\n")
	}
}

// Compose writes the message of kind for one subject's benefit, in plain
// Chinese from the policy's own words: what it is, why the subject
// qualifies (the met condition texts), what to do next and by when.
// objectionDays, the days after receipt a subject may object, is used by
// apply-free notices.
func Compose(kind string, v *corpus.Version, ben *corpus.Benefit, exp Explanation, objectionDays int) (Message, error) {
	doc := &v.Document
	m := Message{Kind: kind, PolicyID: v.PolicyID, Version: v.Version, BenefitKey: ben.Key}
	if !ben.Deadline.IsZero() {
		m.DueDate = ben.Deadline.String()
	}
	var b strings.Builder
	name := "“" + ben.Name + "”"
	switch kind {
	case KindNewPolicy:
		m.Title = "【政策推送】您可能符合" + name
		fmt.Fprintf(&b, "您好！根据您的情况，您可能符合%s中的%s。\n", policyName(doc), name)
		amountLine(&b, ben)
		bullets(&b, "您符合的条件：", exp.Met)
		bullets(&b, "以下条件需要您自行核实：", exp.Check)
		b.WriteString("下一步：请向" + issuer(doc) + "提出申请")
		if !ben.Deadline.IsZero() {
			b.WriteString("，申报截止日期为" + chineseDate(ben.Deadline))
		}
		b.WriteString("。")
	case KindNeedsInfo:
		m.Title = "【政策推送】您可能符合" + name + "，还需补充信息"
		fmt.Fprintf(&b, "您好！%s中的%s可能适用于您。\n", policyName(doc), name)
		amountLine(&b, ben)
		bullets(&b, "您已符合的条件：", exp.Met)
		bullets(&b, "还需要确认的信息：", fieldLabels(exp.Missing))
		bullets(&b, "以下条件需要您自行核实：", exp.Check)
		b.WriteString("下一步：请补充或更新上述信息，或直接向" + issuer(doc) + "咨询")
		if !ben.Deadline.IsZero() {
			b.WriteString("；申报截止日期为" + chineseDate(ben.Deadline))
		}
		b.WriteString("。")
	case KindDeadlineReminder:
		if ben.Deadline.IsZero() {
			return m, fmt.Errorf("compose %s for benefit %s: the benefit has no deadline", kind, ben.Key)
		}
		m.Title = "【申报提醒】" + name + "将于" + chineseDate(ben.Deadline) + "截止申报"
		fmt.Fprintf(&b, "您好！%s中的%s申报截止日期为%s。\n", policyName(doc), name, chineseDate(ben.Deadline))
		amountLine(&b, ben)
		bullets(&b, "您符合的条件：", exp.Met)
		b.WriteString("下一步：如尚未申请，请在截止日期前向" + issuer(doc) + "提出申请。")
	case KindApplyFreeNotice:
		m.Title = "【免申即享】已为您办理" + name
		fmt.Fprintf(&b, "您好！根据%s，经核验以下信息，您符合%s的条件，已为您办理，无需申请。\n", policyName(doc), name)
		bullets(&b, "核验的条件：", exp.Met)
		amountLine(&b, ben)
		// The window counts from receipt, not from a date written now: a
		// notice held back by quiet hours or an unreachable receiver still
		// gives the full window (the grant waits for it; see store.Grant).
		m.DueDate = ""
		if objectionDays > 0 {
			fmt.Fprintf(&b, "如有异议，请自收到本通知之日起%d日内在本消息中选择“不同意”并说明理由；逾期无异议的，将进入拨付程序。", objectionDays)
		}
	default:
		return m, fmt.Errorf("compose: unknown kind %q", kind)
	}
	m.Body = strings.TrimSpace(b.String())
	return m, nil
}

// dateIn is the China date of t.
func dateIn(t time.Time) corpus.Date { return corpus.DateOf(t.In(chinaZone)) }
