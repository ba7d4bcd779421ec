package places

import (
	"context"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// Organisation kinds.
var orgKinds = map[string]bool{"enterprise": true, "legal_entity": true, "non_public": true, "social": true}

// OrganisationInput creates or updates an organisation (an update replaces
// every field but Phone). Phone is plain here and sealed on write: nil
// keeps the stored phone, "" clears it.
type OrganisationInput struct {
	Kind      string            `json:"kind"`
	Name      string            `json:"name"`
	USCC      string            `json:"uscc"`
	LegalRep  string            `json:"legal_rep"`
	Phone     *string           `json:"phone"`
	Industry  string            `json:"industry"`
	Employees *int              `json:"employees"`
	Address   string            `json:"address"`
	HouseID   *int64            `json:"house_id"`
	Lat       *float64          `json:"lat"`
	Lng       *float64          `json:"lng"`
	GridCode  string            `json:"grid_code"`
	UnitCode  string            `json:"unit_code"`
	Extra     map[string]string `json:"extra"`
	Source    registry.Source   `json:"source"`
	// Version is the optimistic lock on update (0 skips the check).
	Version int `json:"version"`
	// Unread holds the problems the caller met reading the input (a form's
	// number that is not one): the service reports them with its own, all
	// at once, and writes nothing.
	Unread apperr.FieldErrors `json:"-"`
}

// OrganisationFilter selects organisations: Name matches a prefix, USCC
// and Phone exactly (the phone through its blind index), UnitCode a
// unit's subtree.
type OrganisationFilter struct {
	Kind     string
	Name     string
	USCC     string
	Phone    string
	GridCode string
	UnitCode string
	Limit    int
	Offset   int
}

// sealedPhone is a phone ready to store.
type sealedPhone struct {
	enc, idx []byte
	mask     string
}

func (s *Service) cleanOrganisation(ctx context.Context, in *OrganisationInput) (*sealedPhone, error) {
	errs := in.Unread.Copy()
	in.Name, in.LegalRep = strings.TrimSpace(in.Name), strings.TrimSpace(in.LegalRep)
	in.USCC, in.Address = NormalizeUSCC(in.USCC), strings.TrimSpace(in.Address)
	if !orgKinds[in.Kind] {
		errs.Add("kind", apperr.OneOf, "values", "enterprise, legal_entity, non_public, social")
	}
	if in.Name == "" {
		errs.Add("name", apperr.Required)
	}
	if in.USCC != "" {
		if err := CheckUSCC(in.USCC); err != nil {
			errs.Add("uscc", apperr.USCC, "why", apperr.ProblemOf(err))
		}
	}
	if in.Employees != nil && *in.Employees < 0 {
		errs.Add("employees", apperr.NotNegative)
	}
	var phone *sealedPhone
	if in.Phone != nil {
		phone = &sealedPhone{}
		if strings.TrimSpace(*in.Phone) != "" {
			p, err := seal.NormalizePhone(*in.Phone)
			if err != nil {
				// The message would echo the number: name the problem only.
				errs.Add("phone", apperr.Phone)
			} else {
				enc, err := s.reg.Sealer().Seal(registry.IdxPhone, p)
				if err != nil {
					return nil, apperr.Wrap(err, "seal phone")
				}
				phone = &sealedPhone{enc: enc, idx: s.reg.Sealer().Index(registry.IdxPhone, p), mask: seal.MaskPhone(p)}
			}
		}
	}
	checkPoint(errs, in.Lat, in.Lng)
	checkSource(errs, &in.Source)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if in.HouseID != nil {
		if err := s.visibleHouse(ctx, *in.HouseID, "house_id"); err != nil {
			return nil, err
		}
	}
	return phone, nil
}

func usccTaken(err error) bool { return db.IsUniqueViolation(err) }

// CreateOrganisation adds an organisation; its USCC, when given, is unique.
func (s *Service) CreateOrganisation(ctx context.Context, in OrganisationInput) (Organisation, error) {
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return Organisation{}, err
	}
	phone, err := s.cleanOrganisation(ctx, &in)
	if err != nil {
		return Organisation{}, err
	}
	if phone == nil {
		phone = &sealedPhone{}
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = s.st.insertOrganisation(ctx, in, *phone, t, now)
		if usccTaken(err) {
			return conflictField("uscc", "an organisation with this unified social credit code exists")
		}
		if err != nil {
			return apperr.Wrap(err, "insert organisation")
		}
		return s.record(ctx, "organisation.create", "organisation", id, map[string]any{"kind": in.Kind, "name": in.Name,
			"uscc": in.USCC, "grid": t.Grid, "unit": t.Unit, "source": string(in.Source)})
	})
	if err != nil {
		return Organisation{}, err
	}
	return s.OrganisationByID(ctx, id)
}

// UpdateOrganisation replaces an organisation's fields under the
// optimistic lock (the phone only when given).
func (s *Service) UpdateOrganisation(ctx context.Context, id int64, in OrganisationInput) (Organisation, error) {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, "organisations", id, registry.PermWrite)
		if err != nil {
			return err
		}
		if err := stale(in.Version, version); err != nil {
			return err
		}
		phone, err := s.cleanOrganisation(ctx, &in)
		if err != nil {
			return err
		}
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		err = s.st.updateOrganisation(ctx, id, version, in, phone, t, s.now())
		if usccTaken(err) {
			return conflictField("uscc", "an organisation with this unified social credit code exists")
		}
		if err != nil {
			return apperr.As(err)
		}
		return s.record(ctx, "organisation.update", "organisation", id, map[string]any{"name": in.Name, "uscc": in.USCC,
			"grid": t.Grid, "unit": t.Unit, "phone_changed": phone != nil, "version": version + 1})
	})
	if err != nil {
		return Organisation{}, err
	}
	return s.OrganisationByID(ctx, id)
}

// VerifyOrganisation records that the organisation was checked in the field.
func (s *Service) VerifyOrganisation(ctx context.Context, id int64, note string) (Organisation, error) {
	if err := s.verify(ctx, "organisations", "organisation", id, note); err != nil {
		return Organisation{}, err
	}
	return s.OrganisationByID(ctx, id)
}

// OrganisationByID returns an organisation, its phone masked.
func (s *Service) OrganisationByID(ctx context.Context, id int64) (Organisation, error) {
	if _, _, err := s.current(ctx, "organisations", id, registry.PermRead); err != nil {
		return Organisation{}, err
	}
	o, err := s.st.organisation(ctx, id)
	if err != nil {
		return Organisation{}, apperr.Wrap(err, "organisation")
	}
	return o, nil
}

// Organisations lists the organisations in the actor's scope matching f.
func (s *Service) Organisations(ctx context.Context, f OrganisationFilter) ([]Organisation, int, error) {
	w, err := scoped(ctx, "o.")
	if err != nil {
		return nil, 0, err
	}
	if err := s.unitSubtree(ctx, w, "o.", f.UnitCode); err != nil {
		return nil, 0, err
	}
	if f.Kind != "" {
		w.add("o.kind = ?", f.Kind)
	}
	if f.Name = strings.TrimSpace(f.Name); f.Name != "" {
		w.add(db.HasPrefix("o.name", f.Name))
	}
	if f.USCC != "" {
		w.add("o.uscc = ?", NormalizeUSCC(f.USCC))
	}
	if f.Phone != "" {
		p, err := seal.NormalizePhone(f.Phone)
		if err != nil {
			return nil, 0, apperr.Field("phone", apperr.Phone)
		}
		w.add("o.phone_bidx = ?", s.reg.Sealer().Index(registry.IdxPhone, p))
	}
	if f.GridCode != "" {
		w.add("o.grid_code = ?", f.GridCode)
	}
	return s.st.organisations(ctx, w, f.Limit, f.Offset)
}
