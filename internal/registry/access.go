package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// The kinds of disclosure recorded in person_access ("who looked at this
// person", PRIV-5).
const (
	AccessView      = "view"       // a person's page or API detail
	AccessSearchHit = "search_hit" // a hit of an exact identifier search
	AccessList      = "list"       // a group member shown in a list or search answer
	AccessUnmask    = "unmask"     // full identifiers shown
	AccessExport    = "export"     // a row of an export file
	AccessDisclose  = "disclose"   // provided to another department
	AccessPrint     = "print"      // a printed page
)

// ActPersonLookup is the audit action of an exact ID-card or phone search:
// its detail holds the field and the hit count, never the value.
const ActPersonLookup = "person.lookup"

// The default hourly limits (PRIV-11, SEC-INTR-5).
const (
	DefaultLookupsPerHour = 60
	DefaultPeoplePerHour  = 200
)

// AccessLimits bound what one user may look up in a rolling hour. The
// system actor is never limited.
type AccessLimits struct {
	// LookupsPerHour bounds the exact ID-card or phone searches, hits or
	// misses: guessing a number from its mask and the birth date takes
	// many tries.
	LookupsPerHour int
	// PeoplePerHour bounds the distinct people shown by detail view or
	// exact identifier hit.
	PeoplePerHour int
}

// accessChunk bounds the rows of one INSERT into person_access.
const accessChunk = 400

// logAccess records that the actor of ctx was shown the people ids by
// action, tied to ref (an audit entry or an export request). It writes in
// ctx's transaction when there is one. The system actor is recorded too,
// with no user id. Nothing is written for no ids.
func (s *Service) logAccess(ctx context.Context, action string, ids []int64, ref string) error {
	if len(ids) == 0 {
		return nil
	}
	var uid any
	var username, unit string
	if a := actor.From(ctx); a != nil {
		if a.UserID != 0 {
			uid = a.UserID
		}
		username, unit = a.Username, a.UnitCode
	}
	now := s.now()
	for start := 0; start < len(ids); start += accessChunk {
		part := ids[start:min(start+accessChunk, len(ids))]
		var b strings.Builder
		b.WriteString(`INSERT INTO person_access (person_id, user_id, username, unit_code, action, ref, at) VALUES `)
		args := make([]any, 0, len(part)*7)
		for i, id := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, id, uid, username, unit, action, ref, now)
		}
		if _, err := s.db.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("person access log: %w", err)
		}
	}
	return nil
}

// recordRef appends an audit entry and names it ("audit:<seq>") for the
// person_access rows that refer to it.
func (s *Service) recordRef(ctx context.Context, e audit.Entry) (string, error) {
	seq, err := s.audit.RecordSeq(ctx, e)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("audit:%d", seq), nil
}

// requestRef names the request of ctx ("request:<id>"), or "".
func requestRef(ctx context.Context) string {
	if id := actor.MetaFrom(ctx).RequestID; id != "" {
		return "request:" + id
	}
	return ""
}

// limitedActor returns the actor of ctx when the hourly limits apply to it:
// a user, not the system.
func limitedActor(ctx context.Context) (*actor.Actor, bool) {
	a := actor.From(ctx)
	return a, a != nil && !a.System && a.UserID != 0
}

// beijing is the zone resume times are told in.
var beijing = time.FixedZone("CST", 8*3600)

// tooMany is the answer past a limit, saying when the user may resume.
func tooMany(what string, resume time.Time) error {
	return apperr.Newf(apperr.TooManyRequests, "%s; you can continue after %s Beijing time (%s)",
		what, resume.In(beijing).Format("2006-01-02 15:04"), resume.UTC().Format(time.RFC3339)).WithReason("rate_limited")
}

// checkLookups refuses an exact identifier search past the hourly limit,
// raising an identifier_lookups alert.
func (s *Service) checkLookups(ctx context.Context) error {
	a, ok := limitedActor(ctx)
	if !ok {
		return nil
	}
	limit, since := s.limits.LookupsPerHour, s.now().Add(-time.Hour)
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM identifier_lookups WHERE user_id = ? AND at > ?`,
		a.UserID, since).Scan(&n); err != nil {
		return fmt.Errorf("identifier lookups: %w", err)
	}
	if n < limit {
		return nil
	}
	// The search frees up when the lookup that filled the limit ages out.
	var at time.Time
	if err := s.db.QueryRow(ctx, `SELECT at FROM identifier_lookups WHERE user_id = ? AND at > ? ORDER BY at, id LIMIT 1 OFFSET ?`,
		a.UserID, since, n-limit).Scan(&at); err != nil {
		return fmt.Errorf("identifier lookups: %w", err)
	}
	if err := s.raiseAlert(ctx, a, AlertLookups, map[string]any{"lookups": n, "limit": limit, "window": "1h"}); err != nil {
		return err
	}
	return tooMany(fmt.Sprintf("too many ID-card or phone searches: at most %d an hour", limit), at.Add(time.Hour))
}

// checkPeople refuses to show the people ids when the actor would then
// have been shown more distinct people than the hourly limit by detail
// view or identifier hit, raising a person_views alert.
func (s *Service) checkPeople(ctx context.Context, ids []int64) error {
	a, ok := limitedActor(ctx)
	if !ok || len(ids) == 0 {
		return nil
	}
	limit := s.limits.PeoplePerHour
	rows, err := s.db.Query(ctx, `SELECT person_id, at FROM person_access WHERE user_id = ? AND at > ?
		AND action IN (?, ?)`, a.UserID, s.now().Add(-time.Hour), AccessView, AccessSearchHit)
	if err != nil {
		return fmt.Errorf("person access: %w", err)
	}
	defer rows.Close()
	last := map[int64]time.Time{} // each person's latest disclosure in the window
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return fmt.Errorf("person access: %w", err)
		}
		if at.After(last[id]) {
			last[id] = at
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("person access: %w", err)
	}
	var first time.Time
	for _, at := range last {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	n := len(last)
	for _, id := range ids {
		if _, ok := last[id]; !ok {
			last[id] = time.Time{}
			n++
		}
	}
	if n <= limit {
		return nil
	}
	resume := s.now().Add(time.Hour)
	if !first.IsZero() {
		resume = first.UTC().Add(time.Hour) // the first person to age out frees a place
	}
	if err := s.raiseAlert(ctx, a, AlertPersonViews, map[string]any{"people": n, "limit": limit, "window": "1h"}); err != nil {
		return err
	}
	return tooMany(fmt.Sprintf("too many people looked up: at most %d different people an hour", limit), resume)
}

// recordLookups writes, in ctx's transaction, an identifier_lookups row
// (for a user) and a person.lookup audit entry per searched field, and
// returns the reference of the last entry.
func (s *Service) recordLookups(ctx context.Context, fields []string, hits int) (string, error) {
	a, limited := limitedActor(ctx)
	ref := ""
	for _, field := range fields {
		if limited {
			if _, err := s.db.Exec(ctx, `INSERT INTO identifier_lookups (user_id, field, hits, at) VALUES (?, ?, ?, ?)`,
				a.UserID, field, hits, s.now()); err != nil {
				return "", fmt.Errorf("identifier lookup: %w", err)
			}
		}
		var err error
		if ref, err = s.recordRef(ctx, audit.Entry{Action: ActPersonLookup, ObjectType: "person",
			Detail: map[string]any{"field": field, "hits": hits}}); err != nil {
			return "", err
		}
	}
	return ref, nil
}

// groupMembersAmong returns those of ids with an open membership of a
// special or key group.
func (s *Service) groupMembersAmong(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Query(ctx, `SELECT DISTINCT person_id FROM group_members WHERE ended_at IS NULL
		AND person_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY person_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("group members: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("group members: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// unitPathOf returns the org path of a unit code, or "" when unknown.
func (s *Service) unitPathOf(ctx context.Context, code string) (string, error) {
	path, _, err := s.units.UnitPath(ctx, code)
	if err != nil {
		return "", fmt.Errorf("unit path: %w", err)
	}
	return path, nil
}
