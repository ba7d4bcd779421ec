package registry

import (
	"context"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// Selection is the people of a filter that the acting user may read and
// export, as SelectExportable built it; CountSelected counts them and
// EachSelected reads them. (The bulk export of internal/registry/transfer
// uses it.)
type Selection struct {
	cond string
	args []any
}

// SelectExportable selects the live people matching f that the actor may
// see and export: the person-visibility rule (scope and key group) and
// the registry.export scope. Limit and Offset of f are ignored.
func (s *Service) SelectExportable(ctx context.Context, f PeopleFilter) (Selection, error) {
	where, args, err := s.peopleWhere(ctx, f)
	if err != nil {
		return Selection{}, err
	}
	exp, eargs := rbac.ScopeOf(actor.From(ctx), PermExport).SQL("p.unit_path")
	where, args = append(where, exp), append(args, eargs...)
	return Selection{cond: strings.Join(where, " AND "), args: args}, nil
}

// CountSelected counts the people of sel.
func (s *Service) CountSelected(ctx context.Context, sel Selection) (int, error) {
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM people p WHERE `+sel.cond, sel.args...).Scan(&total); err != nil {
		return 0, apperr.Wrap(err, "count export")
	}
	return total, nil
}

// EachSelected calls fn with each person of sel in id order, as a list
// shows them before masking (identifiers masked, see Person.MaskForList);
// an error of fn ends the reading and is returned as it is.
func (s *Service) EachSelected(ctx context.Context, sel Selection, fn func(Person) error) error {
	rows, err := s.db.Query(ctx, `SELECT `+personCols+` FROM people p WHERE `+sel.cond+` ORDER BY p.id`, sel.args...)
	if err != nil {
		return apperr.Wrap(err, "export people")
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return apperr.Wrap(err, "export people")
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return apperr.Wrap(err, "export people")
	}
	return nil
}

// RecordRef appends an audit entry and returns the reference
// ("audit:<seq>") under which person_access rows (LogAccess) refer to it.
func (s *Service) RecordRef(ctx context.Context, e audit.Entry) (string, error) {
	return s.recordRef(ctx, e)
}
