package groups

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// maxVisits bounds a page of visits and of the visits due.
const maxVisits = 500

// objectTables maps a visited object type to its table; every one has
// unit_path and verified_at, people also key_group and verified_by.
var objectTables = map[string]string{
	"person":       "people",
	"household":    "households",
	"house":        "houses",
	"organisation": "organisations",
}

// object reads a visited object's path, checking perm over it; a
// key-group person needs registry.keygroup (not_found without it).
func (s *Service) object(ctx context.Context, typ string, id int64, perm rbac.Permission) (path string, key bool, err error) {
	table, ok := objectTables[typ]
	if !ok {
		return "", false, apperr.Field("object_type", "must be person, household, house or organisation")
	}
	if typ == "person" {
		p, err := s.person(ctx, id, perm, false)
		return p.Path, p.KeyGroup, err
	}
	err = s.db.QueryRow(ctx, `SELECT unit_path FROM `+table+` WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return "", false, apperr.Wrap(err, typ)
	}
	return path, false, rbac.Require(ctx, perm, path)
}

// cleanVisit checks a visit's input.
func (s *Service) cleanVisit(in VisitInput) (VisitInput, error) {
	fe := apperr.FieldErrors{}
	in.Note, in.Result = strings.TrimSpace(in.Note), strings.TrimSpace(in.Result)
	if _, ok := objectTables[in.ObjectType]; !ok {
		fe.Add("object_type", "must be person, household, house or organisation")
	}
	if in.ObjectID <= 0 {
		fe.Add("object_id", "is required")
	}
	switch in.Kind {
	case "visit", "assist", "verify":
	default:
		fe.Add("kind", "must be visit, assist or verify")
	}
	now := s.now()
	if in.VisitedAt.IsZero() {
		in.VisitedAt = now
	} else if in.VisitedAt = in.VisitedAt.UTC().Truncate(time.Microsecond); in.VisitedAt.After(now.Add(5 * time.Minute)) {
		fe.Add("visited_at", "must not be in the future")
	}
	if len(in.Note) > 4000 {
		fe.Add("note", "must be at most 4000 characters")
	}
	if len(in.Result) > 1000 {
		fe.Add("result", "must be at most 1000 characters")
	}
	if len(in.Attachments) > 0 && s.attachments == nil {
		fe.Add("attachments", "attachments are not available")
	}
	return in, fe.Err()
}

// RecordVisit records a visit (走访), an act of assistance (帮扶) or a
// verification (核对) of an object. Needs registry.write over the object's
// place (and registry.keygroup for a key-group person); a verification
// also marks the object verified.
func (s *Service) RecordVisit(ctx context.Context, in VisitInput) (Visit, error) {
	in, err := s.cleanVisit(in)
	if err != nil {
		return Visit{}, err
	}
	a := actor.From(ctx)
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		path, key, err := s.object(ctx, in.ObjectType, in.ObjectID, PermWrite)
		if err != nil {
			return err
		}
		if len(in.Attachments) > 0 {
			if err := s.attachments.LinkCheck(ctx, in.Attachments); err != nil {
				return err
			}
		}
		atts, _ := json.Marshal(nonNil(in.Attachments))
		var uid *int64
		if a.UserID != 0 {
			uid = &a.UserID
		}
		if err := s.db.QueryRow(ctx, `INSERT INTO visits (object_type, object_id, kind, visited_at, user_id, username, note, result,
			attachments, unit_path, key_group, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.ObjectType, in.ObjectID, in.Kind, in.VisitedAt, uid, a.Username, in.Note, in.Result, string(atts), path, key,
			s.now()).Scan(&id); err != nil {
			return apperr.Wrap(err, "visit")
		}
		for _, att := range uniqueIDs(in.Attachments) {
			if _, err := s.db.Exec(ctx, `INSERT INTO visit_attachments (visit_id, attachment_id) VALUES (?, ?)`, id, att); err != nil {
				return apperr.Wrap(err, "visit attachment")
			}
		}
		if in.Kind == "verify" {
			if err := s.markVerified(ctx, in, uid); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "visit.record", ObjectType: "visit", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"object_type": in.ObjectType, "object_id": in.ObjectID, "kind": in.Kind,
				"visited_at": in.VisitedAt, "attachments": len(in.Attachments)}})
	})
	if err != nil {
		return Visit{}, err
	}
	return s.visit(ctx, id)
}

// markVerified sets the object's verified_at (and a person's verified_by).
func (s *Service) markVerified(ctx context.Context, in VisitInput, uid *int64) error {
	var err error
	if in.ObjectType == "person" {
		_, err = s.db.Exec(ctx, `UPDATE people SET verified_at = ?, verified_by = ? WHERE id = ?`, in.VisitedAt, uid, in.ObjectID)
	} else {
		_, err = s.db.Exec(ctx, `UPDATE `+objectTables[in.ObjectType]+` SET verified_at = ? WHERE id = ?`, in.VisitedAt, in.ObjectID)
	}
	if err != nil {
		return apperr.Wrap(err, "verify")
	}
	return nil
}

// uniqueIDs returns ids without repeats, in order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// CanReadAttachment reports whether the actor may open attachment id
// because it belongs to a visit of an object the actor may read
// (registry.read over its place, and registry.keygroup for a key-group
// person). The app names the service among blob.WithReaders.
func (s *Service) CanReadAttachment(ctx context.Context, id int64) (bool, error) {
	rows, err := s.db.Query(ctx, `SELECT v.object_type, v.object_id FROM visit_attachments a
		JOIN visits v ON v.id = a.visit_id WHERE a.attachment_id = ? ORDER BY v.id LIMIT 100`, id)
	if err != nil {
		return false, apperr.Wrap(err, "visit attachments")
	}
	type object struct {
		typ string
		id  int64
	}
	var objs []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.typ, &o.id); err != nil {
			rows.Close()
			return false, apperr.Wrap(err, "visit attachments")
		}
		objs = append(objs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, apperr.Wrap(err, "visit attachments")
	}
	for _, o := range objs {
		_, _, err := s.object(ctx, o.typ, o.id, PermRead)
		switch apperr.CodeOf(err) {
		case "":
			return true, nil
		case apperr.NotFound, apperr.Forbidden:
			continue
		default:
			return false, err
		}
	}
	return false, nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

const visitCols = `id, object_type, object_id, kind, visited_at, user_id, username, note, result, attachments, created_at`

func scanVisit(sc interface{ Scan(...any) error }) (Visit, error) {
	var v Visit
	var uid sql.NullInt64
	var atts string
	if err := sc.Scan(&v.ID, &v.ObjectType, &v.ObjectID, &v.Kind, &v.VisitedAt, &uid, &v.Username, &v.Note, &v.Result,
		&atts, &v.CreatedAt); err != nil {
		return Visit{}, err
	}
	v.UserID = uid.Int64
	v.VisitedAt = v.VisitedAt.UTC()
	if err := json.Unmarshal([]byte(atts), &v.Attachments); err != nil || v.Attachments == nil {
		v.Attachments = []int64{}
	}
	return v, nil
}

func (s *Service) visit(ctx context.Context, id int64) (Visit, error) {
	v, err := scanVisit(s.db.QueryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE id = ?`, id))
	if err != nil {
		return Visit{}, apperr.Wrap(err, "visit")
	}
	return v, nil
}

// Visits lists an object's visits, newest first (at most limit, default
// 50). Needs registry.read over the object (and registry.keygroup for a
// key-group person).
func (s *Service) Visits(ctx context.Context, objectType string, objectID int64, limit int) ([]Visit, error) {
	if _, _, err := s.object(ctx, objectType, objectID, PermRead); err != nil {
		return nil, err
	}
	limit, _ = page(limit, 0, maxVisits)
	rows, err := s.db.Query(ctx, `SELECT `+visitCols+` FROM visits WHERE object_type = ? AND object_id = ?
		ORDER BY visited_at DESC, id DESC LIMIT ?`, objectType, objectID, limit)
	if err != nil {
		return nil, apperr.Wrap(err, "visits")
	}
	defer rows.Close()
	out := []Visit{}
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "visits")
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VisitsDue is the work list of grid workers: the current members of
// groups with a visit interval (visit_days of the group kind) whose last
// visit is older than the interval, or who were never visited — never
// visited first, then the longest waiting. Key groups and key-group people
// need registry.keygroup, as everywhere.
func (s *Service) VisitsDue(ctx context.Context, f DueFilter) ([]DueVisit, int, error) {
	if err := rbac.RequireAny(ctx, PermRead); err != nil {
		return nil, 0, err
	}
	kinds, err := s.Kinds(ctx)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	interval := map[string]int{}
	var due []string
	var dueArgs []any
	for _, k := range kinds {
		if k.VisitDays <= 0 || (f.Kind != "" && f.Kind != k.Code) {
			continue
		}
		interval[k.Code] = k.VisitDays
		due = append(due, `(m.group_kind = ? AND (lv.last IS NULL OR lv.last < ?))`)
		dueArgs = append(dueArgs, k.Code, now.AddDate(0, 0, -k.VisitDays))
	}
	if len(due) == 0 {
		return []DueVisit{}, 0, nil
	}
	vis, args := visibleMembers(ctx)
	where := ` WHERE m.ended_at IS NULL AND p.deleted_at IS NULL AND ` + vis + ` AND (` + strings.Join(due, " OR ") + `)`
	args = append(args, dueArgs...)
	if f.UnitCode != "" {
		path, err := s.unitPath(ctx, f.UnitCode, "unit_code")
		if err != nil {
			return nil, 0, err
		}
		where += ` AND p.unit_path LIKE ?`
		args = append(args, path+"%")
	}
	if f.GridCode != "" {
		where += ` AND p.grid_code = ?`
		args = append(args, f.GridCode)
	}
	from := ` FROM group_members m JOIN people p ON p.id = m.person_id
		LEFT JOIN (SELECT object_id, MAX(visited_at) AS last FROM visits WHERE object_type = 'person' GROUP BY object_id) lv
		ON lv.object_id = m.person_id`
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "visits due")
	}
	limit, offset := page(f.Limit, f.Offset, maxVisits)
	rows, err := s.db.Query(ctx, `SELECT m.id, m.person_id, p.name, p.grid_code, m.group_kind, m.key_group, m.risk_level, m.started_on`+
		from+where+` ORDER BY lv.last IS NOT NULL, lv.last, m.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "visits due")
	}
	out := []DueVisit{}
	for rows.Next() {
		var d DueVisit
		var grid sql.NullString
		var started string
		if err := rows.Scan(&d.MemberID, &d.PersonID, &d.PersonName, &grid, &d.GroupKind, &d.KeyGroup, &d.RiskLevel, &started); err != nil {
			rows.Close()
			return nil, 0, apperr.Wrap(err, "visits due")
		}
		d.GridCode, d.IntervalDays = grid.String, interval[d.GroupKind]
		if t, err := time.ParseInLocation(time.DateOnly, started, shanghai); err == nil {
			d.DueSince = t.UTC()
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, apperr.Wrap(err, "visits due")
	}
	for i := range out {
		if err := s.lastVisit(ctx, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// lastVisit fills a due visit's last visit and the time it fell due.
func (s *Service) lastVisit(ctx context.Context, d *DueVisit) error {
	var last time.Time
	err := s.db.QueryRow(ctx, `SELECT visited_at FROM visits WHERE object_type = 'person' AND object_id = ?
		ORDER BY visited_at DESC LIMIT 1`, d.PersonID).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return apperr.Wrap(err, "last visit")
	}
	last = last.UTC()
	d.LastVisitAt = &last
	d.DueSince = last.AddDate(0, 0, d.IntervalDays)
	return nil
}
