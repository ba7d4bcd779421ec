package places

import (
	"context"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/registry"
)

// houseRefs are the records that may point at a house, by table, with the
// name a refusal gives them.
// People and households are the registry's to count (registry.HouseLinks).
var houseRefs = []struct{ table, what string }{
	{"organisations", "organisations"},
	{"roster_entries", "roster entries"},
}

// DeleteHouse removes a house from the registry for a stated reason, under
// the optimistic lock (version 0 skips the check). It needs registry.write
// over the house (a house out of scope is not_found); the reason is
// required; a house that people, households, organisations or roster
// entries still point at is refused with a conflict (unlink them first).
// Its occupant ties go with it. The audit entry keeps the reason and what
// the house was, in the same transaction.
func (s *Service) DeleteHouse(ctx context.Context, id int64, version int, reason string) error {
	reason = strings.TrimSpace(reason)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		_, have, err := s.current(ctx, "houses", id, registry.PermWrite)
		if err != nil {
			return err
		}
		if err := stale(version, have); err != nil {
			return err
		}
		if reason == "" {
			return apperr.Field("reason", apperr.Required)
		}
		people, households, err := s.reg.HouseLinks(ctx, id)
		if err != nil {
			return apperr.Wrap(err, "house links")
		}
		for _, l := range []struct {
			n    int
			what string
		}{{people, "people"}, {households, "households"}} {
			if l.n > 0 {
				return apperr.Newf(apperr.Conflict, "the house is still linked to %d %s", l.n, l.what).WithReason("in_use")
			}
		}
		for _, ref := range houseRefs {
			n, err := s.st.houseRefs(ctx, ref.table, id)
			if err != nil {
				return apperr.Wrap(err, ref.table)
			}
			if n > 0 {
				return apperr.Newf(apperr.Conflict, "the house is still linked to %d %s", n, ref.what).WithReason("in_use")
			}
		}
		addr, grid, unit, err := s.st.houseSummary(ctx, id)
		if err != nil {
			return apperr.Wrap(err, "house")
		}
		if err := s.st.deleteOccupants(ctx, id); err != nil {
			return apperr.Wrap(err, "delete occupants")
		}
		ok, err := s.st.deleteHouse(ctx, id, have)
		if err != nil {
			return apperr.Wrap(err, "delete house")
		}
		if !ok {
			return apperr.New(apperr.Conflict, "the record was changed by someone else").WithReason("stale")
		}
		return s.record(ctx, "house.delete", "house", id, map[string]any{"reason": reason, "address": addr,
			"grid": grid, "unit": unit, "version": have})
	})
}
