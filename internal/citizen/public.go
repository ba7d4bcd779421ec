package citizen

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// The public view shows only citizen reports (cases with a row in
// citizen_reports); cases filed by staff stay internal and answer not
// found. Nothing here needs a login: the answers never hold contact
// details, internal notes, handlers' names or attachment ids.

// ByToken returns the public view of the report with a tracking code.
func (s *Service) ByToken(ctx context.Context, token string) (Request, error) {
	id, err := s.st.caseOfToken(ctx, NormalizeToken(token))
	if err != nil {
		return Request{}, err
	}
	return s.ByCaseID(ctx, id)
}

// ByCaseID returns the public view of a citizen report by case id.
func (s *Service) ByCaseID(ctx context.Context, caseID int64) (Request, error) {
	q, err := s.st.request(ctx, caseID)
	if err != nil {
		return Request{}, err
	}
	q.ServiceNotice = s.opts.Notice
	return q, nil
}

// ByRequestID returns the public view of a citizen report by its public
// id (the case number), whatever its internal state.
func (s *Service) ByRequestID(ctx context.Context, requestID string) (Request, error) {
	id, err := s.st.caseOfNumber(ctx, strings.TrimSpace(requestID))
	if err != nil {
		return Request{}, err
	}
	return s.ByCaseID(ctx, id)
}

// RequestIDOfToken returns the public id (case number) of a tracking code.
func (s *Service) RequestIDOfToken(ctx context.Context, token string) (string, error) {
	q, err := s.ByToken(ctx, token)
	return q.RequestID, err
}

// MaxPage is the largest page of List and Updates (the Open311 default).
const MaxPage = 1000

// DefaultSpan is the window of List and Updates without dates (the last
// 90 days, per Open311), and the widest window allowed.
const DefaultSpan = 90 * 24 * time.Hour

// List returns the public views matching f, newest first. Without request
// ids and dates it covers the last 90 days; a window wider than 90 days
// is refused; pages hold at most 1000.
func (s *Service) List(ctx context.Context, f Filter) ([]Request, error) {
	size, err := db.Paging{Default: MaxPage, Max: MaxPage}.Limit(f.PageSize)
	if err != nil {
		return nil, err
	}
	pg := f.Page
	if pg <= 0 {
		pg = 1
	}
	if f.Status != "" && f.Status != "open" && f.Status != "closed" {
		return nil, apperr.Field("status", apperr.OneOf, "values", "open, closed")
	}
	if len(f.RequestIDs) == 0 {
		start, end, err := s.window(f.Start, f.End)
		if err != nil {
			return nil, err
		}
		f.Start, f.End = &start, &end
	}
	out, err := s.st.requests(ctx, f, size, (pg-1)*size)
	for i := range out {
		out[i].ServiceNotice = s.opts.Notice
	}
	return out, err
}

// window resolves optional start and end dates to at most DefaultSpan.
func (s *Service) window(start, end *time.Time) (time.Time, time.Time, error) {
	var a, b time.Time
	switch {
	case start == nil && end == nil:
		b = s.now()
		a = b.Add(-DefaultSpan)
	case start == nil:
		b = *end
		a = b.Add(-DefaultSpan)
	case end == nil:
		a = *start
		b = a.Add(DefaultSpan)
	default:
		a, b = *start, *end
	}
	if b.Before(a) {
		return a, b, apperr.Field("end_date", apperr.NotBefore, "other", "start_date")
	}
	if b.Sub(a) > DefaultSpan {
		return a, b, apperr.Field("end_date", apperr.WindowDays, "n", 90)
	}
	return a.UTC(), b.UTC(), nil
}

// Updates returns the public trail steps of all citizen reports between
// start and end (the FMS servicerequestupdates extension), oldest first,
// at most 1000.
func (s *Service) Updates(ctx context.Context, start, end *time.Time) ([]Update, error) {
	if start == nil && end == nil {
		b := s.now()
		a := b.Add(-24 * time.Hour)
		start, end = &a, &b
	}
	a, b, err := s.window(start, end)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.steps(ctx, 0, a, b, MaxPage)
	if err != nil {
		return nil, err
	}
	return toUpdates(rows), nil
}

// Trail returns the public trail of one citizen report, oldest first.
func (s *Service) Trail(ctx context.Context, caseID int64) ([]Update, error) {
	rows, err := s.st.steps(ctx, caseID, time.Time{}, time.Time{}, MaxPage)
	if err != nil {
		return nil, err
	}
	return toUpdates(rows), nil
}

// Public trail texts for steps whose notes stay internal.
const (
	txtReceived  = "已收到，等待核实 / Received, awaiting verification"
	txtAssigned  = "已交办处置单位 / Assigned to the responsible unit"
	txtSigned    = "处置单位已签收，正在办理 / Accepted by the responsible unit, in progress"
	txtReopened  = "核查未通过，重新办理 / Not yet resolved; work continues"
	txtMerged    = "与其他同类问题合并办理 / Merged with a report of the same problem"
	txtSuspended = "暂缓办理 / On hold"
	txtResumed   = "恢复办理 / Work resumed"
	txtFixed     = "已办结 / Resolved"
	txtRejected  = "不予立案 / Not taken up"
	txtFeedback  = "处置单位已反馈 / The responsible unit reported back"
)

// toUpdates maps steps to public updates. Which notes are public:
// a handler's feedback (反馈), the closing verification (核查通过) and a
// rejection (不予立案) show their note; assignment, signing, rework,
// merge, suspension and resumption show a fixed text; every other step
// (escalation, return, extensions, supervision) is left out. The status
// is the FMS extended status in lower case.
func toUpdates(rows []stepRow) []Update {
	out := make([]Update, 0, len(rows))
	for _, r := range rows {
		u := Update{ID: r.ID, RequestID: r.Number, Updated: r.At}
		note := func(def string) string {
			if strings.TrimSpace(r.Note) != "" {
				return r.Note
			}
			return def
		}
		switch r.Action {
		case "create":
			u.Status, u.Text = "open", txtReceived
		case "assign":
			u.Status, u.Text = "action_scheduled", txtAssigned
		case "sign":
			u.Status, u.Text = "in_progress", txtSigned
		case "feedback":
			u.Status, u.Text = "in_progress", note(txtFeedback)
		case "verify":
			if r.To == "closed" {
				u.Status, u.Text = "fixed", note(txtFixed)
			} else {
				u.Status, u.Text = "open", txtReopened
			}
		case "reject":
			u.Status, u.Text = "no_further_action", note(txtRejected)
		case "merge":
			u.Status, u.Text = "duplicate", txtMerged
		case "suspend":
			u.Status, u.Text = "investigating", txtSuspended
		case "resume":
			u.Status, u.Text = "in_progress", txtResumed
		default:
			continue
		}
		out = append(out, u)
	}
	return out
}

// Moderate sets the moderation state of a report's public side (hide or
// redact the description, hide the media link); it needs case.moderate
// over the case's territory and is audited with the moderator's note.
func (s *Service) Moderate(ctx context.Context, caseID int64, m Moderation) (Request, error) {
	path, err := s.st.unitPathOf(ctx, caseID)
	if err != nil {
		return Request{}, err
	}
	if err := rbac.Require(ctx, rbac.CaseModerate, path); err != nil {
		return Request{}, err
	}
	m.Redacted, m.Note = strings.TrimSpace(m.Redacted), strings.TrimSpace(m.Note)
	if len([]rune(m.Redacted)) > 2000 {
		return Request{}, apperr.Field("redacted_text", apperr.MaxChars, "n", 2000)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		a := actor.From(ctx)
		if err := s.st.moderate(ctx, caseID, m, a.Username, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "citizen.moderate", ObjectType: "case",
			ObjectID: strconv.FormatInt(caseID, 10), Detail: map[string]any{"hide_text": m.HideText,
				"redacted": m.Redacted != "", "hide_media": m.HideMedia, "note": m.Note}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.ByCaseID(ctx, caseID)
}

// Rate records the citizen's satisfaction (1–5) with a closed report,
// once, by its tracking code (the portal's 评价).
func (s *Service) Rate(ctx context.Context, token string, score int, note string) (Request, error) {
	q, err := s.ByToken(ctx, token)
	if err != nil {
		return Request{}, err
	}
	if score < 1 || score > 5 {
		return Request{}, apperr.Field("score", apperr.IntRange, "min", 1, "max", 5)
	}
	if note = strings.TrimSpace(note); len([]rune(note)) > 500 {
		return Request{}, apperr.Field("note", apperr.MaxChars, "n", 500)
	}
	if q.Status != "closed" {
		return Request{}, apperr.New(apperr.Conflict, "a report can be rated once it is closed")
	}
	sys := actor.With(ctx, actor.SystemActor("citizen-rating"))
	err = s.db.WithTx(sys, func(ctx context.Context) error {
		ok, err := s.st.rate(ctx, q.CaseID, score, note, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "this report was rated already")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "citizen.rate", ObjectType: "case",
			ObjectID: strconv.FormatInt(q.CaseID, 10), Detail: map[string]any{"score": score}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.ByCaseID(ctx, q.CaseID)
}

// Services lists the categories a citizen may report under (the Open311
// services): every active category of the catalogue, read as the platform.
func (s *Service) Services(ctx context.Context) ([]cases.Category, error) {
	return s.cases.Categories(actor.With(ctx, actor.SystemActor("citizen")), cases.CategoryFilter{})
}

// ServiceByCode returns one active category; unknown or inactive ones are
// not found.
func (s *Service) ServiceByCode(ctx context.Context, code string) (cases.Category, error) {
	c, err := s.cases.Category(actor.With(ctx, actor.SystemActor("citizen")), strings.TrimSpace(code))
	if err == nil && !c.Active {
		err = apperr.NotFoundf("service %s not found", code)
	}
	return c, err
}
