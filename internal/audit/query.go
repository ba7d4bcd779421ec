package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/rbac"
)

// Filter selects audit entries.
type Filter struct {
	Username   string
	Action     string // exact, or a prefix ending in "." such as "auth."
	ObjectType string
	ObjectID   string
	Result     string
	From, To   time.Time // zero means open
	Limit      int       // default 50, at most 500
	Offset     int
}

// List returns entries, newest first, with the total. An actor sees the
// entries of users whose unit lies in their audit.read scope; entries with
// no unit (such as failed logins of unknown names) only with a root scope.
func (l *Log) List(ctx context.Context, f Filter) ([]Row, int, error) {
	if err := rbac.RequireAny(ctx, rbac.AuditRead); err != nil {
		return nil, 0, err
	}
	a := actor.From(ctx)
	scope := rbac.ScopeOf(a, rbac.AuditRead)
	cond, args := orgdir.InScope(scope, "a.unit_code")
	if rootScope(scope) {
		cond = "(" + cond + " OR " + orgdir.PathOf("a.unit_code") + " IS NULL)"
	}
	where := []string{cond}
	add := func(c string, v any) { where = append(where, c); args = append(args, v) }
	if f.Username != "" {
		add("a.username = ?", f.Username)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			add(db.HasPrefix("a.action", f.Action))
		} else {
			add("a.action = ?", f.Action)
		}
	}
	if f.ObjectType != "" {
		add("a.object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("a.object_id = ?", f.ObjectID)
	}
	if f.Result != "" {
		add("a.result = ?", f.Result)
	}
	if !f.From.IsZero() {
		add("a.ts >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("a.ts < ?", f.To)
	}
	from := ` FROM audit_log a WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := l.db.QueryRow(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, offset, err := db.Paging{Default: 50, Max: 500}.Apply(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	cols := strings.ReplaceAll("a."+strings.ReplaceAll(rowColumns, ", ", ", a."), "\n\t", "")
	rows, err := l.db.Query(ctx, `SELECT `+cols+from+` ORDER BY a.seq DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.CollectRows(rows, scanRow)
	return out, total, err
}

// rootScope reports whether the scope includes a root unit ("/410100/"):
// such an actor also sees entries that belong to no unit, such as failed
// logins of unknown names.
func rootScope(s rbac.Scope) bool {
	if s.All {
		return true
	}
	for _, p := range s.Paths {
		if strings.Count(p, "/") == 2 {
			return true
		}
	}
	return false
}

// ObjectEntries returns the entries about one object (such as "person",
// "42"), newest first, leaving out those skip rejects (nil keeps all),
// at most limit of them. It answers the owning module's history views;
// the caller checks who may see the object.
func (l *Log) ObjectEntries(ctx context.Context, objectType, objectID string, skip func(Row) bool, limit int) ([]Row, error) {
	rows, err := l.db.Query(ctx, `SELECT `+rowColumns+` FROM audit_log WHERE object_type = ? AND object_id = ?
		ORDER BY seq DESC`, objectType, objectID)
	if err != nil {
		return nil, fmt.Errorf("object audit: %w", err)
	}
	defer rows.Close()
	out := []Row{}
	for len(out) < limit && rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("object audit: %w", err)
		}
		r.TS = r.TS.UTC()
		if skip == nil || !skip(r) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// Details returns the JSON detail of the entries with the given sequence
// numbers (an entry without detail maps to "").
func (l *Log) Details(ctx context.Context, seqs []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = s
	}
	rows, err := l.db.Query(ctx, `SELECT seq, detail FROM audit_log WHERE seq IN (?`+
		strings.Repeat(", ?", len(seqs)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit details: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var d string
		if err := rows.Scan(&seq, &d); err != nil {
			return nil, fmt.Errorf("audit details: %w", err)
		}
		out[seq] = d
	}
	return out, rows.Err()
}
