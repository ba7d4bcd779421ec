package transfer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"gridgov/internal/registry"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// PermExportApprove lets a user approve or reject the export requests of
// users whose unit lies in its scope (see rbac).
const PermExportApprove rbac.Permission = rbac.RegistryExportApprove

// Export approval (PRIV-4, PRIV-10).
const (
	// DefaultApprovalThreshold is the largest export that needs no approval.
	DefaultApprovalThreshold = 1000
	// ExportApprovalTTL is how long an approval may be downloaded.
	ExportApprovalTTL = 24 * time.Hour
	// ExportPendingTTL is how long a request waits for a decision; after
	// it the request is expired and must be made again.
	ExportPendingTTL = 7 * 24 * time.Hour
	// ExportGrowthPercent is how far the rows at download may exceed the
	// approved count before the download is refused.
	ExportGrowthPercent = 10
)

// The states of an export request.
const (
	ExportPending    = "pending"
	ExportApproved   = "approved"
	ExportRejected   = "rejected"
	ExportDownloaded = "downloaded"
	ExportExpired    = "expired"
)

// ExportFilter is the stored filter of an export request: the people
// filter without identifiers (an ID number or phone is never stored in
// clear, and selects too few people to need approval anyway).
type ExportFilter struct {
	Name         string `json:"name,omitempty"`
	Address      string `json:"address,omitempty"`
	GridCode     string `json:"grid_code,omitempty"`
	UnitCode     string `json:"unit_code,omitempty"`
	GroupKind    string `json:"group_kind,omitempty"`
	PersonType   string `json:"person_type,omitempty"`
	AwaitingGrid bool   `json:"awaiting_grid,omitempty"`
	KeyGroupOnly bool   `json:"key_group_only,omitempty"`
}

// People is the filter as a people filter.
func (f ExportFilter) People() registry.PeopleFilter {
	return registry.PeopleFilter{Name: f.Name, Address: f.Address, GridCode: f.GridCode, UnitCode: f.UnitCode,
		GroupKind: f.GroupKind, PersonType: f.PersonType, AwaitingGrid: f.AwaitingGrid, KeyGroupOnly: f.KeyGroupOnly}
}

// ExportRequest is an export above the approval threshold, waiting for or
// carrying a second person's decision. Status reads "expired" once an
// approval has passed ExpiresAt undownloaded. CanApprove and CanDownload
// are what the reading actor may do with it now.
type ExportRequest struct {
	ID                int64        `json:"id"`
	RequestedBy       int64        `json:"requested_by"`
	RequestedUsername string       `json:"requested_username"`
	UnitCode          string       `json:"unit_code"`
	Filter            ExportFilter `json:"filter"`
	Format            string       `json:"format"`
	Rows              int          `json:"rows"`
	Reason            string       `json:"reason"`
	Status            string       `json:"status"`
	DecidedBy         *int64       `json:"decided_by,omitempty"`
	DecidedUsername   string       `json:"decided_username,omitempty"`
	DecidedAt         *time.Time   `json:"decided_at,omitempty"`
	DecisionNote      string       `json:"decision_note,omitempty"`
	ExpiresAt         *time.Time   `json:"expires_at,omitempty"`
	DownloadedAt      *time.Time   `json:"downloaded_at,omitempty"`
	CreatedAt         time.Time    `json:"created_at"`
	CanApprove        bool         `json:"can_approve"`
	CanDownload       bool         `json:"can_download"`

	unitPath string
}

// ExportListFilter selects export requests: by status ("" for all), and
// Mine / ToApprove to keep only the actor's own requests or those the
// actor may decide.
type ExportListFilter struct {
	Status    string
	Mine      bool
	ToApprove bool
	Limit     int
	Offset    int
}

// checkReason validates an export reason (4–200 characters).
func checkReason(r string) (string, error) {
	r = strings.TrimSpace(r)
	if n := utf8.RuneCountInString(r); n < 4 || n > 200 {
		return "", apperr.Field("reason", apperr.ExportApproval)
	}
	return r, nil
}

// requestExport records an export request of total people for the actor
// (not the system), audited as registry.export_request.
func (s *Service) requestExport(ctx context.Context, in ExportInput, total int) (*ExportRequest, error) {
	reason, err := checkReason(in.Reason)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Filter.IDNumber) != "" || strings.TrimSpace(in.Filter.Phone) != "" {
		return nil, apperr.Field("filter", apperr.ExportApprovalFilter)
	}
	a := actor.From(ctx)
	path, err := s.requesterPath(ctx, a)
	if err != nil {
		return nil, err
	}
	f := in.Filter
	ef := ExportFilter{Name: strings.TrimSpace(f.Name), Address: strings.TrimSpace(f.Address),
		GridCode: strings.TrimSpace(f.GridCode), UnitCode: strings.TrimSpace(f.UnitCode),
		GroupKind: strings.TrimSpace(f.GroupKind), PersonType: strings.TrimSpace(f.PersonType),
		AwaitingGrid: f.AwaitingGrid, KeyGroupOnly: f.KeyGroupOnly}
	fj, err := json.Marshal(ef)
	if err != nil {
		return nil, apperr.Wrap(err, "export filter")
	}
	now := s.now()
	pendingUntil := now.Add(ExportPendingTTL)
	req := &ExportRequest{RequestedBy: a.UserID, RequestedUsername: a.Username, UnitCode: a.UnitCode, Filter: ef,
		Format: in.Format, Rows: total, Reason: reason, Status: ExportPending, ExpiresAt: &pendingUntil, CreatedAt: now,
		unitPath: path}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		err := s.db.QueryRow(ctx, `INSERT INTO registry_exports (requested_by, requested_username, unit_code, unit_path,
			filter, format, row_count, reason, status, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
			a.UserID, a.Username, a.UnitCode, path, string(fj), in.Format, total, reason, ExportPending,
			now.Add(ExportPendingTTL), now).Scan(&req.ID)
		if err != nil {
			return apperr.Wrap(err, "export request")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "registry.export_request", ObjectType: "registry_export",
			ObjectID: fmt.Sprint(req.ID), Result: audit.Success,
			Detail: map[string]any{"rows": total, "format": in.Format, "filter": ef, "reason": reason}})
	})
	if err != nil {
		return nil, err
	}
	req.CanDownload = false
	return req, nil
}

// requesterPath is the org path over which an approver of a's requests
// needs registry.export_approve: a's unit, or else the first subtree of a's
// export scope.
func (s *Service) requesterPath(ctx context.Context, a *actor.Actor) (string, error) {
	if a.UnitCode != "" {
		path, ok, err := s.units.UnitPath(ctx, a.UnitCode)
		if err != nil {
			return "", apperr.Wrap(err, "requester unit")
		}
		if ok {
			return path, nil
		}
	}
	if sc := rbac.ScopeOf(a, PermExport); len(sc.Paths) > 0 {
		return sc.Paths[0], nil
	}
	return "", apperr.New(apperr.Forbidden, "the requester belongs to no unit: no one could approve this export")
}

// ApproveExport approves a pending export request: the approver holds
// registry.export_approve over the requester's unit (not_found otherwise)
// and is never the requester (forbidden). The approval may be downloaded
// once by the requester within ExportApprovalTTL. Audited as
// registry.export_approve.
func (s *Service) ApproveExport(ctx context.Context, id int64, note string) (ExportRequest, error) {
	return s.decideExport(ctx, id, ExportApproved, note)
}

// RejectExport rejects a pending export request, with a note (1–200
// characters) saying why; the same rules as ApproveExport hold. Audited as
// registry.export_reject.
func (s *Service) RejectExport(ctx context.Context, id int64, note string) (ExportRequest, error) {
	return s.decideExport(ctx, id, ExportRejected, note)
}

func (s *Service) decideExport(ctx context.Context, id int64, status, note string) (ExportRequest, error) {
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n > 200 || (status == ExportRejected && n == 0) {
		return ExportRequest{}, apperr.Field("note", apperr.RejectNote)
	}
	a := actor.From(ctx)
	if a == nil {
		return ExportRequest{}, apperr.New(apperr.Unauthenticated, "login required")
	}
	if err := rbac.RequireAny(ctx, PermExportApprove); err != nil {
		return ExportRequest{}, err
	}
	req, err := s.exportRequest(ctx, id)
	if err != nil {
		return ExportRequest{}, err
	}
	if req.RequestedBy == a.UserID && !a.System {
		return ExportRequest{}, apperr.New(apperr.Forbidden, "an export must be approved by someone other than its requester")
	}
	if err := rbac.Require(ctx, PermExportApprove, req.unitPath); err != nil {
		return ExportRequest{}, err
	}
	if req.Status != ExportPending {
		return ExportRequest{}, apperr.Newf(apperr.Conflict, "the request is %s, not pending", req.Status)
	}
	now := s.now()
	var expires any
	action := "registry.export_reject"
	if status == ExportApproved {
		expires, action = now.Add(ExportApprovalTTL), "registry.export_approve"
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Exec(ctx, `UPDATE registry_exports SET status = ?, decided_by = ?, decided_username = ?,
			decided_at = ?, decision_note = ?, expires_at = ? WHERE id = ? AND status = ?
			AND (expires_at IS NULL OR expires_at > ?)`,
			status, nullID(a.UserID), a.Username, now, note, expires, id, ExportPending, now)
		if err != nil {
			return apperr.Wrap(err, "decide export")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.New(apperr.Conflict, "the request was decided meanwhile")
		}
		return s.audit.Record(ctx, audit.Entry{Action: action, ObjectType: "registry_export", ObjectID: fmt.Sprint(id),
			Result: audit.Success, Detail: map[string]any{"requested_by": req.RequestedUsername, "rows": req.Rows,
				"note": note}})
	})
	if err != nil {
		return ExportRequest{}, err
	}
	return s.ExportRequestByID(ctx, id)
}

// nullID binds a zero user id (the system) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// DownloadExport writes an approved export request's people to w, once,
// for its requester only (anyone else: not_found). The filter is
// re-evaluated under the requester's present scope; more than
// ExportGrowthPercent above the approved count is refused (ask again), as
// are pending, rejected, expired and downloaded requests (conflict). The
// request becomes downloaded, audited as registry.export_download, before
// the first byte; every row is recorded in person_access as
// "export:<id>", and the file carries the watermark. begin, when set, is
// called with the watermark before the first byte.
func (s *Service) DownloadExport(ctx context.Context, id int64, w io.Writer, begin func(Watermark)) (ExportResult, error) {
	if err := exportPerms(ctx); err != nil {
		return ExportResult{}, err
	}
	a := actor.From(ctx)
	req, err := s.exportRequest(ctx, id)
	if err != nil {
		return ExportResult{}, err
	}
	if req.RequestedBy != a.UserID || a.System {
		return ExportResult{}, apperr.NotFoundf("export request %d not found", id)
	}
	if req.Status != ExportApproved {
		s.refuseDownload(ctx, req, "status "+req.Status)
		return ExportResult{}, apperr.Newf(apperr.Conflict, "the request is %s: only an approved request can be downloaded, once", req.Status)
	}
	sel, err := s.reg.SelectExportable(ctx, req.Filter.People())
	if err != nil {
		return ExportResult{}, err
	}
	total, err := s.exportCount(ctx, sel)
	if err != nil {
		return ExportResult{}, err
	}
	if total*100 > req.Rows*(100+ExportGrowthPercent) {
		s.refuseDownload(ctx, req, fmt.Sprintf("rows grew from %d to %d", req.Rows, total))
		return ExportResult{}, apperr.Newf(apperr.Conflict,
			"the export now holds %d people, more than %d%% above the %d approved: request it again", total,
			ExportGrowthPercent, req.Rows)
	}
	now := s.now()
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Exec(ctx, `UPDATE registry_exports SET status = ?, downloaded_at = ?
			WHERE id = ? AND status = ? AND expires_at > ?`, ExportDownloaded, now, id, ExportApproved, now)
		if err != nil {
			return apperr.Wrap(err, "export download")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.New(apperr.Conflict, "the request was downloaded or expired meanwhile")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "registry.export_download", ObjectType: "registry_export",
			ObjectID: fmt.Sprint(id), Result: audit.Success, Detail: map[string]any{"rows": total, "approved_rows": req.Rows,
				"format": req.Format}})
	})
	if err != nil {
		return ExportResult{}, err
	}
	mark := Watermark{User: a.Username, At: now, Ref: fmt.Sprintf("export:%d", id)}
	n, err := s.streamPeople(ctx, sel, w, req.Format, mark, begin)
	return ExportResult{Rows: n, Mark: mark}, err
}

// refuseDownload audits a refused download (best effort: the refusal
// itself is the answer).
func (s *Service) refuseDownload(ctx context.Context, req ExportRequest, why string) {
	_ = s.audit.Record(ctx, audit.Entry{Action: "registry.export_download", ObjectType: "registry_export",
		ObjectID: fmt.Sprint(req.ID), Result: audit.Failure, Detail: map[string]any{"refused": why}})
}

// ExportRequestByID returns an export request to its requester or to a
// user who may approve it (registry.export_approve over the requester's
// unit); to anyone else it is not_found.
func (s *Service) ExportRequestByID(ctx context.Context, id int64) (ExportRequest, error) {
	a := actor.From(ctx)
	if a == nil {
		return ExportRequest{}, apperr.New(apperr.Unauthenticated, "login required")
	}
	req, err := s.exportRequest(ctx, id)
	if err != nil {
		return ExportRequest{}, err
	}
	if !a.System && req.RequestedBy != a.UserID && !rbac.Can(a, PermExportApprove, req.unitPath) {
		return ExportRequest{}, apperr.NotFoundf("export request %d not found", id)
	}
	return s.withAbilities(a, req), nil
}

// ExportRequests lists, newest first, the actor's own export requests and
// those the actor may approve, with the total before paging. A status
// filter of "approved" or "expired" tells approvals by their expiry.
func (s *Service) ExportRequests(ctx context.Context, f ExportListFilter) ([]ExportRequest, int, error) {
	a := actor.From(ctx)
	if a == nil {
		return nil, 0, apperr.New(apperr.Unauthenticated, "login required")
	}
	if !rbac.HasAnywhere(a, PermExport) && !rbac.HasAnywhere(a, PermExportApprove) {
		return nil, 0, apperr.Newf(apperr.Forbidden, "permission %s or %s required", PermExport, PermExportApprove)
	}
	var err error
	if f.Limit, f.Offset, err = (db.Paging{Default: 50, Max: 200}).Apply(f.Limit, f.Offset); err != nil {
		return nil, 0, err
	}
	mine := "requested_by = ?"
	appr, aargs := rbac.ScopeOf(a, PermExportApprove).SQL("unit_path")
	var where []string
	var args []any
	switch {
	case f.Mine:
		where, args = []string{mine}, []any{a.UserID}
	case f.ToApprove:
		where, args = []string{"requested_by <> ?", appr}, append([]any{a.UserID}, aargs...)
	default:
		where, args = []string{"(" + mine + " OR " + appr + ")"}, append([]any{a.UserID}, aargs...)
	}
	now := s.now()
	switch f.Status {
	case "":
	case ExportApproved, ExportPending:
		where = append(where, "status = ? AND (expires_at IS NULL OR expires_at > ?)")
		args = append(args, f.Status, now)
	case ExportExpired:
		where = append(where, "(status = ? OR (status IN (?, ?) AND expires_at <= ?))")
		args = append(args, ExportExpired, ExportApproved, ExportPending, now)
	case ExportRejected, ExportDownloaded:
		where, args = append(where, "status = ?"), append(args, f.Status)
	default:
		return nil, 0, apperr.Field("status", apperr.OneOf, "values", "pending, approved, rejected, downloaded, expired")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM registry_exports WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "export requests")
	}
	rows, err := s.db.Query(ctx, `SELECT `+exportCols+` FROM registry_exports WHERE `+cond+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "export requests")
	}
	defer rows.Close()
	var out []ExportRequest
	for rows.Next() {
		req, err := s.scanExport(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "export requests")
		}
		out = append(out, s.withAbilities(a, req))
	}
	if err := rows.Err(); err != nil {
		return nil, 0, apperr.Wrap(err, "export requests")
	}
	return out, total, nil
}

// withAbilities fills in what a may do with req.
func (s *Service) withAbilities(a *actor.Actor, req ExportRequest) ExportRequest {
	mine := req.RequestedBy == a.UserID && !a.System
	req.CanApprove = req.Status == ExportPending && !mine && rbac.Can(a, PermExportApprove, req.unitPath)
	req.CanDownload = req.Status == ExportApproved && mine
	return req
}

const exportCols = `id, requested_by, requested_username, unit_code, unit_path, filter, format, row_count, reason,
	status, decided_by, decided_username, decided_at, decision_note, expires_at, downloaded_at, created_at`

// exportRequest reads a request with no permission check.
func (s *Service) exportRequest(ctx context.Context, id int64) (ExportRequest, error) {
	req, err := s.scanExport(s.db.QueryRow(ctx, `SELECT `+exportCols+` FROM registry_exports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return req, apperr.NotFoundf("export request %d not found", id)
	}
	if err != nil {
		return req, apperr.Wrap(err, "export request")
	}
	return req, nil
}

// scanExport reads exportCols; an approval past its expiry reads expired.
func (s *Service) scanExport(sc interface{ Scan(dest ...any) error }) (ExportRequest, error) {
	var r ExportRequest
	var decidedBy sql.NullInt64
	var decidedAt, expiresAt, downloadedAt sql.NullTime
	var filter string
	if err := sc.Scan(&r.ID, &r.RequestedBy, &r.RequestedUsername, &r.UnitCode, &r.unitPath, &filter, &r.Format,
		&r.Rows, &r.Reason, &r.Status, &decidedBy, &r.DecidedUsername, &decidedAt, &r.DecisionNote, &expiresAt,
		&downloadedAt, &r.CreatedAt); err != nil {
		return r, err
	}
	_ = json.Unmarshal([]byte(filter), &r.Filter) // written by us
	r.DecidedBy = int64Ptr(decidedBy)
	r.DecidedAt, r.ExpiresAt, r.DownloadedAt = timePtr(decidedAt), timePtr(expiresAt), timePtr(downloadedAt)
	r.CreatedAt = r.CreatedAt.UTC()
	if (r.Status == ExportApproved || r.Status == ExportPending) && r.ExpiresAt != nil && !s.now().Before(*r.ExpiresAt) {
		r.Status = ExportExpired
	}
	return r, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// int64Ptr returns the value of n, or nil when NULL.
func int64Ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}
