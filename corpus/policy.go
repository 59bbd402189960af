package corpus

import (
	"slices"
	"time"
)

// Audience is who a policy or benefit is for.
type Audience string

// The audiences.
const (
	AudienceEnterprise Audience = "enterprise"
	AudienceResident   Audience = "resident"
	AudienceBoth       Audience = "both"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	return a == AudienceEnterprise || a == AudienceResident || a == AudienceBoth
}

// Includes reports whether a policy for a reaches subjects of kind k
// (AudienceEnterprise or AudienceResident).
func (a Audience) Includes(k Audience) bool { return a == k || a == AudienceBoth }

// Level is the tier of government that issued a policy.
type Level string

// The levels, from the top.
const (
	LevelNational Level = "国家"
	LevelProvince Level = "省"
	LevelCity     Level = "市"
	LevelCounty   Level = "县"
)

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	return l == LevelNational || l == LevelProvince || l == LevelCity || l == LevelCounty
}

// LevelOf derives the level from a 6-digit region code: 100000 is the whole
// country, XX0000 a province, XXYY00 a city, anything else a county.
func LevelOf(region string) Level {
	switch {
	case region == RegionNational:
		return LevelNational
	case len(region) == 6 && region[2:] == "0000":
		return LevelProvince
	case len(region) == 6 && region[4:] == "00":
		return LevelCity
	}
	return LevelCounty
}

// RegionNational is the code CONTRACT uses for the whole country.
const RegionNational = "100000"

// Category is the kind of support a policy gives. The list is open: a
// deployment may add categories (see Vocabulary).
type Category string

// The built-in categories.
const (
	CategorySubsidy    Category = "财政补贴"
	CategoryTax        Category = "税收优惠"
	CategoryFinance    Category = "金融支持"
	CategoryEmployment Category = "就业创业"
	CategoryTalent     Category = "人才"
	CategoryAssistance Category = "社会救助"
	CategoryElderly    Category = "养老"
	CategoryDisability Category = "助残"
	CategoryHousing    Category = "住房"
	CategoryOther      Category = "其他"
)

// DefaultCategories returns the built-in categories in display order.
func DefaultCategories() []Category {
	return []Category{CategorySubsidy, CategoryTax, CategoryFinance, CategoryEmployment, CategoryTalent,
		CategoryAssistance, CategoryElderly, CategoryDisability, CategoryHousing, CategoryOther}
}

// Status is the stored lifecycle state of a policy. Expired is not stored: a
// published policy whose effective_to has passed reads as expired.
type Status string

// The lifecycle states.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusRetracted Status = "retracted"
	StatusExpired   Status = "expired"
)

// Valid reports whether s is a known status (including the derived expired).
func (s Status) Valid() bool {
	return s == StatusDraft || s == StatusPublished || s == StatusRetracted || s == StatusExpired
}

// Document is the editable content of a policy: what an editor drafts and a
// version freezes.
type Document struct {
	Title         string    `json:"title"`
	DocNumber     string    `json:"doc_number,omitempty"` // 文号, e.g. 穗府办规〔2024〕13号
	Issuer        string    `json:"issuer,omitempty"`
	Region        string    `json:"region,omitempty"` // issuing region, 6-digit code
	Level         Level     `json:"level,omitempty"`
	Category      Category  `json:"category,omitempty"`
	Audience      Audience  `json:"audience,omitempty"`
	PublishDate   Date      `json:"publish_date"`
	EffectiveFrom Date      `json:"effective_from"`
	EffectiveTo   Date      `json:"effective_to"`
	SourceURL     string    `json:"source_url,omitempty"`
	Text          string    `json:"text,omitempty"`
	Benefits      []Benefit `json:"benefits"`
	// Unparsed lists clauses extraction could not turn into conditions.
	Unparsed []string `json:"unparsed,omitempty"`
}

// Benefit is one thing a policy gives, to whom, and how much.
type Benefit struct {
	// Key identifies the benefit within its policy across versions
	// ("b1", "b2" ...); matches and pushes are keyed by it.
	Key       string   `json:"key,omitempty"`
	Name      string   `json:"name"`
	Amount    string   `json:"amount,omitempty"` // the amount as the text states it
	Calc      *Amount  `json:"calc,omitempty"`   // the amount in computable form, when known
	ApplyFree bool     `json:"apply_free"`
	Audience  Audience `json:"audience,omitempty"`
	// Deadline is the last day to apply (申报截止), when the text gives one.
	Deadline   Date  `json:"deadline"`
	Conditions *Cond `json:"conditions,omitempty"`
}

// AmountKind is the shape of a benefit amount.
type AmountKind string

// The amount shapes a benefit calculator understands.
const (
	AmountFixed     AmountKind = "fixed"      // Value yuan once
	AmountPerPerson AmountKind = "per_person" // Value yuan per person (Basis names whom)
	AmountPerMonth  AmountKind = "per_month"  // Value yuan per month
	AmountPerYear   AmountKind = "per_year"   // Value yuan per year
	AmountRate      AmountKind = "rate"       // Value (a fraction) of Basis, at most Cap yuan
)

// Amount is a benefit amount in computable form.
type Amount struct {
	Kind  AmountKind `json:"kind"`
	Value float64    `json:"value"`
	Cap   float64    `json:"cap,omitempty"`   // yuan; 0 means no cap stated
	Basis string     `json:"basis,omitempty"` // what a rate or per-unit amount applies to, in the text's words
	Text  string     `json:"text,omitempty"`
}

// Policy is the head of a policy: its identity and lifecycle state, the
// latest published version (if any) and the pending draft (if any).
type Policy struct {
	ID     string `json:"id"`
	Status Status `json:"status"` // stored status: draft, published or retracted
	// LatestVersion is the number of the newest published version; 0 if none.
	LatestVersion int `json:"latest_version"`
	// Live is the newest published version, nil if never published.
	Live *Version `json:"live,omitempty"`
	// Draft is the pending draft, nil when there is none.
	Draft *Draft `json:"draft,omitempty"`

	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	RetractedAt time.Time `json:"retracted_at,omitzero"`
	// RetractReason is the reason given when the policy was retracted.
	RetractReason string `json:"retract_reason,omitempty"`
}

// Draft is a policy's pending edit. Revision increases with every save, so an
// editor's update can say which revision it was based on.
type Draft struct {
	Document  Document  `json:"document"`
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Version is an immutable published snapshot of a policy.
type Version struct {
	PolicyID    string    `json:"policy_id"`
	Version     int       `json:"version"`
	Document    Document  `json:"document"`
	PublishedAt time.Time `json:"published_at"`
}

// State returns the lifecycle state of the head.
func (p Policy) State() State {
	return State{Status: p.Status, LatestVersion: p.LatestVersion, HasDraft: p.Draft != nil}
}

// Current returns the document to show for the policy: the live version's,
// or the draft's for a policy never published.
func (p Policy) Current() Document {
	if p.Live != nil {
		return p.Live.Document
	}
	if p.Draft != nil {
		return p.Draft.Document
	}
	return Document{}
}

// EffectiveStatus is the status a reader sees on date today: a published
// policy whose effective_to is before today is expired.
func (p Policy) EffectiveStatus(today Date) Status {
	if p.Status == StatusPublished && p.Live != nil {
		return p.Live.Document.StatusOn(today)
	}
	return p.Status
}

// StatusOn returns published, or expired once effective_to has passed.
func (d Document) StatusOn(today Date) Status {
	if !d.EffectiveTo.IsZero() && d.EffectiveTo.Before(today) {
		return StatusExpired
	}
	return StatusPublished
}

// Clone returns a deep copy of the document, so that a stored version can
// not be changed through a value handed out.
func (d Document) Clone() Document {
	d.Benefits = slices.Clone(d.Benefits)
	for i := range d.Benefits {
		if c := d.Benefits[i].Conditions; c != nil {
			cc := c.Clone()
			d.Benefits[i].Conditions = &cc
		}
		if a := d.Benefits[i].Calc; a != nil {
			ac := *a
			d.Benefits[i].Calc = &ac
		}
	}
	d.Unparsed = slices.Clone(d.Unparsed)
	return d
}

// Clone returns a deep copy of the tree.
func (c Cond) Clone() Cond {
	out := c
	if c.All != nil {
		out.All = make([]Cond, len(c.All))
		for i := range c.All {
			out.All[i] = c.All[i].Clone()
		}
	}
	if c.Any != nil {
		out.Any = make([]Cond, len(c.Any))
		for i := range c.Any {
			out.Any[i] = c.Any[i].Clone()
		}
	}
	if c.Not != nil {
		n := c.Not.Clone()
		out.Not = &n
	}
	if c.Year != nil {
		y := *c.Year
		out.Year = &y
	}
	out.Value.list = slices.Clone(c.Value.list)
	return out
}
