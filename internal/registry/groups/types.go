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
	ID        int64             `json:"id"`
	PersonID  int64             `json:"person_id"`
	GroupKind string            `json:"group_kind"`
	KeyGroup  bool              `json:"key_group"`
	RiskLevel string            `json:"risk_level,omitempty"`
	Attrs     map[string]string `json:"attrs,omitempty"`
	StartedOn string            `json:"started_on,omitempty"`
	EndedOn   string            `json:"ended_on,omitempty"`
	Source    registry.Source   `json:"source"`
	SourceRef string            `json:"source_ref,omitempty"`
	Version   int               `json:"version"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	EndedAt   *time.Time        `json:"ended_at,omitempty"`
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

// Code is one entry of a code table.
type Code struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
	Parent string `json:"parent,omitempty"`
}

// CodeTable is one version of a code table (GB/T 2261.1 gender, GB/T 3304
// ethnic groups, GB/T 4761 family relations …).
type CodeTable struct {
	Table    string    `json:"table"`
	Version  string    `json:"version"`
	Standard string    `json:"standard"`
	Title    string    `json:"title"`
	LoadedAt time.Time `json:"loaded_at"`
	Codes    []Code    `json:"codes"`
}
