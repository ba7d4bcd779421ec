package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// The kinds of security alert (PRIV-11, SEC-INTR-5).
const (
	AlertLookups     = "identifier_lookups" // too many exact ID-card/phone searches
	AlertPersonViews = "person_views"       // too many distinct people looked up
)

// The audit actions on security alerts.
const (
	ActAlertRaise = "security.alert"
	ActAlertAck   = "security.alert_ack"
)

// SecurityAlert is an anomalous-access alert raised against a user.
type SecurityAlert struct {
	ID             int64          `json:"id"`
	Kind           string         `json:"kind"`
	UserID         *int64         `json:"user_id,omitempty"`
	Username       string         `json:"username"`
	UnitCode       string         `json:"unit_code"`
	Detail         map[string]any `json:"detail"`
	RaisedAt       time.Time      `json:"raised_at"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at,omitempty"`
	AcknowledgedBy *int64         `json:"acknowledged_by,omitempty"`
	AckNote        string         `json:"ack_note,omitempty"`
}

// Open reports whether the alert awaits acknowledgement.
func (a SecurityAlert) Open() bool { return a.AcknowledgedAt == nil }

// raiseAlert raises an alert of kind against user a, in its own
// transaction so that it stays when the refused call fails: at most one
// open alert per user and kind an hour. The alert is audited.
func (s *Service) raiseAlert(ctx context.Context, a *actor.Actor, kind string, detail map[string]any) error {
	path, err := s.unitPathOf(ctx, a.UnitCode)
	if err != nil {
		return err
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		var n int
		if err := s.db.QueryRow(ctx, `SELECT count(*) FROM security_alerts WHERE user_id = ? AND kind = ?
			AND acknowledged_at IS NULL AND raised_at > ?`, a.UserID, kind, now.Add(-time.Hour)).Scan(&n); err != nil {
			return fmt.Errorf("security alerts: %w", err)
		}
		if n > 0 {
			return nil
		}
		var id int64
		if err := s.db.QueryRow(ctx, `INSERT INTO security_alerts (kind, user_id, username, unit_code, unit_path, detail, raised_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, kind, a.UserID, a.Username, a.UnitCode, path, string(b), now).Scan(&id); err != nil {
			return fmt.Errorf("raise alert: %w", err)
		}
		d := map[string]any{"kind": kind, "user": a.Username}
		for k, v := range detail {
			d[k] = v
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActAlertRaise, ObjectType: "security_alert", ObjectID: fmt.Sprint(id), Detail: d})
	})
}

const alertCols = `id, kind, user_id, username, unit_code, unit_path, detail, raised_at, acknowledged_at, acknowledged_by, ack_note`

func scanAlert(sc interface{ Scan(...any) error }) (SecurityAlert, string, error) {
	var al SecurityAlert
	var uid, by sql.NullInt64
	var ackAt sql.NullTime
	var path, detail string
	if err := sc.Scan(&al.ID, &al.Kind, &uid, &al.Username, &al.UnitCode, &path, &detail, &al.RaisedAt, &ackAt, &by, &al.AckNote); err != nil {
		return al, "", err
	}
	al.UserID, al.AcknowledgedBy, al.RaisedAt = int64Ptr(uid), int64Ptr(by), al.RaisedAt.UTC()
	if ackAt.Valid {
		t := ackAt.Time.UTC()
		al.AcknowledgedAt = &t
	}
	al.Detail = map[string]any{}
	_ = json.Unmarshal([]byte(detail), &al.Detail) // written by raiseAlert
	return al, path, nil
}

// SecurityAlerts lists the alerts over units in the actor's audit.read
// scope, newest first; openOnly keeps those not yet acknowledged.
func (s *Service) SecurityAlerts(ctx context.Context, openOnly bool, limit int) ([]SecurityAlert, error) {
	if err := rbac.RequireAny(ctx, rbac.AuditRead); err != nil {
		return nil, err
	}
	scope, args := rbac.ScopeOf(actor.From(ctx), rbac.AuditRead).SQL("unit_path")
	q := `SELECT ` + alertCols + ` FROM security_alerts WHERE ` + scope
	if openOnly {
		q += ` AND acknowledged_at IS NULL`
	}
	limit, err := db.Paging{Default: 100, Max: 500}.Limit(limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("security alerts: %w", err)
	}
	defer rows.Close()
	out := []SecurityAlert{}
	for rows.Next() {
		al, _, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("security alerts: %w", err)
		}
		out = append(out, al)
	}
	return out, rows.Err()
}

// AckSecurityAlert acknowledges an open alert with a note (required, at
// most 300 characters), audited. The alert must be in the actor's
// audit.read scope (404 otherwise); one already acknowledged is a conflict.
func (s *Service) AckSecurityAlert(ctx context.Context, id int64, note string) (SecurityAlert, error) {
	if err := rbac.RequireAny(ctx, rbac.AuditRead); err != nil {
		return SecurityAlert{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > maxText {
		return SecurityAlert{}, apperr.Field("note", apperr.RequiredMaxChars, "n", 300)
	}
	a := actor.From(ctx)
	var by any
	if a.UserID != 0 {
		by = a.UserID
	}
	var out SecurityAlert
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		al, path, err := scanAlert(s.db.QueryRow(ctx, `SELECT `+alertCols+` FROM security_alerts WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) || err == nil && !rbac.Can(a, rbac.AuditRead, path) {
			return apperr.NotFoundf("alert %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("security alert: %w", err)
		}
		if !al.Open() {
			return apperr.Newf(apperr.Conflict, "alert %d is already acknowledged", id)
		}
		now := s.now()
		if _, err := s.db.Exec(ctx, `UPDATE security_alerts SET acknowledged_at = ?, acknowledged_by = ?, ack_note = ?
			WHERE id = ? AND acknowledged_at IS NULL`, now, by, note, id); err != nil {
			return fmt.Errorf("acknowledge alert: %w", err)
		}
		al.AcknowledgedAt, al.AckNote = &now, note
		if by != nil {
			uid := a.UserID
			al.AcknowledgedBy = &uid
		}
		out = al
		return s.audit.Record(ctx, audit.Entry{Action: ActAlertAck, ObjectType: "security_alert", ObjectID: fmt.Sprint(id),
			Detail: map[string]any{"note": note, "kind": al.Kind, "user": al.Username}})
	})
	return out, err
}

// AccessFilter selects person_access rows: by the user who was shown the
// people (Username, exact) and a time window [From, To).
type AccessFilter struct {
	Username string
	From, To time.Time
	Limit    int
}

// AccessRecord is one disclosure of a person, with the person's name and
// masked ID only.
type AccessRecord struct {
	At         time.Time `json:"at"`
	Username   string    `json:"username"`
	UnitCode   string    `json:"unit_code"`
	Action     string    `json:"action"`
	Ref        string    `json:"ref,omitempty"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"person_name"`
	IDMask     string    `json:"id_number"`
}

// maxAccessRows bounds one AccessLog answer.
const maxAccessRows = 5000

// AccessLog lists the people disclosed to a user or in a time window
// (PRIV-11: the people affected), for holders of audit.read, limited to
// the people in their scope, newest first. A username or a window is
// required.
func (s *Service) AccessLog(ctx context.Context, f AccessFilter) ([]AccessRecord, error) {
	if err := rbac.RequireAny(ctx, rbac.AuditRead); err != nil {
		return nil, err
	}
	f.Username = strings.TrimSpace(f.Username)
	if f.Username == "" && f.From.IsZero() && f.To.IsZero() {
		return nil, apperr.Field("user", apperr.UserOrWindow)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, apperr.Field("to", apperr.After, "other", "from")
	}
	scope, args := rbac.ScopeOf(actor.From(ctx), rbac.AuditRead).SQL("p.unit_path")
	where := []string{scope}
	if f.Username != "" {
		where, args = append(where, "a.username = ?"), append(args, f.Username)
	}
	if !f.From.IsZero() {
		where, args = append(where, "a.at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.at < ?"), append(args, f.To.UTC())
	}
	var err error
	if f.Limit, err = (db.Paging{Default: 1000, Max: maxAccessRows}).Limit(f.Limit); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT a.at, a.username, a.unit_code, a.action, a.ref, p.id, p.name, COALESCE(p.id_mask, '')
		FROM person_access a JOIN people p ON p.id = a.person_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.at DESC, a.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	defer rows.Close()
	out := []AccessRecord{}
	for rows.Next() {
		var r AccessRecord
		if err := rows.Scan(&r.At, &r.Username, &r.UnitCode, &r.Action, &r.Ref, &r.PersonID, &r.PersonName, &r.IDMask); err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
