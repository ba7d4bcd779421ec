package citizen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"gridgov/internal/cases"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// store holds the SQL of the intake. What it needs of a case (number,
// status, public notes, trail) the cases module answers.
type store struct {
	db    *db.DB
	cases *cases.Service
}

// hasReport names the cases the intake answers for: those with a citizen
// report (the cases module's public readers take it as their Among).
func hasReport(idCol string) (string, []any) {
	return "EXISTS (SELECT 1 FROM citizen_reports r WHERE r.case_id = " + idCol + ")", nil
}

// reportRow is a stored citizen report as the intake needs it.
type reportRow struct {
	CaseID      int64
	Number      string
	Token       string
	AccountID   string
	ContentHash string
	CreatedAt   time.Time
}

const reportCols = `r.case_id, r.token, r.account_id, r.content_hash, r.created_at`

// report reads one report row and its case's number.
func (st store) report(ctx context.Context, row *sql.Row) (reportRow, bool, error) {
	var r reportRow
	err := row.Scan(&r.CaseID, &r.Token, &r.AccountID, &r.ContentHash, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("load citizen report: %w", err)
	}
	refs, err := st.cases.CaseRefs(ctx, []int64{r.CaseID})
	if err != nil {
		return r, false, fmt.Errorf("load citizen report: %w", err)
	}
	ref, ok := refs[r.CaseID]
	r.Number = ref.Number
	return r, ok, nil
}

// byIdem finds the report stored under an idempotency key.
func (st store) byIdem(ctx context.Context, key string) (reportRow, bool, error) {
	return st.report(ctx, st.db.QueryRow(ctx, `SELECT `+reportCols+` FROM citizen_reports r WHERE r.idem_key = ?`, key))
}

// byDevice finds the latest report of a device with the same content since t.
func (st store) byDevice(ctx context.Context, device, hash string, since time.Time) (reportRow, bool, error) {
	return st.report(ctx, st.db.QueryRow(ctx, `SELECT `+reportCols+` FROM citizen_reports r
		WHERE r.device_id = ? AND r.content_hash = ? AND r.created_at >= ?
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
	id, ok, err := st.cases.CaseIDByNumber(ctx, hasReport, number)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, apperr.NotFoundf("request %s not found", number)
	}
	return id, nil
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

// publicReport is the intake's side of a citizen case's public view.
type publicReport struct {
	token, mediaURL         string
	publicText              sql.NullString
	textHidden, mediaHidden bool
	rating                  sql.NullInt64
}

// publicReports reads the report side of the public view of cases ids.
func (st store) publicReports(ctx context.Context, ids []int64) (map[int64]publicReport, error) {
	out := make(map[int64]publicReport, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := st.db.Query(ctx, `SELECT case_id, token, public_text, text_hidden, media_hidden, media_url, rating
		FROM citizen_reports WHERE case_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r publicReport
		if err := rows.Scan(&id, &r.token, &r.publicText, &r.textHidden, &r.mediaHidden, &r.mediaURL, &r.rating); err != nil {
			return nil, fmt.Errorf("load reports: %w", err)
		}
		out[id] = r
	}
	return out, rows.Err()
}

// requestOf is the public view of a citizen case from its two halves.
func requestOf(c cases.PublicCase, r publicReport) Request {
	q := Request{CaseID: c.ID, RequestID: c.Number, Token: r.token, ServiceCode: c.CategoryCode, ServiceName: c.CategoryName,
		Description: c.Descr, MediaURL: r.mediaURL, Requested: c.CreatedAt.UTC(), Updated: c.UpdatedAt.UTC(),
		Address: c.Address, Lat: c.Lat, Lng: c.Lng, Channel: c.Channel, StatusNotes: c.PublicNote}
	q.DetailedStatus = c.Status
	q.Status = "open"
	if c.Status == "closed" || c.Status == "rejected" || c.Status == "merged" {
		q.Status = "closed"
	}
	if r.publicText.Valid {
		q.Description = r.publicText.String
	}
	if r.textHidden {
		q.Description = HiddenText
	}
	if r.mediaHidden {
		q.MediaURL = ""
	}
	if c.ClosedAt != nil {
		q.Updated = c.ClosedAt.UTC()
	}
	if c.Deadline != nil && q.Status == "open" {
		t := c.Deadline.UTC()
		q.Expected = &t
	}
	if r.rating.Valid {
		n := int(r.rating.Int64)
		q.Rating = &n
	}
	q.AgencyResponsible = c.CurrentUnit
	if c.LeadUnit != "" {
		q.AgencyResponsible = c.LeadUnit
	}
	return q
}

// publicRequests joins the cases module's public view of cases with their reports.
func (st store) publicRequests(ctx context.Context, f cases.PublicFilter) ([]Request, error) {
	f.Among = hasReport
	cs, err := st.cases.PublicCases(ctx, f)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	reports, err := st.publicReports(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(cs))
	for _, c := range cs {
		out = append(out, requestOf(c, reports[c.ID]))
	}
	return out, nil
}

// request loads the public view of one citizen case.
func (st store) request(ctx context.Context, caseID int64) (Request, error) {
	qs, err := st.publicRequests(ctx, cases.PublicFilter{ID: caseID, Limit: 1})
	if err != nil {
		return Request{}, fmt.Errorf("load request: %w", err)
	}
	if len(qs) == 0 {
		return Request{}, apperr.NotFoundf("request not found")
	}
	return qs[0], nil
}

// requests lists public views matching f, newest first.
func (st store) requests(ctx context.Context, f Filter, limit, offset int) ([]Request, error) {
	pf := cases.PublicFilter{Limit: limit, Offset: offset}
	if len(f.RequestIDs) > 0 {
		pf.Numbers = f.RequestIDs
	} else {
		pf.Categories, pf.Start, pf.End = f.ServiceCodes, f.Start, f.End
		if f.Status == "open" || f.Status == "closed" {
			pf.Status = f.Status
		}
	}
	out, err := st.publicRequests(ctx, pf)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return out, nil
}

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
	steps, err := st.cases.PublicSteps(ctx, hasReport, caseID, start, end, limit)
	if err != nil {
		return nil, fmt.Errorf("list steps: %w", err)
	}
	out := make([]stepRow, len(steps))
	for i, r := range steps {
		out[i] = stepRow{ID: r.ID, Number: r.Number, Action: r.Action, To: r.To, Note: r.Note, At: r.At}
	}
	return out, nil
}

// unitPathOf returns the territory path of a case (for moderation scope).
func (st store) unitPathOf(ctx context.Context, caseID int64) (string, error) {
	var n int
	if err := st.db.QueryRow(ctx, `SELECT count(*) FROM citizen_reports WHERE case_id = ?`, caseID).Scan(&n); err != nil {
		return "", fmt.Errorf("citizen report: %w", err)
	}
	refs, err := st.cases.CaseRefs(ctx, []int64{caseID})
	if err != nil {
		return "", err
	}
	ref, ok := refs[caseID]
	if n == 0 || !ok {
		return "", apperr.NotFoundf("citizen report %d not found", caseID)
	}
	return ref.UnitPath, nil
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
