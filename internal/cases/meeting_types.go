package cases

import "time"

// ActMeetingAssign is the step written when a concluded joint meeting's
// decision assigns a case.
const ActMeetingAssign Action = "meeting_assign"

// ActAccountability is the step written when an accountability record
// (问责) is attached to a case's supervision.
const ActAccountability Action = "accountability"

// MeetingKind tells a joint meeting (联席会议) from joint enforcement (联合执法).
type MeetingKind string

// The meeting kinds.
const (
	MeetingJoint       MeetingKind = "meeting"
	MeetingEnforcement MeetingKind = "joint_enforcement"
)

// The meeting statuses.
const (
	MeetingOpen      = "open"
	MeetingConcluded = "concluded"
	MeetingCancelled = "cancelled"
)

// Meeting is a joint meeting or joint enforcement record convened by a
// platform about one or more cases; its decisions become assignments when
// it is concluded.
type Meeting struct {
	ID               int64             `json:"id"`
	Kind             MeetingKind       `json:"kind"`
	Title            string            `json:"title"`
	HeldAt           time.Time         `json:"held_at"`
	Place            string            `json:"place"`
	ConvenerUnitCode string            `json:"convener_unit_code"`
	UnitCodes        []string          `json:"unit_codes"` // participating units
	StaffIDs         []int64           `json:"staff_ids"`  // participating staff
	CaseIDs          []int64           `json:"case_ids"`
	Minutes          string            `json:"minutes"`
	Status           string            `json:"status"`  // open | concluded | cancelled
	Version          int               `json:"version"` // bumped by every change of an open meeting
	Decisions        []MeetingDecision `json:"decisions"`
	CreatedBy        int64             `json:"created_by"`
	CreatedAt        time.Time         `json:"created_at"`
	ConcludedBy      *int64            `json:"concluded_by,omitempty"`
	ConcludedAt      *time.Time        `json:"concluded_at,omitempty"`
	CancelReason     string            `json:"cancel_reason,omitempty"`
	CancelledBy      *int64            `json:"cancelled_by,omitempty"`
	CancelledAt      *time.Time        `json:"cancelled_at,omitempty"`
}

// MeetingDecision assigns one linked case to a lead unit and co-handlers.
type MeetingDecision struct {
	ID           int64      `json:"id"`
	MeetingID    int64      `json:"meeting_id"`
	CaseID       int64      `json:"case_id"`
	LeadUnitCode string     `json:"lead_unit_code"`
	CoUnitCodes  []string   `json:"co_unit_codes"`
	Note         string     `json:"note"`
	Status       string     `json:"status"` // pending | applied
	CreatedBy    int64      `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	AppliedAt    *time.Time `json:"applied_at,omitempty"`
}

// MeetingRef is a meeting as listed on a case.
type MeetingRef struct {
	ID     int64       `json:"id"`
	Kind   MeetingKind `json:"kind"`
	Title  string      `json:"title"`
	HeldAt time.Time   `json:"held_at"`
	Status string      `json:"status"`
}

// MeetingInput convenes a meeting.
type MeetingInput struct {
	Kind             MeetingKind     `json:"kind"`
	Title            string          `json:"title"`
	HeldAt           time.Time       `json:"held_at"`
	Place            string          `json:"place"`
	ConvenerUnitCode string          `json:"convener_unit_code"`
	UnitCodes        []string        `json:"unit_codes"`
	StaffIDs         []int64         `json:"staff_ids"`
	CaseIDs          []int64         `json:"case_ids"`
	Minutes          string          `json:"minutes"`
	Decisions        []DecisionInput `json:"decisions"`
}

// DecisionInput is one decision of a meeting.
type DecisionInput struct {
	CaseID       int64    `json:"case_id"`
	LeadUnitCode string   `json:"lead_unit_code"`
	CoUnitCodes  []string `json:"co_unit_codes"`
	Note         string   `json:"note"`
}

// MeetingUpdate changes an open meeting; a nil field is kept. Kind and
// convener cannot change. CaseIDs replaces the linked cases: a case left
// out loses its pending decision.
type MeetingUpdate struct {
	Title     *string    `json:"title"`
	HeldAt    *time.Time `json:"held_at"`
	Place     *string    `json:"place"`
	Minutes   *string    `json:"minutes"`
	UnitCodes *[]string  `json:"unit_codes"`
	StaffIDs  *[]int64   `json:"staff_ids"`
	CaseIDs   *[]int64   `json:"case_ids"`
	Version   int        `json:"version"` // optimistic check; 0 skips it
}

// ConcludeInput concludes a meeting; Minutes, when set, replaces them.
type ConcludeInput struct {
	Minutes string `json:"minutes"`
}

// MeetingFilter selects meetings visible to the actor.
type MeetingFilter struct {
	Status string // open | concluded | cancelled
	CaseID int64  // meetings linked to this case
	Limit  int    // default 50, at most 500
	Offset int
}

// Accountability is a 问责 record on a supervision.
type Accountability struct {
	ID            int64     `json:"id"`
	SupervisionID int64     `json:"supervision_id"`
	CaseID        int64     `json:"case_id"`
	UnitCode      string    `json:"unit_code,omitempty"`
	StaffID       *int64    `json:"staff_id,omitempty"`
	PersonName    string    `json:"person_name,omitempty"`
	Kind          string    `json:"kind"`
	Note          string    `json:"note"`
	CreatedBy     int64     `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// AccountabilityInput attaches a 问责 record to a case's supervision (the
// open one, or SupervisionID).
type AccountabilityInput struct {
	SupervisionID int64  `json:"supervision_id"`
	UnitCode      string `json:"unit_code"`
	StaffID       *int64 `json:"staff_id"`
	PersonName    string `json:"person_name"`
	Kind          string `json:"kind"`
	Note          string `json:"note"`
	Version       int    `json:"version"`
}

// AccountabilityKinds are the accepted kinds: 约谈, 通报批评, 诫勉谈话,
// 警告, 记过, 其他.
var AccountabilityKinds = []string{"talk", "notice", "admonish", "warning", "demerit", "other"}

// Outbox kinds of supervision reminders and escalation.
const (
	OutboxSupervisionDue       = "supervision_due"
	OutboxSupervisionOverdue   = "supervision_overdue"
	OutboxSupervisionEscalated = "supervision_escalated"
)
