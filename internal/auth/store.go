package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
)

// store holds the SQL of users, grants and roles; it makes no policy
// decisions. Session and login SQL is in store_session.go.
type store struct{ db *db.DB }

// userRec is a user row with what policy needs beside the public fields.
type userRec struct {
	User
	path string // materialised path of the home unit
	hash string // password hash, only filled by userByName
}

// grantRec is a grant with its role's permissions and the scope's path.
type grantRec struct {
	Grant
	userID int64
	perms  string
	path   string
}

// userColumns reads a user with the name and path of their home unit, which
// the org module answers (orgdir).
var userColumns = `u.id, u.username, u.display_name, u.staff_id, u.unit_code, COALESCE(` +
	orgdir.NameOf("u.unit_code") + `, ''), COALESCE(` + orgdir.PathOf("u.unit_code") + `, ''), u.disabled,
	u.password_changed_at, u.created_at, u.updated_at`

const userFrom = ` FROM users u`

func scanUser(s interface{ Scan(...any) error }, extra ...any) (userRec, error) {
	var r userRec
	var staff sql.NullInt64
	dest := append([]any{&r.ID, &r.Username, &r.DisplayName, &staff, &r.UnitCode, &r.UnitName, &r.path,
		&r.Disabled, &r.PasswordChangedAt, &r.CreatedAt, &r.UpdatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return r, err
	}
	if staff.Valid {
		r.StaffID = &staff.Int64
	}
	return r, nil
}

// userByID returns the user with id; ok is false when there is none.
func (st store) userByID(ctx context.Context, id int64) (userRec, bool, error) {
	r, err := scanUser(st.db.QueryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = ?`, id))
	return found(r, err)
}

// userByName returns the user called name with its password hash.
func (st store) userByName(ctx context.Context, name string) (userRec, bool, error) {
	var hash string
	row := st.db.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash`+userFrom+` WHERE u.username = ?`, name)
	r, err := scanUser(row, &hash)
	r.hash = hash
	return found(r, err)
}

func found[T any](v T, err error) (T, bool, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// listUsers returns one page of users matching cond (a WHERE condition on
// u = users) and the total count.
func (st store) listUsers(ctx context.Context, cond string, args []any, limit, offset int) ([]userRec, int, error) {
	var total int
	countArgs := append([]any(nil), args...)
	if err := st.db.QueryRow(ctx, `SELECT count(*)`+userFrom+` WHERE `+cond, countArgs...).Scan(&total); err != nil {
		return nil, 0, err
	}
	pageArgs := append(append([]any(nil), args...), limit, offset)
	rows, err := st.db.Query(ctx, `SELECT `+userColumns+userFrom+` WHERE `+cond+
		` ORDER BY u.username LIMIT ? OFFSET ?`, pageArgs...)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.CollectRows(rows, func(sc db.Scanner) (userRec, error) { return scanUser(sc) })
	return out, total, err
}

// grantsOf returns the grants of the users ids, in grant order.
func (st store) grantsOf(ctx context.Context, ids ...int64) ([]grantRec, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := st.db.Query(ctx, `SELECT g.id, g.user_id, r.name, r.permissions, g.scope_code, `+
		orgdir.NameOf("g.scope_code")+`, `+orgdir.PathOf("g.scope_code")+`
		FROM grants g JOIN roles r ON r.id = g.role_id
		WHERE g.user_id IN (`+marks+`) AND `+orgdir.PathOf("g.scope_code")+` IS NOT NULL ORDER BY g.id`, args...)
	if err != nil {
		return nil, err
	}
	return db.CollectRows(rows, func(sc db.Scanner) (grantRec, error) {
		var g grantRec
		err := sc.Scan(&g.ID, &g.userID, &g.Role, &g.perms, &g.ScopeCode, &g.ScopeName, &g.path)
		return g, err
	})
}

// unit returns the path and name of a unit; ok is false when there is none.
func (st store) unit(ctx context.Context, code string) (path, name string, ok bool, err error) {
	u, ok, err := orgdir.New(st.db).Unit(ctx, code)
	return u.Path, u.Name, ok, err
}

// staffPath returns the path of a staff member's unit.
func (st store) staffPath(ctx context.Context, id int64) (string, bool, error) {
	return orgdir.New(st.db).StaffPath(ctx, id)
}

// insertUser stores a new user and returns its id.
func (st store) insertUser(ctx context.Context, in UserInput, hash string, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO users (username, display_name, staff_id, unit_code, password_hash,
		password_changed_at, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Username, in.DisplayName, in.StaffID, in.UnitCode, hash, now, false, now, now).Scan(&id)
	return id, err
}

// insertGrant stores a grant and returns its id.
func (st store) insertGrant(ctx context.Context, userID, roleID int64, scope string, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO grants (user_id, role_id, scope_code, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, userID, roleID, scope, now).Scan(&id)
	return id, err
}

// deleteGrant removes grant id of user; it reports whether a row went.
func (st store) deleteGrant(ctx context.Context, userID, id int64) (bool, error) {
	res, err := st.db.Exec(ctx, `DELETE FROM grants WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// updateUser writes the changeable fields of u.
func (st store) updateUser(ctx context.Context, u User, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE users SET display_name = ?, unit_code = ?, staff_id = ?, disabled = ?,
		updated_at = ? WHERE id = ?`, u.DisplayName, u.UnitCode, u.StaffID, u.Disabled, now, u.ID)
	return err
}

// setPasswordHash replaces a user's password hash.
func (st store) setPasswordHash(ctx context.Context, id int64, hash string, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?
		WHERE id = ?`, hash, now, now, id)
	return err
}

// rehash replaces a password hash with one of the same password at another
// cost; the password itself did not change.
func (st store) rehash(ctx context.Context, id int64, hash string) error {
	_, err := st.db.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
	return err
}

// passwordHash returns the stored hash of user id.
func (st store) passwordHash(ctx context.Context, id int64) (string, bool, error) {
	var h string
	err := st.db.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&h)
	return found(h, err)
}

const roleColumns = `id, name, title, builtin, permissions, created_at, updated_at`

func scanRole(s db.Scanner) (Role, error) {
	var r Role
	var perms string
	err := s.Scan(&r.ID, &r.Name, &r.Title, &r.Builtin, &perms, &r.CreatedAt, &r.UpdatedAt)
	r.Permissions = strings.Fields(perms)
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	return r, err
}

// roleByName returns a role; ok is false when there is none.
func (st store) roleByName(ctx context.Context, name string) (Role, bool, error) {
	r, err := scanRole(st.db.QueryRow(ctx, `SELECT `+roleColumns+` FROM roles WHERE name = ?`, name))
	return found(r, err)
}

// listRoles returns every role, built-in ones first.
func (st store) listRoles(ctx context.Context) ([]Role, error) {
	rows, err := st.db.Query(ctx, `SELECT `+roleColumns+` FROM roles ORDER BY builtin DESC, name`)
	if err != nil {
		return nil, err
	}
	return db.CollectRows(rows, scanRole)
}

// insertRole stores a new role and returns its id.
func (st store) insertRole(ctx context.Context, r Role, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO roles (name, title, builtin, permissions, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.Name, r.Title, r.Builtin,
		strings.Join(r.Permissions, " "), now, now).Scan(&id)
	return id, err
}

// updateRole rewrites the title and permissions of role id.
func (st store) updateRole(ctx context.Context, r Role, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE roles SET title = ?, permissions = ?, builtin = ?, updated_at = ?
		WHERE id = ?`, r.Title, strings.Join(r.Permissions, " "), r.Builtin, now, r.ID)
	return err
}

// deleteRole removes role id.
func (st store) deleteRole(ctx context.Context, id int64) error {
	_, err := st.db.Exec(ctx, `DELETE FROM roles WHERE id = ?`, id)
	return err
}

// roleGrantCount counts the grants of role id.
func (st store) roleGrantCount(ctx context.Context, id int64) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT count(*) FROM grants WHERE role_id = ?`, id).Scan(&n)
	return n, err
}
