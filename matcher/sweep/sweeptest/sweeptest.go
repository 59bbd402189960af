// Package sweeptest generates profiles and policies for tests of store-backed
// matching: valid CONTRACT lines (some with a 身份证号, some with missing keys
// so that verdicts are unknown) and policy documents with region, tag and
// threshold conditions.
package sweeptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/zhida/zhida/corpus"
	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/store"
)

// Regions are the county codes generated profiles live in.
var Regions = []string{"440106", "440104", "440305", "370811", "110105"}

// USCC makes the i-th valid 统一社会信用代码 (both check characters right).
func USCC(i int) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	body := fmt.Sprintf("91440100%08d", i)
	sum := 0
	for j := 0; j < 8; j++ {
		sum += int(body[8+j]-'0') * weights[j]
	}
	c := 11 - sum%11
	org := "0123456789X0"[c%11]
	if c == 11 {
		org = '0'
	}
	body += string(org)
	uw := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum = 0
	for j := 0; j < 17; j++ {
		sum += strings.IndexByte(chars, body[j]) * uw[j]
	}
	return body + string(chars[(31-sum%31)%31])
}

// IDCard makes a valid 身份证号 born on the given date (YYYYMMDD), serial n.
func IDCard(ymd string, n int) string {
	w := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := "110105" + ymd + fmt.Sprintf("%03d", n%1000)
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * w[i]
	}
	return s + string("10X98765432"[sum%11])
}

// ProfileLine returns the i-th generated profile as one JSON line.
func ProfileLine(r *rand.Rand, i int) []byte {
	m := map[string]any{}
	var ver []string
	set := func(k string, v any) {
		m[k] = v
		if r.IntN(2) == 0 {
			ver = append(ver, k)
		}
	}
	if r.Float64() < 0.9 {
		set("region", Regions[r.IntN(len(Regions))])
	}
	if i%2 == 0 {
		m["kind"], m["id"] = "enterprise", USCC(i)
		if r.Float64() < 0.8 {
			var ts []string
			for _, t := range []string{"高新技术企业", "科技型中小企业", "专精特新中小企业"} {
				if r.Float64() < 0.3 {
					ts = append(ts, t)
				}
			}
			set("tags", append([]string{}, ts...))
		}
		if r.Float64() < 0.8 {
			set("employees", r.IntN(600))
		}
		if r.Float64() < 0.7 {
			set("revenue", map[string]float64{"2024": float64(r.IntN(50)) * 1e6, "2025": float64(r.IntN(50)) * 1e6})
		}
		if r.Float64() < 0.6 {
			set("dishonest", r.Float64() < 0.1)
		}
		if r.Float64() < 0.6 {
			set("scale", []string{"large", "medium", "small", "micro"}[r.IntN(4)])
		}
	} else {
		m["kind"], m["id"] = "resident", fmt.Sprintf("r%06d", i)
		bd := fmt.Sprintf("%04d%02d%02d", 1940+r.IntN(70), 1+r.IntN(12), 1+r.IntN(28))
		switch x := r.Float64(); {
		case x < 0.3:
			m["id_card"] = IDCard(bd, i)
			if r.IntN(2) == 0 {
				ver = append(ver, "id_card")
			}
		case x < 0.8:
			set("birth_date", bd[:4]+"-"+bd[4:6]+"-"+bd[6:])
		}
		if r.Float64() < 0.8 {
			var ts []string
			for _, t := range []string{"低保对象", "残疾人", "退役军人", "高校毕业生"} {
				if r.Float64() < 0.2 {
					ts = append(ts, t)
				}
			}
			set("tags", append([]string{}, ts...))
		}
		if r.Float64() < 0.5 {
			set("employment", []string{"employed", "unemployed", "retired"}[r.IntN(3)])
		}
		if r.Float64() < 0.3 {
			m["contact"] = map[string]string{"sms": fmt.Sprintf("+86138%08d", i)}
		}
	}
	m["verified"] = append([]string{}, ver...)
	b, _ := json.Marshal(m)
	return b
}

// Profiles returns n generated profile lines, each ending in a newline.
func Profiles(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []byte
	for i := 0; i < n; i++ {
		out = append(out, ProfileLine(r, i)...)
		out = append(out, '\n')
	}
	return out
}

func atom(f string, op corpus.Op, v corpus.Value, text string) corpus.Cond {
	return corpus.Atom(f, op, v, text)
}

// Documents returns policy documents to publish: an enterprise policy with
// two benefits (one apply-free) and a resident policy, both issued by
// Guangzhou (440100) and scoped to it.
func Documents() []corpus.Document {
	gz := atom("region", corpus.OpWithin, corpus.String("440100"), "注册在广州市")
	ent := corpus.Document{
		Title: "广州市促进科技企业发展若干措施", Region: "440100", Audience: corpus.AudienceEnterprise,
		Category: corpus.CategorySubsidy, PublishDate: corpus.Date{Year: 2025, Month: 3, Day: 1},
		Benefits: []corpus.Benefit{
			{Name: "高企奖励", Amount: "20万元", ApplyFree: true, Conditions: ptr(corpus.All(gz,
				atom("tags", corpus.OpHas, corpus.String("高新技术企业"), "高新技术企业"),
				atom("dishonest", corpus.OpEq, corpus.Bool(false), "未被列入严重失信主体名单")))},
			{Name: "小微企业稳岗补贴", Amount: "5万元", Conditions: ptr(corpus.All(gz,
				atom("scale", corpus.OpIn, corpus.Strings("small", "micro"), "小微企业"),
				atom("revenue", corpus.OpGte, corpus.Number(1e7), "上年度营业收入不低于1000万元").WithYear(-1),
				atom("employees", corpus.OpLte, corpus.Number(300), "从业人员300人以下")))},
		},
	}
	res := corpus.Document{
		Title: "广州市困难群众救助办法", Region: "440100", Audience: corpus.AudienceResident,
		Category: corpus.CategoryAssistance, PublishDate: corpus.Date{Year: 2025, Month: 3, Day: 1},
		Benefits: []corpus.Benefit{
			{Name: "高龄津贴", Amount: "每月200元", ApplyFree: true, Conditions: ptr(corpus.All(
				atom("region", corpus.OpWithin, corpus.String("440100"), "广州市户籍"),
				atom("age", corpus.OpGte, corpus.Number(70), "年满70周岁")))},
			{Name: "低保残疾人补贴", Amount: "每月100元", Conditions: ptr(corpus.All(
				atom("tags", corpus.OpHas, corpus.String("低保对象"), "低保对象"),
				corpus.Any(atom("tags", corpus.OpHas, corpus.String("残疾人"), "残疾人"),
					atom("employment", corpus.OpEq, corpus.String("unemployed"), "失业"))))},
		},
	}
	return []corpus.Document{ent, res}
}

func ptr(c corpus.Cond) *corpus.Cond { return &c }

// Key is the id-card hash key generated profiles are imported with.
var Key = []byte("sweeptest-key")

// Load parses lines (with Key), stores them in batches and returns the
// parsed profiles.
func Load(ctx context.Context, st store.Profiles, lines []byte) ([]matcher.Profile, error) {
	ps := matcher.NewParser(matcher.ParseOptions{IDCardKey: Key})
	profs, lerrs, err := ps.ReadAll(bytes.NewReader(lines))
	if err != nil {
		return nil, err
	}
	if len(lerrs) > 0 {
		return nil, lerrs[0]
	}
	var recs []store.ProfileRecord
	for i := range profs {
		data, err := profs[i].MarshalJSON()
		if err != nil {
			return nil, err
		}
		recs = append(recs, store.ProfileRecord{Kind: profs[i].Kind.Audience(), ID: profs[i].ID,
			Region: profs[i].Region(), AsOf: profs[i].AsOf(), Data: data})
		if len(recs) == 5000 || i == len(profs)-1 {
			if _, err := st.UpsertProfiles(ctx, recs); err != nil {
				return nil, err
			}
			recs = recs[:0]
		}
	}
	return profs, nil
}

// Publish creates and publishes each document, returning the versions.
func Publish(ctx context.Context, lib store.Library, docs []corpus.Document) ([]corpus.Version, error) {
	rules := corpus.DefaultRules()
	var out []corpus.Version
	for _, d := range docs {
		if err := rules.Prepare(&d); err != nil {
			return nil, err
		}
		p, err := lib.CreateDraft(ctx, d)
		if err != nil {
			return nil, err
		}
		v, err := lib.Publish(ctx, p.ID, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
