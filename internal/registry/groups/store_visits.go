package groups

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

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

// insertVisit stores a visit and returns its id.
func (st store) insertVisit(ctx context.Context, in VisitInput, uid *int64, username, atts, path string, key bool, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO visits (object_type, object_id, kind, visited_at, user_id, username, note, result,
		attachments, unit_path, key_group, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.ObjectType, in.ObjectID, in.Kind, in.VisitedAt, uid, username, in.Note, in.Result, atts, path, key,
		now).Scan(&id)
	return id, err
}

// linkVisitAttachments ties attachments to a visit.
func (st store) linkVisitAttachments(ctx context.Context, visitID int64, ids []int64) error {
	for _, att := range ids {
		if _, err := st.db.Exec(ctx, `INSERT INTO visit_attachments (visit_id, attachment_id) VALUES (?, ?)`, visitID, att); err != nil {
			return err
		}
	}
	return nil
}

// visitObject is the record a visit was about.
type visitObject struct {
	Type string
	ID   int64
}

// attachmentObjects returns the objects of the visits an attachment
// belongs to (at most 100).
func (st store) attachmentObjects(ctx context.Context, attachmentID int64) ([]visitObject, error) {
	rows, err := st.db.Query(ctx, `SELECT v.object_type, v.object_id FROM visit_attachments a
		JOIN visits v ON v.id = a.visit_id WHERE a.attachment_id = ? ORDER BY v.id LIMIT 100`, attachmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []visitObject
	for rows.Next() {
		var o visitObject
		if err := rows.Scan(&o.Type, &o.ID); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (st store) visit(ctx context.Context, id int64) (Visit, error) {
	return scanVisit(st.db.QueryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE id = ?`, id))
}

// visits lists an object's visits, newest first.
func (st store) visits(ctx context.Context, objectType string, objectID int64, limit int) ([]Visit, error) {
	rows, err := st.db.Query(ctx, `SELECT `+visitCols+` FROM visits WHERE object_type = ? AND object_id = ?
		ORDER BY visited_at DESC, id DESC LIMIT ?`, objectType, objectID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Visit{}
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// lastPersonVisit returns the time of a person's latest visit; ok is false
// when they have none.
func (st store) lastPersonVisit(ctx context.Context, personID int64) (time.Time, bool, error) {
	var last time.Time
	err := st.db.QueryRow(ctx, `SELECT visited_at FROM visits WHERE object_type = 'person' AND object_id = ?
		ORDER BY visited_at DESC LIMIT 1`, personID).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return last.UTC(), true, nil
}

// dueRow is a membership due for a visit with its start date as stored.
type dueRow struct {
	DueVisit
	started string
}

// visitsDue lists one page of the open memberships matching where (on m =
// group_members, p = people and lv = the person's last visit, starting
// with " WHERE"), least recently visited first, with the total.
func (st store) visitsDue(ctx context.Context, where string, args []any, limit, offset int) ([]dueRow, int, error) {
	from := ` FROM group_members m JOIN people p ON p.id = m.person_id
		LEFT JOIN (SELECT object_id, MAX(visited_at) AS last FROM visits WHERE object_type = 'person' GROUP BY object_id) lv
		ON lv.object_id = m.person_id`
	var total int
	if err := st.db.QueryRow(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := st.db.Query(ctx, `SELECT m.id, m.person_id, p.name, p.grid_code, m.group_kind, m.key_group, m.risk_level, m.started_on`+
		from+where+` ORDER BY lv.last IS NOT NULL, lv.last, m.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []dueRow
	for rows.Next() {
		var d dueRow
		var grid sql.NullString
		if err := rows.Scan(&d.MemberID, &d.PersonID, &d.PersonName, &grid, &d.GroupKind, &d.KeyGroup, &d.RiskLevel, &d.started); err != nil {
			return nil, 0, err
		}
		d.GridCode = grid.String
		out = append(out, d)
	}
	return out, total, rows.Err()
}
