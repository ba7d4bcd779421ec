package web

import (
	"net/http"
	"net/url"
	"strconv"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// componentStatusCodes are the component statuses offered when the
// component_status code table cannot be read.
var componentStatusCodes = []string{"intact", "damaged", "lost", "removed"}

func init() { pages = append(pages, "registry_component", "registry_component_form") }

// componentRoutes mounts a component's page, its forms and its
// verification; on wraps a handler so that it answers 404 without the
// places service.
func (s *server) componentRoutes(mux *http.ServeMux, on func(pageFunc) http.Handler) {
	mux.Handle("GET /registry/components/new", on(s.newComponentForm))
	mux.Handle("POST /registry/components", on(s.createComponent))
	mux.Handle("GET /registry/components/{id}", on(s.componentPage))
	mux.Handle("GET /registry/components/{id}/edit", on(s.editComponentForm))
	mux.Handle("POST /registry/components/{id}", on(s.updateComponent))
	mux.Handle("POST /registry/components/{id}/verify", on(s.verifyComponent))
}

// componentURL is the console page of a component.
func componentURL(id int64) string { return "/registry/components/" + strconv.FormatInt(id, 10) }

// componentData is a component's page.
type componentData struct {
	Component places.Component
	placeHead
	StatusNames  map[string]string
	CategoryName string
	// Parts splits the 16-digit object code: district, major and minor
	// category, sequence.
	District, Major, Minor, Seq string
}

// componentPage handles GET /registry/components/{id}.
func (s *server) componentPage(w http.ResponseWriter, r *http.Request) error {
	id, ok := recordID(r)
	if !ok {
		return errNotFound()
	}
	c, err := s.Places.ComponentByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.showComponent(w, r, http.StatusOK, s.newView(r, "registry.component", "registry", nil), c)
	return nil
}

// showComponent renders a component's page.
func (s *server) showComponent(w http.ResponseWriter, r *http.Request, status int, v *view, c places.Component) {
	d := &componentData{Component: c, placeHead: s.placeHeadOf(r.Context(), c.GridCode, c.UnitCode)}
	_, d.StatusNames = s.placeCodes(r.Context(), "component_status", v.Lang, componentStatusCodes)
	d.District, d.Major, d.Minor, d.Seq, _ = places.ObjectCodeParts(c.ObjectCode)
	for _, o := range s.componentCategories(r) {
		if o.Code == c.CategoryCode {
			d.CategoryName = o.Name
		}
	}
	v.Data, v.TitleText = d, c.Name
	s.render(w, r, status, "registry_component", v)
}

// componentCategories lists the case catalogue's component categories
// (C<major><group><minor>), whose digits the service checks against the
// object code; empty without the case service.
func (s *server) componentCategories(r *http.Request) []codeOpt {
	if s.Cases == nil {
		return nil
	}
	cats, err := s.Cases.Categories(r.Context(), cases.CategoryFilter{Kind: cases.KindComponent})
	if err != nil {
		if !hidden(err) {
			s.Log.Warn("console: component categories", "err", err)
		}
		return nil
	}
	out := make([]codeOpt, 0, len(cats))
	for _, c := range cats {
		out = append(out, codeOpt{Code: c.Code, Name: c.MajorName + " · " + c.Name})
	}
	return out
}

// componentForWrite checks registry.write somewhere and loads the
// component of the path (404 out of scope); on failure it has answered.
func (s *server) componentForWrite(w http.ResponseWriter, r *http.Request) (places.Component, bool) {
	id, ok := recordID(r)
	if !ok {
		s.notFound(w, r)
		return places.Component{}, false
	}
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		s.fail(w, r, err)
		return places.Component{}, false
	}
	c, err := s.Places.ComponentByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return places.Component{}, false
	}
	return c, true
}

// newComponentForm handles GET /registry/components/new.
func (s *server) newComponentForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		return err
	}
	v := s.newView(r, "registry.component_new", "registry", nil)
	v.Form = url.Values{"source": {string(registry.SourceOwn)}, "status": {"intact"}}
	s.showComponentForm(w, r, http.StatusOK, v, nil)
	return nil
}

// showComponentForm renders the create (c nil) or edit form of a
// component.
func (s *server) showComponentForm(w http.ResponseWriter, r *http.Request, status int, v *view, c *places.Component) {
	var id int64
	var name string
	if c != nil {
		id, name = c.ID, c.Name
		v.TitleText = name
	}
	d := s.newPlaceForm(r, v, id, name, "component_status", componentStatusCodes)
	d.Categories = s.componentCategories(r)
	v.Data = d
	s.render(w, r, status, "registry_component_form", v)
}

// componentInput reads a component's form onto in.
func componentInput(r *http.Request, in places.ComponentInput) places.ComponentInput {
	f := func(k string) string { return r.PostFormValue(k) }
	errs := apperr.FieldErrors{}
	in.ObjectCode, in.CategoryCode, in.Name, in.Status = f("object_code"), f("category_code"), f("name"), f("status")
	in.OwnerDept, in.Address = f("owner_dept"), f("address")
	in.Lat, in.Lng = formFloat(r, errs, "lat"), formFloat(r, errs, "lng")
	in.GridCode, in.UnitCode, in.Source = f("grid_code"), f("unit_code"), registry.Source(f("source"))
	in.Version, _ = strconv.Atoi(f("version"))
	in.Unread = errs // the service reports them with its own problems
	return in
}

// componentForm fills an edit form from a component.
func componentForm(c places.Component) url.Values {
	return url.Values{"object_code": {c.ObjectCode}, "category_code": {c.CategoryCode}, "name": {c.Name},
		"status": {c.Status}, "owner_dept": {c.OwnerDept}, "address": {c.Address}, "lat": {fmtFloat(c.Lat)},
		"lng": {fmtFloat(c.Lng)}, "grid_code": {c.GridCode}, "unit_code": {c.UnitCode}, "source": {string(c.Source)},
		"version": {strconv.Itoa(c.Version)}}
}

// createComponent handles POST /registry/components.
func (s *server) createComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Places.CreateComponent(r.Context(), componentInput(r, places.ComponentInput{}))
	if err != nil {
		v := s.newView(r, "registry.component_new", "registry", nil)
		if status, ok := s.placeFormFailed(w, r, v, err); ok {
			s.showComponentForm(w, r, status, v, nil)
		}
		return nil
	}
	seeOther(w, r, componentURL(c.ID), "flash.registry_component_created")
	return nil
}

// editComponentForm handles GET /registry/components/{id}/edit.
func (s *server) editComponentForm(w http.ResponseWriter, r *http.Request) error {
	c, ok := s.componentForWrite(w, r)
	if !ok {
		return nil
	}
	v := s.newView(r, "registry.component_edit", "registry", nil)
	v.Form = componentForm(c)
	s.showComponentForm(w, r, http.StatusOK, v, &c)
	return nil
}

// updateComponent handles POST /registry/components/{id} under the
// version the form was read at (a stale one is refused).
func (s *server) updateComponent(w http.ResponseWriter, r *http.Request) error {
	cur, ok := s.componentForWrite(w, r)
	if !ok {
		return nil
	}
	_, err := s.Places.UpdateComponent(r.Context(), cur.ID, componentInput(r, cur.Input()))
	if err != nil {
		v := s.newView(r, "registry.component_edit", "registry", nil)
		if status, ok := s.placeFormFailed(w, r, v, err); ok {
			s.showComponentForm(w, r, status, v, &cur)
		}
		return nil
	}
	seeOther(w, r, componentURL(cur.ID), "flash.registry_component_updated")
	return nil
}

// verifyComponent handles POST /registry/components/{id}/verify (核对).
func (s *server) verifyComponent(w http.ResponseWriter, r *http.Request) error {
	id, ok := recordID(r)
	if !ok {
		return errNotFound()
	}
	if _, err := s.Places.VerifyComponent(r.Context(), id, r.PostFormValue("note")); err != nil {
		v := s.newView(r, "registry.component", "registry", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		c, gerr := s.Places.ComponentByID(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		s.showComponent(w, r, status, v, c)
		return nil
	}
	seeOther(w, r, componentURL(id), "flash.registry_verified")
	return nil
}
