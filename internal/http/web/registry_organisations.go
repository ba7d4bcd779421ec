package web

import (
	"net/http"
	"net/url"
	"strconv"

	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// orgKindCodes are the organisation kinds offered when the org_kind code
// table cannot be read.
var orgKindCodes = []string{"enterprise", "legal_entity", "non_public", "social"}

func init() { pages = append(pages, "registry_organisation", "registry_organisation_form") }

// organisationRoutes mounts an organisation's page, its forms and its
// verification; on wraps a handler so that it answers 404 without the
// places service.
func (s *server) organisationRoutes(mux *http.ServeMux, on func(pageFunc) http.Handler) {
	mux.Handle("GET /registry/organisations/new", on(s.newOrganisationForm))
	mux.Handle("POST /registry/organisations", on(s.createOrganisation))
	mux.Handle("GET /registry/organisations/{id}", on(s.organisationPage))
	mux.Handle("GET /registry/organisations/{id}/edit", on(s.editOrganisationForm))
	mux.Handle("POST /registry/organisations/{id}", on(s.updateOrganisation))
	mux.Handle("POST /registry/organisations/{id}/verify", on(s.verifyOrganisation))
}

// organisationURL is the console page of an organisation.
func organisationURL(id int64) string { return "/registry/organisations/" + strconv.FormatInt(id, 10) }

// organisationData is an organisation's page; its phone is masked as the
// service gives it.
type organisationData struct {
	Organisation places.Organisation
	placeHead
	KindNames map[string]string
}

// organisationPage handles GET /registry/organisations/{id}.
func (s *server) organisationPage(w http.ResponseWriter, r *http.Request) error {
	id, ok := recordID(r)
	if !ok {
		return errNotFound()
	}
	o, err := s.Places.OrganisationByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.showOrganisation(w, r, http.StatusOK, s.newView(r, "registry.organisation", "registry", nil), o)
	return nil
}

// showOrganisation renders an organisation's page.
func (s *server) showOrganisation(w http.ResponseWriter, r *http.Request, status int, v *view, o places.Organisation) {
	d := &organisationData{Organisation: o, placeHead: s.placeHeadOf(r.Context(), o.GridCode, o.UnitCode)}
	_, d.KindNames = s.placeCodes(r.Context(), "org_kind", v.Lang, orgKindCodes)
	v.Data, v.TitleText = d, o.Name
	s.render(w, r, status, "registry_organisation", v)
}

// organisationForWrite checks registry.write somewhere and loads the
// organisation of the path (404 out of scope); on failure it has answered.
func (s *server) organisationForWrite(w http.ResponseWriter, r *http.Request) (places.Organisation, bool) {
	id, ok := recordID(r)
	if !ok {
		s.notFound(w, r)
		return places.Organisation{}, false
	}
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		s.fail(w, r, err)
		return places.Organisation{}, false
	}
	o, err := s.Places.OrganisationByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return places.Organisation{}, false
	}
	return o, true
}

// newOrganisationForm handles GET /registry/organisations/new.
func (s *server) newOrganisationForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		return err
	}
	v := s.newView(r, "registry.organisation_new", "registry", nil)
	v.Form = url.Values{"source": {string(registry.SourceOwn)}, "kind": {"enterprise"}}
	s.showOrganisationForm(w, r, http.StatusOK, v, nil)
	return nil
}

// showOrganisationForm renders the create (o nil) or edit form of an
// organisation. The phone field starts empty: the page shows the mask,
// and an empty field keeps the stored phone.
func (s *server) showOrganisationForm(w http.ResponseWriter, r *http.Request, status int, v *view, o *places.Organisation) {
	var id int64
	var name string
	if o != nil {
		id, name = o.ID, o.Name
		v.TitleText = name
	}
	d := s.newPlaceForm(r, v, id, name, "org_kind", orgKindCodes)
	v.Data = &organisationFormData{placeForm: d, Organisation: o}
	s.render(w, r, status, "registry_organisation_form", v)
}

// organisationFormData is the create or edit form of an organisation.
type organisationFormData struct {
	*placeForm
	Organisation *places.Organisation // nil on the new form
}

// organisationInput reads an organisation's form onto in (the current
// fields on edit, so that the house and extra fields stay). An empty phone
// keeps the stored one; "clear_phone" clears it.
func organisationInput(r *http.Request, in places.OrganisationInput) places.OrganisationInput {
	f := func(k string) string { return r.PostFormValue(k) }
	errs := apperr.FieldErrors{}
	in.Kind, in.Name, in.USCC, in.LegalRep, in.Industry = f("kind"), f("name"), f("uscc"), f("legal_rep"), f("industry")
	in.Address = f("address")
	in.Employees, in.Lat, in.Lng = formInt(r, errs, "employees"), formFloat(r, errs, "lat"), formFloat(r, errs, "lng")
	in.GridCode, in.UnitCode, in.Source = f("grid_code"), f("unit_code"), registry.Source(f("source"))
	in.Phone = nil
	if p := f("phone"); p != "" {
		in.Phone = &p
	} else if f("clear_phone") == "1" {
		empty := ""
		in.Phone = &empty
	}
	in.Version, _ = strconv.Atoi(f("version"))
	in.Unread = errs // the service reports them with its own problems
	return in
}

// organisationForm fills an edit form from an organisation (without its
// phone, which is only known masked).
func organisationForm(o places.Organisation) url.Values {
	emp := ""
	if o.Employees != nil {
		emp = strconv.Itoa(*o.Employees)
	}
	return url.Values{"kind": {o.Kind}, "name": {o.Name}, "uscc": {o.USCC}, "legal_rep": {o.LegalRep},
		"industry": {o.Industry}, "employees": {emp}, "address": {o.Address}, "lat": {fmtFloat(o.Lat)},
		"lng": {fmtFloat(o.Lng)}, "grid_code": {o.GridCode}, "unit_code": {o.UnitCode}, "source": {string(o.Source)},
		"version": {strconv.Itoa(o.Version)}}
}

// createOrganisation handles POST /registry/organisations.
func (s *server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Places.CreateOrganisation(r.Context(), organisationInput(r, places.OrganisationInput{}))
	if err != nil {
		v := s.newView(r, "registry.organisation_new", "registry", nil)
		if status, ok := s.placeFormFailed(w, r, v, err, "phone"); ok {
			s.showOrganisationForm(w, r, status, v, nil)
		}
		return nil
	}
	seeOther(w, r, organisationURL(o.ID), "flash.registry_organisation_created")
	return nil
}

// editOrganisationForm handles GET /registry/organisations/{id}/edit.
func (s *server) editOrganisationForm(w http.ResponseWriter, r *http.Request) error {
	o, ok := s.organisationForWrite(w, r)
	if !ok {
		return nil
	}
	v := s.newView(r, "registry.organisation_edit", "registry", nil)
	v.Form = organisationForm(o)
	s.showOrganisationForm(w, r, http.StatusOK, v, &o)
	return nil
}

// updateOrganisation handles POST /registry/organisations/{id} under the
// version the form was read at (a stale one is refused).
func (s *server) updateOrganisation(w http.ResponseWriter, r *http.Request) error {
	cur, ok := s.organisationForWrite(w, r)
	if !ok {
		return nil
	}
	_, err := s.Places.UpdateOrganisation(r.Context(), cur.ID, organisationInput(r, cur.Input()))
	if err != nil {
		v := s.newView(r, "registry.organisation_edit", "registry", nil)
		if status, ok := s.placeFormFailed(w, r, v, err, "phone"); ok {
			s.showOrganisationForm(w, r, status, v, &cur)
		}
		return nil
	}
	seeOther(w, r, organisationURL(cur.ID), "flash.registry_organisation_updated")
	return nil
}

// verifyOrganisation handles POST /registry/organisations/{id}/verify (核对).
func (s *server) verifyOrganisation(w http.ResponseWriter, r *http.Request) error {
	id, ok := recordID(r)
	if !ok {
		return errNotFound()
	}
	if _, err := s.Places.VerifyOrganisation(r.Context(), id, r.PostFormValue("note")); err != nil {
		v := s.newView(r, "registry.organisation", "registry", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		o, gerr := s.Places.OrganisationByID(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		s.showOrganisation(w, r, status, v, o)
		return nil
	}
	seeOther(w, r, organisationURL(id), "flash.registry_verified")
	return nil
}
