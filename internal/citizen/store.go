package citizen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// store holds the SQL of the intake.
type store struct{ db *db.DB }

// reportRow is a stored citizen report as the intake needs it.
type reportRow struct {
	CaseID      int64
	Number      string
	Token       string
	AccountID   string
	ContentHash string
	CreatedAt   time.Time
}

const reportCols = `r.case_id, c.number, r.token, r.account_id, r.content_hash, r.created_at`

func scanReport(sc interface{ Scan(...any) error }) (reportRow, bool, error) {
	var r reportRow
	err := sc.Scan(&r.CaseID, &r.Number, &r.Token, &r.AccountID, &r.ContentHash, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("load citizen report: %w", err)
	}
	return r, true, nil
}

// byIdem finds the report stored under an idempotency key.
func (st store) byIdem(ctx context.Context, key string) (reportRow, bool, error) {
	return scanReport(st.db.QueryRow(ctx, `SELECT `+reportCols+` FROM citizen_reports r
		JOIN cases c ON c.id = r.case_id WHERE r.idem_key = ?`, key))
}

// byDevice finds the latest report of a device with the same content since t.
func (st store) byDevice(ctx context.Context, device, hash string, since time.Time) (reportRow, bool, error) {
	return scanReport(st.db.QueryRow(ctx, `SELECT `+reportCols+` FROM citizen_reports r
		JOIN cases c ON c.id = r.case_id WHERE r.device_id = ? AND r.content_hash = ? AND r.created_at >= ?
		ORDER BY r.case_id DESC LIMIT 1`, device, hash, since))
}

// byToken finds the case of a tracking code.
func (st store) caseOfToken(ctx context.Context, token string) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `SELECT case_id FROM citizen_reports WHERE token = ?`, token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("tracking code %s not found", token)
	}
	return id, err
}

// caseOfNumber finds the citizen case of a public request id (case number).
func (st store) caseOfNumber(ctx context.Context, number string) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `SELECT r.case_id FROM citizen_reports r JOIN cases c ON c.id = r.case_id
		WHERE c.number = ?`, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("request %s not found", number)
	}
	return id, err
}

func (st store) countHits(ctx context.Context, kind, key string, since time.Time) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT COUNT(*) FROM citizen_hits WHERE kind = ? AND key = ? AND at >= ?`,
		kind, key, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count hits: %w", err)
	}
	return n, nil
}

func (st store) addHit(ctx context.Context, kind, key string, at time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO citizen_hits (kind, key, at) VALUES (?, ?, ?)`, kind, key, at)
	return err
}

// pruneHits drops hits older than any limit's window.
func (st store) pruneHits(ctx context.Context, before time.Time) error {
	_, err := st.db.Exec(ctx, `DELETE FROM citizen_hits WHERE at < ?`, before)
	return err
}

// newReport is the row written by Submit.
type newReport struct {
	CaseID                    int64
	Token, Channel, ClientKey string
	APIKeyID                  int64
	IdemKey                   string
	DeviceID, AccountID, Hash string
	Contact, PhoneIdx         []byte
	MediaURL                  string
	CreatedAt                 time.Time
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (st store) insertReport(ctx context.Context, r newReport) error {
	_, err := st.db.Exec(ctx, `INSERT INTO citizen_reports (case_id, token, channel, client_key, api_key_id,
		idem_key, device_id, account_id, content_hash, contact_enc, phone_bidx, media_url, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.CaseID, r.Token, r.Channel, r.ClientKey, nullInt(r.APIKeyID), nullStr(r.IdemKey), r.DeviceID,
		r.AccountID, r.Hash, nullBytes(r.Contact), nullBytes(r.PhoneIdx), r.MediaURL, r.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert citizen report: %w", err)
	}
	return nil
}

// publicNote selects the steps whose notes are public: a handler's
// feedback, the closing verification and a rejection (不予立案) reason.
const publicNote = `(s.action = 'feedback' OR (s.action = 'verify' AND s.to_status = 'closed') OR s.action = 'reject')`

// requestCols reads the public view of a citizen case (aliases r, c, k, u).
const requestCols = `c.id, c.number, r.token, c.status, c.category_code, COALESCE(k.name, ''), c.description,
	r.public_text, r.text_hidden, r.media_hidden, r.media_url, c.created_at, c.updated_at, c.closed_at,
	c.deadline, c.address, c.lat, c.lng, c.channel, r.rating, COALESCE(u.name, ''),
	COALESCE((SELECT ou.name FROM case_assignments a JOIN org_units ou ON ou.code = a.unit_code
		WHERE a.case_id = c.id AND a.lead = ? AND a.status NOT IN ('cancelled', 'returned')
		ORDER BY a.id DESC LIMIT 1), ''),
	COALESCE((SELECT s.note FROM case_steps s WHERE s.case_id = c.id AND ` + publicNote + ` AND s.note <> ''
		ORDER BY s.id DESC LIMIT 1), '')`

const requestFrom = ` FROM citizen_reports r JOIN cases c ON c.id = r.case_id
	LEFT JOIN case_categories k ON k.code = c.category_code
	LEFT JOIN org_units u ON u.code = c.current_unit_code`

func scanRequest(sc interface{ Scan(...any) error }) (Request, error) {
	var q Request
	var public sql.NullString
	var textHidden, mediaHidden bool
	var closed, deadline sql.NullTime
	var lat, lng sql.NullFloat64
	var rating sql.NullInt64
	var status, current, lead string
	err := sc.Scan(&q.CaseID, &q.RequestID, &q.Token, &status, &q.ServiceCode, &q.ServiceName, &q.Description,
		&public, &textHidden, &mediaHidden, &q.MediaURL, &q.Requested, &q.Updated, &closed, &deadline,
		&q.Address, &lat, &lng, &q.Channel, &rating, &current, &lead, &q.StatusNotes)
	if err != nil {
		return q, err
	}
	q.DetailedStatus = status
	q.Status = "open"
	if status == "closed" || status == "rejected" || status == "merged" {
		q.Status = "closed"
	}
	if public.Valid {
		q.Description = public.String
	}
	if textHidden {
		q.Description = HiddenText
	}
	if mediaHidden {
		q.MediaURL = ""
	}
	q.Requested, q.Updated = q.Requested.UTC(), q.Updated.UTC()
	if closed.Valid {
		t := closed.Time.UTC()
		q.Updated = t
	}
	if deadline.Valid && q.Status == "open" {
		t := deadline.Time.UTC()
		q.Expected = &t
	}
	if lat.Valid && lng.Valid {
		q.Lat, q.Lng = &lat.Float64, &lng.Float64
	}
	if rating.Valid {
		n := int(rating.Int64)
		q.Rating = &n
	}
	q.AgencyResponsible = current
	if lead != "" {
		q.AgencyResponsible = lead
	}
	return q, nil
}

// request loads the public view of one citizen case.
func (st store) request(ctx context.Context, caseID int64) (Request, error) {
	q, err := scanRequest(st.db.QueryRow(ctx, `SELECT `+requestCols+requestFrom+` WHERE c.id = ?`, true, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return q, apperr.NotFoundf("request not found")
	}
	if err != nil {
		return q, fmt.Errorf("load request: %w", err)
	}
	return q, nil
}

// requests lists public views matching f, newest first.
func (st store) requests(ctx context.Context, f Filter, limit, offset int) ([]Request, error) {
	var conds []string
	args := []any{true}
	in := func(col string, vals []string) {
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if len(f.RequestIDs) > 0 {
		in("c.number", f.RequestIDs)
	} else {
		if len(f.ServiceCodes) > 0 {
			in("c.category_code", f.ServiceCodes)
		}
		if f.Start != nil {
			conds, args = append(conds, "c.created_at >= ?"), append(args, *f.Start)
		}
		if f.End != nil {
			conds, args = append(conds, "c.created_at <= ?"), append(args, *f.End)
		}
		switch f.Status {
		case "open":
			conds = append(conds, "c.status NOT IN ('closed', 'rejected', 'merged')")
		case "closed":
			conds = append(conds, "c.status IN ('closed', 'rejected', 'merged')")
		}
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, limit, offset)
	rows, err := st.db.Query(ctx, `SELECT `+requestCols+requestFrom+where+
		` ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	out := []Request{}
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// publicSteps are the actions that appear in the public trail.
const publicSteps = `('create', 'assign', 'sign', 'feedback', 'verify', 'reject', 'merge', 'suspend', 'resume')`

// stepRow is a step of a citizen case as the public trail needs it.
type stepRow struct {
	ID       int64
	Number   string
	Action   string
	To       string
	Note     string
	At       time.Time
	MediaURL string
}

// steps lists the public-trail steps of citizen cases, oldest first:
// of one case (caseID > 0) or between start and end.
func (st store) steps(ctx context.Context, caseID int64, start, end time.Time, limit int) ([]stepRow, error) {
	q := `SELECT s.id, c.number, s.action, s.to_status, s.note, s.created_at FROM case_steps s
		JOIN citizen_reports r ON r.case_id = s.case_id JOIN cases c ON c.id = s.case_id
		WHERE s.action IN ` + publicSteps
	var args []any
	if caseID > 0 {
		q, args = q+` AND s.case_id = ?`, append(args, caseID)
	} else {
		q, args = q+` AND s.created_at >= ? AND s.created_at <= ?`, append(args, start, end)
	}
	q, args = q+` ORDER BY s.id LIMIT ?`, append(args, limit)
	rows, err := st.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list steps: %w", err)
	}
	defer rows.Close()
	var out []stepRow
	for rows.Next() {
		var r stepRow
		if err := rows.Scan(&r.ID, &r.Number, &r.Action, &r.To, &r.Note, &r.At); err != nil {
			return nil, fmt.Errorf("list steps: %w", err)
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// unitPathOf returns the territory path of a case (for moderation scope).
func (st store) unitPathOf(ctx context.Context, caseID int64) (string, error) {
	var p string
	err := st.db.QueryRow(ctx, `SELECT c.unit_path FROM citizen_reports r JOIN cases c ON c.id = r.case_id
		WHERE r.case_id = ?`, caseID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("citizen report %d not found", caseID)
	}
	return p, err
}

func (st store) moderate(ctx context.Context, caseID int64, m Moderation, by string, at time.Time) error {
	text := nullStr(m.Redacted)
	_, err := st.db.Exec(ctx, `UPDATE citizen_reports SET public_text = ?, text_hidden = ?, media_hidden = ?,
		moderated_by = ?, moderated_at = ? WHERE case_id = ?`, text, m.HideText, m.HideMedia, by, at, caseID)
	if err != nil {
		return fmt.Errorf("moderate: %w", err)
	}
	return nil
}

func (st store) rate(ctx context.Context, caseID int64, score int, note string, at time.Time) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE citizen_reports SET rating = ?, rating_note = ?, rated_at = ?
		WHERE case_id = ? AND rating IS NULL`, score, note, at, caseID)
	if err != nil {
		return false, fmt.Errorf("rate: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
