// Package cases runs the six-step closed loop of grid governance
// (采集 collect → 上报 report → 交办 assign → 办理 handle → 反馈 feedback →
// 办结 close) as a server-enforced state machine: the category catalogue with
// its stage limits, cases and their assignments to lead and co-handling
// units, extensions, verification and rework, supervision (督查督办), overdue
// states and the notification outbox.
package cases

import (
	"context"
	"encoding/json"
	"time"

	"gridgov/internal/rbac"
)

// Permissions of this module; the lead adds them to rbac.All.
const (
	PermCaseRead      rbac.Permission = "case.read"
	PermCaseCreate    rbac.Permission = "case.create"
	PermCaseDispatch  rbac.Permission = "case.dispatch"
	PermCaseHandle    rbac.Permission = "case.handle"
	PermCaseSupervise rbac.Permission = "case.supervise"
	PermCategoryWrite rbac.Permission = "category.write"
)

// Status is the state of a case in the loop.
type Status string

// The statuses of a case.
const (
	StatusCollected Status = "collected" // 采集: draft held by the reporter
	StatusReported  Status = "reported"  // 上报: awaiting intake at platform CurrentUnitCode
	StatusAssigned  Status = "assigned"  // 交办: waiting for the lead handler to sign
	StatusHandling  Status = "handling"  // 办理
	StatusFeedback  Status = "feedback"  // 反馈: awaiting verification
	StatusClosed    Status = "closed"    // 办结
	StatusRejected  Status = "rejected"  // 不予立案
	StatusMerged    Status = "merged"    // merged into another case
	StatusSuspended Status = "suspended" // 挂账
)

// Statuses lists every status in loop order.
var Statuses = []Status{StatusCollected, StatusReported, StatusAssigned, StatusHandling,
	StatusFeedback, StatusClosed, StatusRejected, StatusMerged, StatusSuspended}

// Open reports whether a case in this status is still being worked.
func (s Status) Open() bool {
	return s != StatusClosed && s != StatusRejected && s != StatusMerged
}

// Action is a transition (or the creation) of a case; each writes a step.
type Action string

// The actions.
const (
	ActCreate           Action = "create"
	ActReport           Action = "report"
	ActEscalate         Action = "escalate"
	ActReject           Action = "reject"
	ActMerge            Action = "merge"
	ActAssign           Action = "assign"
	ActSign             Action = "sign"
	ActReturn           Action = "return"
	ActRequestExtension Action = "request_extension"
	ActDecideExtension  Action = "decide_extension"
	ActFeedback         Action = "feedback"
	ActVerify           Action = "verify"
	ActSuspend          Action = "suspend"
	ActResume           Action = "resume"
	ActSupervise        Action = "supervise"
)

// Source is how a problem reached the platform.
type Source string

// The sources.
const (
	SourcePatrol   Source = "patrol"   // 巡查
	SourceCitizen  Source = "citizen"  // 群众
	SourceLeader   Source = "leader"   // 领导交办
	SourceMedia    Source = "media"    // 媒体曝光
	SourceHotline  Source = "hotline"  // 热线
	SourceSuperior Source = "superior" // 上级交办
)

// Sources lists the valid sources.
var Sources = []Source{SourcePatrol, SourceCitizen, SourceLeader, SourceMedia, SourceHotline, SourceSuperior}

// The intake channels of citizen reports (cases.channel).
const (
	ChannelPortal  = "portal"
	ChannelWeChat  = "wechat"
	ChannelOpen311 = "open311"
	ChannelApp     = "app"
)

// Channels lists the valid intake channels of citizen reports.
var Channels = []string{ChannelPortal, ChannelWeChat, ChannelOpen311, ChannelApp}

// Overdue is the traffic light of a case's current stage.
type Overdue string

// The overdue states: green on time, yellow when ≥80 % of the stage's time
// is used, red past the stage deadline.
const (
	Green  Overdue = "green"
	Yellow Overdue = "yellow"
	Red    Overdue = "red"
)

// Stage names used as keys of Category.Limits and as Case.Stage.
const (
	StageAccept = "accept" // intake at a platform (立案/受理)
	StageSign   = "sign"   // the handler signs for an assignment (签收)
	StageHandle = "handle" // handling until feedback (办理)
	StageVerify = "verify" // verification of the feedback (核查)
)

// CategoryKind is 部件 (component), 事件 (event) or a social-governance kind.
type CategoryKind string

// The category kinds.
const (
	KindComponent  CategoryKind = "component"
	KindEvent      CategoryKind = "event"
	KindGovernance CategoryKind = "governance"
)

// Urgency of a category.
type Urgency string

// The urgencies.
const (
	UrgencyNormal   Urgency = "normal"
	UrgencyUrgent   Urgency = "urgent"
	UrgencyCritical Urgency = "critical"
)

// Category is one 小类 of the catalogue with its rules and stage limits.
type Category struct {
	Code             string            `json:"code"`
	Kind             CategoryKind      `json:"kind"`
	MajorCode        string            `json:"major_code"`
	MajorName        string            `json:"major_name"`
	Name             string            `json:"name"`
	FilingCondition  string            `json:"filing_condition"`
	ClosingCondition string            `json:"closing_condition"`
	DefaultDept      string            `json:"default_dept"` // department code suffix, e.g. "cgj"
	Urgency          Urgency           `json:"urgency"`
	Limits           map[string]string `json:"limits"`              // stage → "4wh" | "3wd" | "24h"
	UnitCode         string            `json:"unit_code,omitempty"` // empty: standard catalogue
	Active           bool              `json:"active"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// CategoryInput creates a unit's own category (or extends the catalogue).
type CategoryInput struct {
	Code             string            `json:"code"`
	Kind             CategoryKind      `json:"kind"`
	MajorCode        string            `json:"major_code"`
	MajorName        string            `json:"major_name"`
	Name             string            `json:"name"`
	FilingCondition  string            `json:"filing_condition"`
	ClosingCondition string            `json:"closing_condition"`
	DefaultDept      string            `json:"default_dept"`
	Urgency          Urgency           `json:"urgency"`
	Limits           map[string]string `json:"limits"`
	UnitCode         string            `json:"unit_code"`
}

// CategoryFilter selects categories.
type CategoryFilter struct {
	Kind      CategoryKind
	MajorCode string
	Q         string // name or code contains
	UnitCode  string // standard ones plus those of this unit and its ancestors; empty: all
	All       bool   // include inactive
}

// Case is one problem travelling the loop.
type Case struct {
	ID               int64           `json:"id"`
	Number           string          `json:"number"`
	CategoryCode     string          `json:"category_code"`
	CategoryName     string          `json:"category_name"`
	Description      string          `json:"description"`
	Source           Source          `json:"source"`
	Channel          string          `json:"channel,omitempty"` // citizen intake channel; empty for staff
	Lat              *float64        `json:"lat,omitempty"`
	Lng              *float64        `json:"lng,omitempty"`
	Address          string          `json:"address"`
	GridCode         string          `json:"grid_code"`
	UnitCode         string          `json:"unit_code"` // territory unit of the grid (community usually)
	UnitPath         string          `json:"-"`
	Status           Status          `json:"status"`
	Stage            string          `json:"stage"`
	CurrentUnitCode  string          `json:"current_unit_code"`  // platform or unit holding it now
	Deadline         *time.Time      `json:"deadline,omitempty"` // deadline of the current stage
	StageStartedAt   time.Time       `json:"stage_started_at"`
	HandleDeadline   *time.Time      `json:"handle_deadline,omitempty"`
	Overdue          Overdue         `json:"overdue"`
	Supervised       bool            `json:"supervised"`
	ReworkCount      int             `json:"rework_count"`
	ReturnCount      int             `json:"return_count"` // 回退 steps: pushed back and forth
	MergedInto       *int64          `json:"merged_into,omitempty"`
	ReporterID       int64           `json:"reporter_id"`
	ReporterUnitCode string          `json:"reporter_unit_code"`
	Attachments      []int64         `json:"attachments"`
	Version          int             `json:"version"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
	ClosedAt         *time.Time      `json:"closed_at,omitempty"`
	Extra            json.RawMessage `json:"-"`

	// Filled by CaseByID only.
	Assignments    []Assignment `json:"assignments,omitempty"`
	Supervision    *Supervision `json:"supervision,omitempty"`
	Extensions     []Extension  `json:"extensions,omitempty"`
	AllowedActions []Action     `json:"allowed_actions,omitempty"`
	// SuggestedDept is the category's default handling department under
	// the case's district (or city), when it exists.
	SuggestedDept string `json:"suggested_dept,omitempty"`
	// Meetings are the joint meetings the case is linked to.
	Meetings []MeetingRef `json:"meetings,omitempty"`
}

// AssignmentStatus is the state of one unit's share of a case.
type AssignmentStatus string

// The assignment statuses.
const (
	AsgAssigned   AssignmentStatus = "assigned"   // waiting to be signed
	AsgHandling   AssignmentStatus = "handling"   // signed, being worked
	AsgFeedback   AssignmentStatus = "feedback"   // result reported
	AsgDispatched AssignmentStatus = "dispatched" // passed further down by a platform
	AsgReturned   AssignmentStatus = "returned"   // 回退
	AsgDone       AssignmentStatus = "done"       // case closed
	AsgCancelled  AssignmentStatus = "cancelled"  // superseded (rework re-dispatch, merge, reject)
)

// Assignment is the share of a case given to one unit (交办).
type Assignment struct {
	ID            int64            `json:"id"`
	CaseID        int64            `json:"case_id"`
	UnitCode      string           `json:"unit_code"`
	UnitName      string           `json:"unit_name,omitempty"`
	FromUnitCode  string           `json:"from_unit_code"` // the assigning platform
	ParentID      *int64           `json:"parent_id,omitempty"`
	Lead          bool             `json:"lead"`
	Status        AssignmentStatus `json:"status"`
	Note          string           `json:"note"`
	Deadline      *time.Time       `json:"deadline,omitempty"`
	SignDeadline  *time.Time       `json:"sign_deadline,omitempty"`
	Feedback      string           `json:"feedback,omitempty"`
	Attachments   []int64          `json:"attachments"`
	ExtensionUsed bool             `json:"extension_used"`
	CreatedAt     time.Time        `json:"created_at"`
	SignedAt      *time.Time       `json:"signed_at,omitempty"`
	FeedbackAt    *time.Time       `json:"feedback_at,omitempty"`
}

// Step is one entry of a case's append-only history.
type Step struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	Action      Action    `json:"action"`
	FromStatus  Status    `json:"from_status"`
	ToStatus    Status    `json:"to_status"`
	UserID      int64     `json:"user_id"`
	Username    string    `json:"username"`
	UnitCode    string    `json:"unit_code"`
	Note        string    `json:"note"`
	Attachments []int64   `json:"attachments"`
	CreatedAt   time.Time `json:"created_at"`
}

// ExtensionStatus is the state of an extension request.
type ExtensionStatus string

// The extension statuses.
const (
	ExtPending  ExtensionStatus = "pending"
	ExtApproved ExtensionStatus = "approved"
	ExtRefused  ExtensionStatus = "refused"
)

// Extension is a request (延期) by a handler for more time.
type Extension struct {
	ID           int64           `json:"id"`
	CaseID       int64           `json:"case_id"`
	AssignmentID int64           `json:"assignment_id"`
	Limit        string          `json:"limit"` // extra time, e.g. "2wd"
	Reason       string          `json:"reason"`
	Status       ExtensionStatus `json:"status"`
	DecisionNote string          `json:"decision_note,omitempty"`
	RequestedBy  int64           `json:"requested_by"`
	DecidedBy    *int64          `json:"decided_by,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	DecidedAt    *time.Time      `json:"decided_at,omitempty"`
}

// Supervision is a 督查督办 order on a case.
type Supervision struct {
	ID                 int64      `json:"id"`
	CaseID             int64      `json:"case_id"`
	SupervisorUnitCode string     `json:"supervisor_unit_code"`
	Deadline           time.Time  `json:"deadline"`
	Reason             string     `json:"reason"`
	Status             string     `json:"status"` // open | closed
	CreatedBy          int64      `json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
	ClosedAt           *time.Time `json:"closed_at,omitempty"`
	// Accountability records (问责), filled by CaseByID.
	Accountability []Accountability `json:"accountability,omitempty"`
	// Case summary, filled on the board.
	Number     string  `json:"number,omitempty"`
	CaseStatus Status  `json:"case_status,omitempty"`
	Overdue    Overdue `json:"overdue,omitempty"`
}

// Filter selects cases within the actor's case.read scope.
type Filter struct {
	Status      []Status
	Category    string  // category code (prefix match allows a 大类)
	Unit        string  // territory under this unit, or currently held by it
	Overdue     Overdue // green | yellow | red
	Source      Source
	Supervised  *bool
	ReturnedMin int    // at least this many returns (回退); 0: any
	Q           string // number, description or address contains
	Limit       int    // default 50, at most 500
	Offset      int
}

// CaseCreate is the input of Create (采集).
type CaseCreate struct {
	CategoryCode string   `json:"category_code"`
	Description  string   `json:"description"`
	Lat          *float64 `json:"lat"`
	Lng          *float64 `json:"lng"`
	Address      string   `json:"address"`
	Source       Source   `json:"source"`
	GridCode     string   `json:"grid_code"`
	Report       *bool    `json:"report"` // default true: reported at the grid's community platform
	Attachments  []int64  `json:"attachments"`
	// IdempotencyKey, when set, makes a retry with the same input return
	// the case created first.
	IdempotencyKey string `json:"-"`
	// Channel records how a citizen's report came in (see Channels); empty
	// for staff.
	Channel string `json:"channel,omitempty"`
}

// Transition is the common input of the simple transitions (report,
// escalate, reject, sign, return, suspend, resume).
type Transition struct {
	Version     int     `json:"version"` // optimistic check; 0 skips it
	Note        string  `json:"note"`
	Attachments []int64 `json:"attachments"`
}

// Common returns the common part of an action's input; every input embeds
// Transition, so each has it.
func (t *Transition) Common() *Transition { return t }

// MergeInput merges a duplicate into another open case.
type MergeInput struct {
	Transition
	IntoID int64 `json:"into_id"`
}

// AssignInput dispatches a case (交办) to one lead unit and co-handlers.
type AssignInput struct {
	Transition
	LeadUnitCode string   `json:"lead_unit_code"`
	CoUnitCodes  []string `json:"co_unit_codes"`
	// FromAssignmentID, when set, dispatches further down from an
	// assignment the acting platform received.
	FromAssignmentID int64 `json:"from_assignment_id"`
}

// HandlerInput is the input of handler actions on an assignment (sign,
// return, feedback); AssignmentID may be 0 when the actor's unit holds
// exactly one active assignment of the case.
type HandlerInput struct {
	Transition
	AssignmentID int64 `json:"assignment_id"`
}

// ExtensionRequest asks for more time on an assignment.
type ExtensionRequest struct {
	HandlerInput
	Limit string `json:"limit"` // "2wd", "8wh", "48h"
}

// ExtensionDecision approves or refuses an extension.
type ExtensionDecision struct {
	Transition
	Approve bool `json:"approve"`
	// ExtensionID names the extension for Do; the API takes it from the
	// path, the console from its form.
	ExtensionID int64 `json:"-"`
}

// VerifyInput records the verification (核查) of the feedback.
type VerifyInput struct {
	Transition
	Pass bool `json:"pass"`
}

// SuperviseInput puts a case under supervision.
type SuperviseInput struct {
	Transition
	SupervisorUnitCode string    `json:"supervisor_unit_code"`
	Deadline           time.Time `json:"deadline"`
	Reason             string    `json:"reason"`
}

// InboxItem is a case waiting for one of the actor's units.
type InboxItem struct {
	Case
	Task         string `json:"task"` // accept | sign | handle | verify
	AssignmentID int64  `json:"assignment_id,omitempty"`
	ForUnitCode  string `json:"for_unit_code"`
}

// Outbox kinds and channels (item 8: sending comes later).
const (
	OutboxArrived    = "arrived"
	OutboxNearLimit  = "near_limit"
	OutboxOverdue    = "overdue"
	OutboxSupervised = "supervised"
	ChannelSMS       = "sms"
	ChannelInApp     = "inapp"
)

// OutboxMessage is a notification waiting to be sent.
type OutboxMessage struct {
	ID              int64  `json:"id"`
	Channel         string `json:"channel"`
	RecipientUnit   string `json:"recipient_unit"`
	RecipientUserID *int64 `json:"recipient_user_id,omitempty"`
	// RecipientRef names a recipient resolved when the message is sent
	// (RecipientReporter: the sealed contact of the case's citizen report).
	RecipientRef string          `json:"recipient_ref,omitempty"`
	Kind         string          `json:"kind"`
	CaseID       int64           `json:"case_id"`
	Payload      json.RawMessage `json:"payload"`
	CreatedAt    time.Time       `json:"created_at"`
	// NotBefore holds the message back until then (quiet hours).
	NotBefore *time.Time `json:"not_before,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Deadlines computes a deadline from a start time and a limit ("4wh",
// "3wd", "24h"); *calendar.Service satisfies it.
type Deadlines interface {
	DeadlineFor(from time.Time, limit string) (time.Time, error)
}

// Locator finds the grid containing a point; ok is false outside every grid.
type Locator interface {
	Locate(ctx context.Context, lat, lng float64) (gridCode string, ok bool, err error)
}
