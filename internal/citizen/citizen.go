// Package citizen is the public intake of the case loop: reports from
// citizens (the portal, WeChat, apps and the Open311 GeoReport v2 API)
// become cases of source 群众 that staff verify before accepting (核实),
// each with an unguessable tracking code, the reporter's contact sealed,
// rate limits per client and per phone, moderation of the public text and
// media, and a public view of the case and its feedback trail that never
// shows contact details or internal notes.
package citizen

import (
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/cases"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// Sealer encrypts contact details and computes blind indexes of them;
// *seal.Sealer satisfies it.
type Sealer interface {
	Seal(field, plain string) ([]byte, error)
	Index(kind, value string) []byte
}

// Options are the intake limits; zero fields take the defaults.
type Options struct {
	// PerClientHour is how many reports one client key (IP or API key)
	// may submit in an hour (default 10).
	PerClientHour int
	// PerPhoneDay is how many reports one phone number may submit in a day
	// (default 5).
	PerPhoneDay int
	// Notice is the service_notice answered to every new report.
	Notice string
}

// DefaultOptions returns the default limits.
func DefaultOptions() Options {
	return Options{PerClientHour: 10, PerPhoneDay: 5,
		Notice: "已受理，工作人员将在核实后立案办理。/ Received; staff will verify it before it is taken up."}
}

// Service is the citizen intake, shared by the Open311 API and the portal.
type Service struct {
	db     *db.DB
	audit  *audit.Log
	clock  clock.Clock
	cases  *cases.Service
	sealer Sealer
	opts   Options
	st     store
}

// NewService returns the intake service; zero option fields take the
// defaults of DefaultOptions. It registers with cs the hook that queues
// the reporter's SMS on status changes (see notify.go).
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, cs *cases.Service, sealer Sealer, opts Options) *Service {
	def := DefaultOptions()
	if opts.PerClientHour <= 0 {
		opts.PerClientHour = def.PerClientHour
	}
	if opts.PerPhoneDay <= 0 {
		opts.PerPhoneDay = def.PerPhoneDay
	}
	if opts.Notice == "" {
		opts.Notice = def.Notice
	}
	s := &Service{db: d, audit: log, clock: clk, cases: cs, sealer: sealer, opts: opts, st: store{db: d, cases: cs}}
	if cs != nil {
		cs.OnStatusChange(s.onStatusChange) // reporter SMS (notify.go)
	}
	return s
}

// now is the service time, truncated to what both engines store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// ReportInput is a citizen's report.
type ReportInput struct {
	Channel      string   // portal | wechat | open311 | app
	CategoryCode string   // Open311 service_code
	Description  string   // at most 2000 characters, plain text
	Lat, Lng     *float64 // WGS84
	Address      string   // Open311 address_string (or address_id)
	MediaURL     string   // a link to a photo; stored as text, never fetched
	Name         string   // first and last name, sealed
	Phone        string   // sealed; also the key of the per-phone limit
	Email        string   // sealed
	DeviceID     string   // Open311 device_id: a retry of the same content within 24 h is the same report
	AccountID    string   // Open311 account_id, echoed back
	// IdempotencyKey makes a retry with the same key return the same report.
	IdempotencyKey string
	// ClientKey identifies the client for the rate limit: "ip:…" or "key:…".
	ClientKey string
	// APIKeyID is the API key the report came with (0: none).
	APIKeyID int64
}

// Receipt is the answer to a submitted report.
type Receipt struct {
	CaseID    int64  `json:"-"`
	RequestID string `json:"service_request_id"` // the case number
	Token     string `json:"token"`              // the tracking code
	Notice    string `json:"service_notice"`
	AccountID string `json:"account_id"`
	// Replayed is true when a retry returned an earlier report.
	Replayed bool `json:"-"`
}

// Request is the public view of a citizen's case.
type Request struct {
	CaseID            int64      `json:"-"`
	RequestID         string     `json:"service_request_id"`
	Token             string     `json:"-"`
	Status            string     `json:"status"`          // open | closed
	DetailedStatus    string     `json:"detailed_status"` // the loop status
	StatusNotes       string     `json:"status_notes"`
	ServiceCode       string     `json:"service_code"`
	ServiceName       string     `json:"service_name"`
	Description       string     `json:"description"`
	AgencyResponsible string     `json:"agency_responsible"`
	ServiceNotice     string     `json:"service_notice"`
	Requested         time.Time  `json:"requested_datetime"`
	Updated           time.Time  `json:"updated_datetime"`
	Expected          *time.Time `json:"expected_datetime,omitempty"`
	Address           string     `json:"address"`
	Lat               *float64   `json:"lat,omitempty"`
	Lng               *float64   `json:"long,omitempty"`
	MediaURL          string     `json:"media_url"`
	Channel           string     `json:"channel"`
	Rating            *int       `json:"rating,omitempty"`
}

// Update is one public step of a citizen's case (the feedback trail).
type Update struct {
	ID        int64     `json:"update_id"`
	RequestID string    `json:"service_request_id"`
	Status    string    `json:"status"` // FMS extended status, lower case
	Updated   time.Time `json:"updated_datetime"`
	Text      string    `json:"description"`
	MediaURL  string    `json:"media_url"`
}

// Filter selects public requests (Open311 GET requests).
type Filter struct {
	RequestIDs   []string // case numbers; when set, the other filters are ignored
	ServiceCodes []string
	Start, End   *time.Time
	Status       string // open | closed | ""
	Page         int    // 1-based
	PageSize     int    // default and maximum 1000
}

// Moderation is the whole moderation state of a report's public side:
// each call replaces the previous one.
type Moderation struct {
	// HideText hides the public description altogether (HiddenText shows).
	HideText bool `json:"hide_text"`
	// Redacted replaces the public description; empty shows the original.
	Redacted string `json:"redacted_text"`
	// HideMedia hides the media link.
	HideMedia bool `json:"hide_media"`
	// Note is the moderator's reason, kept in the audit log only.
	Note string `json:"note"`
}

// HiddenText is what the public view shows for a hidden description.
const HiddenText = "（内容已隐藏）[hidden by moderator]"
