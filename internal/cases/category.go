package cases

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"gridgov/internal/apperr"
	"regexp"
	"strings"
	"time"

	"gridgov/internal/audit"
)

//go:embed data/catalogue.json
var catalogueJSON []byte

// Catalogue returns the standard catalogue shipped with gridgov.
func Catalogue() ([]CategoryInput, error) {
	var out []CategoryInput
	if err := json.Unmarshal(catalogueJSON, &out); err != nil {
		return nil, fmt.Errorf("standard catalogue: %w", err)
	}
	return out, nil
}

// EnsureCatalogue upserts the standard catalogue; call it at start. Units'
// own categories are left alone.
func (s *Service) EnsureCatalogue(ctx context.Context) error {
	cats, err := Catalogue()
	if err != nil {
		return err
	}
	now := s.now()
	defer s.cats.drop()
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, in := range cats {
			if err := s.validCategory(&in, false); err != nil {
				return fmt.Errorf("standard category %s: %w", in.Code, err)
			}
			if err := s.st.upsertStandardCategory(ctx, categoryFrom(in, now)); err != nil {
				return err
			}
		}
		return nil
	})
}

func categoryFrom(in CategoryInput, now time.Time) Category {
	return Category{Code: in.Code, Kind: in.Kind, MajorCode: in.MajorCode, MajorName: in.MajorName,
		Name: in.Name, FilingCondition: in.FilingCondition, ClosingCondition: in.ClosingCondition,
		DefaultDept: in.DefaultDept, Urgency: in.Urgency, Limits: in.Limits, UnitCode: in.UnitCode,
		Active: true, CreatedAt: now, UpdatedAt: now}
}

var (
	codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	deptRe = regexp.MustCompile(`^[a-z0-9_-]{0,32}$`)
)

// validCategory trims and checks a category input; withUnit requires a unit.
func (s *Service) validCategory(in *CategoryInput, withUnit bool) error {
	errs := apperr.FieldErrors{}
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.MajorCode = strings.TrimSpace(in.MajorCode)
	in.MajorName = strings.TrimSpace(in.MajorName)
	in.DefaultDept = strings.TrimSpace(in.DefaultDept)
	in.UnitCode = strings.TrimSpace(in.UnitCode)
	if !codeRe.MatchString(in.Code) {
		errs.Add("code", apperr.CategoryCode)
	}
	switch in.Kind {
	case KindComponent, KindEvent, KindGovernance:
	default:
		errs.Add("kind", apperr.OneOf, "values", "component, event, governance")
	}
	if in.MajorCode == "" {
		errs.Add("major_code", apperr.Required)
	}
	if in.MajorName == "" {
		errs.Add("major_name", apperr.Required)
	}
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		errs.Add("name", apperr.RequiredMaxChars, "n", 100)
	}
	if !deptRe.MatchString(in.DefaultDept) {
		errs.Add("default_dept", apperr.DeptSuffix)
	}
	if in.Urgency == "" {
		in.Urgency = UrgencyNormal
	}
	switch in.Urgency {
	case UrgencyNormal, UrgencyUrgent, UrgencyCritical:
	default:
		errs.Add("urgency", apperr.OneOf, "values", "normal, urgent, critical")
	}
	s.checkLimits(in.Limits, errs)
	if withUnit && in.UnitCode == "" {
		errs.Add("unit_code", apperr.CatalogueUnit)
	}
	return errs.Err()
}

func (s *Service) checkLimits(limits map[string]string, errs apperr.FieldErrors) {
	for _, stage := range []string{StageAccept, StageSign, StageHandle, StageVerify} {
		if strings.TrimSpace(limits[stage]) == "" {
			errs.Add("limits."+stage, apperr.Required)
		}
	}
	for stage, l := range limits {
		switch stage {
		case StageAccept, StageSign, StageHandle, StageVerify:
		default:
			errs.Add("limits."+stage, apperr.UnknownStage)
			continue
		}
		if err := s.checkLimit(l); err != nil {
			errs.AddProblem("limits."+stage, apperr.ProblemOf(err))
		}
	}
}

// Categories lists active categories (all with f.All) matching f. Any
// logged-in user may read the catalogue.
func (s *Service) Categories(ctx context.Context, f CategoryFilter) ([]Category, error) {
	if err := requireLogin(ctx); err != nil {
		return nil, err
	}
	return s.st.categories(ctx, f)
}

// Category returns one category.
func (s *Service) Category(ctx context.Context, code string) (Category, error) {
	if err := requireLogin(ctx); err != nil {
		return Category{}, err
	}
	return s.st.category(ctx, code)
}

// CreateCategory extends the catalogue for a unit (category.write over it).
func (s *Service) CreateCategory(ctx context.Context, in CategoryInput) (Category, error) {
	if err := s.validCategory(&in, true); err != nil {
		return Category{}, err
	}
	path, err := s.st.unitPath(ctx, in.UnitCode, "unit_code")
	if err != nil {
		return Category{}, err
	}
	if err := requireScoped(ctx, PermCategoryWrite, path); err != nil {
		return Category{}, err
	}
	c := categoryFrom(in, s.now())
	defer s.cats.drop()
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.insertCategory(ctx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "category.create", ObjectType: "case_category",
			ObjectID: c.Code, Detail: map[string]any{"name": c.Name, "unit_code": c.UnitCode, "limits": c.Limits}})
	})
	return c, err
}
