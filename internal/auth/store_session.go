package auth

import (
	"context"
	"database/sql"
	"gridgov/internal/org/orgdir"
	"time"
)

// sessionRec is a stored session with its user and the user's grants,
// read in one query because it runs on every request.
type sessionRec struct {
	user     userRec
	grants   []grantRec
	kind     string
	csrf     string
	lastSeen time.Time
	expires  time.Time
	revoked  bool
}

// sessionByHash returns the session whose token hashes to hash.
func (st store) sessionByHash(ctx context.Context, hash string) (sessionRec, bool, error) {
	rows, err := st.db.Query(ctx, `SELECT s.kind, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at, `+
		userColumns+`, g.id, r.name, r.permissions, g.scope_code, `+
		orgdir.NameOf("g.scope_code")+`, `+orgdir.PathOf("g.scope_code")+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN roles r ON r.id = g.role_id
		WHERE s.token_hash = ? ORDER BY g.id`, hash)
	if err != nil {
		return sessionRec{}, false, err
	}
	defer rows.Close()
	var rec sessionRec
	n := 0
	for rows.Next() {
		var revoked sql.NullTime
		var gid sql.NullInt64
		var role, perms, scope, scopeName, scopePath sql.NullString
		u, err := scanUser(prefixed{rows, []any{&rec.kind, &rec.csrf, &rec.lastSeen, &rec.expires, &revoked}},
			&gid, &role, &perms, &scope, &scopeName, &scopePath)
		if err != nil {
			return sessionRec{}, false, err
		}
		rec.user, rec.revoked = u, revoked.Valid
		if gid.Valid {
			rec.grants = append(rec.grants, grantRec{Grant: Grant{ID: gid.Int64, Role: role.String,
				ScopeCode: scope.String, ScopeName: scopeName.String}, userID: u.ID, perms: perms.String,
				path: scopePath.String})
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return sessionRec{}, false, err
	}
	return rec, n > 0, nil
}

// prefixed scans leading columns into pre before the destinations it is given.
type prefixed struct {
	s   interface{ Scan(...any) error }
	pre []any
}

func (p prefixed) Scan(dest ...any) error { return p.s.Scan(append(p.pre, dest...)...) }

// insertSession stores a new session.
func (st store) insertSession(ctx context.Context, hash string, userID int64, kind, csrf, ip, ua string,
	now, expires time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, kind, csrf_token, ip, user_agent,
		created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		hash, userID, kind, csrf, ip, ua, now, now, expires)
	return err
}

// touchSession records activity on a session.
func (st store) touchSession(ctx context.Context, hash string, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now, hash)
	return err
}

// deleteSession removes one session and reports whether it existed.
func (st store) deleteSession(ctx context.Context, hash string) (bool, error) {
	res, err := st.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// deleteUserSessions ends every session of a user and returns how many.
func (st store) deleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := st.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// deleteDeadSessions removes the sessions that expired before expiredBefore
// or were last used before idleBefore; it runs at each login.
func (st store) deleteDeadSessions(ctx context.Context, expiredBefore, idleBefore time.Time) error {
	_, err := st.db.Exec(ctx, `DELETE FROM sessions
		WHERE expires_at < ? OR last_seen_at < ? OR revoked_at IS NOT NULL`, expiredBefore, idleBefore)
	return err
}

// lockedUntil returns the end of the last lock of username (zero if none).
func (st store) lockedUntil(ctx context.Context, username string) (time.Time, error) {
	var t time.Time
	err := st.db.QueryRow(ctx, `SELECT locked_until FROM login_locks WHERE username = ?`, username).Scan(&t)
	t, _, err = found(t, err)
	return t, err
}

// setLock locks username until the given time.
func (st store) setLock(ctx context.Context, username string, until time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO login_locks (username, locked_until) VALUES (?, ?)
		ON CONFLICT (username) DO UPDATE SET locked_until = excluded.locked_until`, username, until)
	return err
}

// failuresSince counts the failed logins of username after since.
func (st store) failuresSince(ctx context.Context, username string, since time.Time) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT count(*) FROM login_failures WHERE username = ? AND at > ?`,
		username, since).Scan(&n)
	return n, err
}

// ipFailuresSince counts the failed logins from ip after since.
func (st store) ipFailuresSince(ctx context.Context, ip string, since time.Time) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT count(*) FROM login_failures WHERE ip = ? AND at > ?`,
		ip, since).Scan(&n)
	return n, err
}

// addFailure records a failed login and forgets failures older than
// before, which no longer count for any name or address.
func (st store) addFailure(ctx context.Context, username, ip string, now, before time.Time) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM login_failures WHERE at < ?`, before); err != nil {
		return err
	}
	_, err := st.db.Exec(ctx, `INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)`, username, ip, now)
	return err
}

// clearFailures forgets the failures and lock of username after a success.
func (st store) clearFailures(ctx context.Context, username string) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM login_failures WHERE username = ?`, username); err != nil {
		return err
	}
	_, err := st.db.Exec(ctx, `DELETE FROM login_locks WHERE username = ?`, username)
	return err
}
