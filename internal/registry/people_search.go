package registry

import (
	"context"
	"fmt"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
	"gridgov/internal/seal"
)

// Paging of people lists.
const (
	defaultPeopleLimit = 50
	maxPeopleLimit     = 500
)

// People lists the people the actor may see (registry.read scope, and
// key-group people only within registry.keygroup scope), newest first —
// or by name when searching by name — with the total. Identifiers are
// always masked, birth dates and addresses cut as for lists (MaskForList).
// IDNumber and Phone match exactly through the blind index: such a search
// is limited per user and hour (429 past the limit, with an alert), and
// recorded with its hit count (identifier_lookups, person.lookup) and its
// hits in person_access. Special- and key-group members shown by any list
// are recorded in person_access too.
func (s *Service) People(ctx context.Context, f PeopleFilter) ([]Person, int, error) {
	if err := rbac.RequireAny(ctx, PermRead); err != nil {
		return nil, 0, err
	}
	where, args, err := s.peopleWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	fields := exactFields(f)
	if len(fields) > 0 {
		if err := s.checkLookups(ctx); err != nil {
			return nil, 0, err
		}
	}
	from := ` FROM people p WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count people: %w", err)
	}
	limit, offset, err := db.Paging{Default: defaultPeopleLimit, Max: maxPeopleLimit}.Apply(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	order := ` ORDER BY p.id DESC`
	if strings.TrimSpace(f.Name) != "" {
		order = ` ORDER BY p.name, p.id`
	}
	rows, err := s.db.Query(ctx, `SELECT `+personCols+from+order+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list people: %w", err)
		}
		p.MaskForList()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if err := s.discloseList(ctx, out, total, fields); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// exactFields names the identifier fields a filter searches exactly.
func exactFields(f PeopleFilter) []string {
	var out []string
	if strings.TrimSpace(f.IDNumber) != "" {
		out = append(out, "id_number")
	}
	if strings.TrimSpace(f.Phone) != "" {
		out = append(out, "phone")
	}
	return out
}

// discloseList records what a list answer discloses: for an exact
// identifier search its lookups and hits (refused past the hourly people
// limit, the lookups still counted), and any group member shown.
func (s *Service) discloseList(ctx context.Context, ps []Person, total int, fields []string) error {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	var limitErr error
	if len(fields) > 0 {
		limitErr = s.checkPeople(ctx, ids)
		if limitErr != nil && apperr.CodeOf(limitErr) != apperr.TooManyRequests {
			return limitErr
		}
	}
	members, err := s.groupMembersAmong(ctx, ids)
	if err != nil {
		return err
	}
	if len(fields) == 0 && len(members) == 0 {
		return nil
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		ref := requestRef(ctx)
		if len(fields) > 0 {
			var err error
			if ref, err = s.recordLookups(ctx, fields, total); err != nil {
				return err
			}
			if limitErr != nil {
				return nil
			}
			// The hits are logged as such; members among them need no second row.
			members = nil
			if err := s.logAccess(ctx, AccessSearchHit, ids, ref); err != nil {
				return err
			}
		}
		return s.logAccess(ctx, AccessList, members, ref)
	})
	if err != nil {
		return err
	}
	return limitErr
}

// peopleWhere builds the conditions of a people query on p: the filter,
// the actor's scope and the key-group rule; removed people never match.
func (s *Service) peopleWhere(ctx context.Context, f PeopleFilter) ([]string, []any, error) {
	a := actor.From(ctx)
	visible, args := PersonVisibleSQL(a, "p")
	where := []string{"p.deleted_at IS NULL", visible}
	add := func(cond string, vs ...any) { where = append(where, cond); args = append(args, vs...) }
	if n := strings.ToUpper(strings.TrimSpace(f.IDNumber)); n != "" {
		if id, err := seal.ParseIDCard(n, s.now()); err == nil {
			n = id.Number
		}
		add("p.id_bidx IN (?, ?, ?)", s.seal.Index(IdxID, IDIndexValue(IDResident, n)),
			s.seal.Index(IdxID, IDIndexValue(IDPassport, n)), s.seal.Index(IdxID, IDIndexValue(IDOther, n)))
	}
	if ph := strings.TrimSpace(f.Phone); ph != "" {
		norm, err := seal.NormalizePhone(ph)
		if err != nil {
			return nil, nil, apperr.FieldProblem("phone", apperr.ProblemOf(err))
		}
		add("p.phone_bidx = ?", s.seal.Index(IdxPhone, norm))
	}
	if n := strings.TrimSpace(f.Name); n != "" {
		add(db.HasPrefix("p.name", n))
	}
	if ad := strings.TrimSpace(f.Address); ad != "" {
		add(db.Contains("p.address", ad))
	}
	if g := strings.TrimSpace(f.GridCode); g != "" {
		add("p.grid_code = ?", g)
	}
	if u := strings.TrimSpace(f.UnitCode); u != "" {
		path, ok, err := s.units.UnitPath(ctx, u)
		if err != nil {
			return nil, nil, fmt.Errorf("unit: %w", err)
		}
		if !ok {
			return nil, nil, apperr.Field("unit_code", apperr.UnknownUnit, "code", u)
		}
		add("p.unit_path LIKE ?", path+"%")
	}
	if k := strings.TrimSpace(f.GroupKind); k != "" {
		add(`EXISTS (SELECT 1 FROM group_members g WHERE g.person_id = p.id AND g.group_kind = ? AND g.ended_at IS NULL)`, k)
	}
	if t := strings.TrimSpace(f.PersonType); t != "" {
		if !personTypes[t] {
			return nil, nil, apperr.Field("person_type", apperr.OneOf, "values", "registered, migrant, foreign, left_behind")
		}
		add("p.person_type = ?", t)
	}
	if f.AwaitingGrid {
		add("p.grid_code IS NULL")
	}
	if f.KeyGroupOnly {
		add("p.key_group = ?", true)
	}
	return where, args, nil
}
