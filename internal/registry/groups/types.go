// Package groups keeps the versioned code tables of the registry (GB/T 2261.1
// gender, GB/T 3304 ethnic groups, GB/T 4761 family relations …), the
// memberships of people in special groups (shared from departments) and
// key groups (重点人群) with their own fields, and the follow-up visits
// (走访 / 帮扶 / 核对) to people, households, houses and organisations.
// Key-group data needs registry.keygroup on top of scope.
package groups

import (
	"time"

	"gridgov/internal/registry"
)

// GroupMember is a person's membership of a special group (老年人, 残疾人,
// 优抚对象, 低保对象, 困难职工 …) or a key group (重点稳控对象, 刑释解教人员,
// 重点信访人员, 社区矫正人员 …), with the kind's own fields in Attrs.
type GroupMember struct {
	ID         int64             `json:"id"`
	PersonID   int64             `json:"person_id"`
	PersonName string            `json:"person_name"`
	GridCode   string            `json:"grid_code"`
	GroupKind  string            `json:"group_kind"`
	KeyGroup   bool              `json:"key_group"`
	RiskLevel  string            `json:"risk_level,omitempty"`
	Attrs      map[string]string `json:"attrs"`
	StartedOn  string            `json:"started_on,omitempty"`
	EndedOn    string            `json:"ended_on,omitempty"`
	Active     bool              `json:"active"`
	Source     registry.Source   `json:"source"`
	SourceRef  string            `json:"source_ref,omitempty"`
	Version    int               `json:"version"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	EndedAt    *time.Time        `json:"ended_at,omitempty"`
}

// MemberInput adds a person to a group or updates a membership. Kind is
// fixed once added; Version is the optimistic lock on update (0 skips).
type MemberInput struct {
	Kind      string            `json:"group_kind"`
	Attrs     map[string]string `json:"attrs"`
	RiskLevel string            `json:"risk_level"`
	StartedOn string            `json:"started_on"`
	Source    registry.Source   `json:"source"`
	SourceRef string            `json:"source_ref"`
	Version   int               `json:"version"`
}

// MemberFilter selects memberships. Key restricts to key groups (nil:
// both); Active restricts to current (true) or ended (false) ones.
type MemberFilter struct {
	Kind     string
	UnitCode string // the unit's subtree, by the person's place
	GridCode string
	Key      *bool
	Active   *bool
	Limit    int
	Offset   int
}

// Visit is a follow-up visit (走访), an act of assistance (帮扶) or a field
// verification (核对) of a person, household, house or organisation.
type Visit struct {
	ID          int64     `json:"id"`
	ObjectType  string    `json:"object_type"` // person | household | house | organisation
	ObjectID    int64     `json:"object_id"`
	Kind        string    `json:"kind"` // visit | assist | verify
	VisitedAt   time.Time `json:"visited_at"`
	UserID      int64     `json:"user_id"`
	Username    string    `json:"username"`
	Note        string    `json:"note"`
	Result      string    `json:"result"`
	Attachments []int64   `json:"attachments"`
	CreatedAt   time.Time `json:"created_at"`
}

// VisitInput records a visit. A zero VisitedAt means now.
type VisitInput struct {
	ObjectType  string    `json:"object_type"`
	ObjectID    int64     `json:"object_id"`
	Kind        string    `json:"kind"`
	VisitedAt   time.Time `json:"visited_at"`
	Note        string    `json:"note"`
	Result      string    `json:"result"`
	Attachments []int64   `json:"attachments"`
}

// DueFilter selects the visits due (the grid worker's work list).
type DueFilter struct {
	Kind     string
	UnitCode string
	GridCode string
	Limit    int
	Offset   int
}

// DueVisit is a person whose membership of a group with a visit interval
// has gone without a visit for longer than the interval.
type DueVisit struct {
	MemberID     int64      `json:"member_id"`
	PersonID     int64      `json:"person_id"`
	PersonName   string     `json:"person_name"`
	GridCode     string     `json:"grid_code"`
	GroupKind    string     `json:"group_kind"`
	KeyGroup     bool       `json:"key_group"`
	RiskLevel    string     `json:"risk_level,omitempty"`
	IntervalDays int        `json:"interval_days"`
	LastVisitAt  *time.Time `json:"last_visit_at,omitempty"`
	// DueSince is when the visit fell due: the last visit plus the
	// interval, or the start of the membership when never visited.
	DueSince time.Time `json:"due_since"`
}

// Attr is one field of a group kind's memberships.
type Attr struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	LabelEn  string `json:"label_en"`
	Type     string `json:"type"`            // text | date | code
	Table    string `json:"table,omitempty"` // the code table of a code field
	Required bool   `json:"required,omitempty"`
}

// Code is one entry of a code table. Entries of the group_kind table carry
// the kind's definition: Key, VisitDays and Attrs.
type Code struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	NameEn    string `json:"name_en,omitempty"`
	Parent    string `json:"parent,omitempty"`
	Key       bool   `json:"key,omitempty"`
	VisitDays int    `json:"visit_days,omitempty"`
	Attrs     []Attr `json:"attrs,omitempty"`
}

// CodeTable is one version of a code table (GB/T 2261.1 gender, GB/T 3304
// ethnic groups, GB/T 4761 family relations …).
type CodeTable struct {
	Table    string    `json:"table"`
	Version  string    `json:"version"`
	Standard string    `json:"standard"`
	Title    string    `json:"title"`
	LoadedAt time.Time `json:"loaded_at"`
	Codes    []Code    `json:"codes,omitempty"`
}

// codeMeta is what the meta column keeps of a code.
type codeMeta struct {
	Key       bool   `json:"key,omitempty"`
	VisitDays int    `json:"visit_days,omitempty"`
	Attrs     []Attr `json:"attrs,omitempty"`
}
