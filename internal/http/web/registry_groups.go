package web

import (
	"net/http"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
)

// visitsDuePageSize is the number of people per page of the visits due.
const visitsDuePageSize = 50

func init() { pages = append(pages, "registry_visits_due") }

// groupRoutes mounts the group membership forms of a person's page and the
// visits due.
func (s *server) groupRoutes(mux *http.ServeMux) {
	mux.Handle("POST /registry/people/{id}/groups", s.page(s.onlyWith(s.Groups != nil, s.addGroupMember)))
	mux.Handle("POST /registry/people/{id}/groups/{mid}/end", s.page(s.onlyWith(s.Groups != nil, s.endGroupMember)))
	mux.Handle("GET /registry/visits/due", s.page(s.onlyWith(s.Groups != nil, s.visitsDuePage)))
}

// attrField is one field of a group kind on the membership form.
type attrField struct {
	Name     string // the form field is "attrs." + Name
	Label    string
	Type     string // text | date | code
	Required bool
	Options  []codeOpt // of a code field
}

// groupForm is the membership form for the chosen group kind.
type groupForm struct {
	Kind   codeOpt
	Key    bool
	Fields []attrField
}

// fillGroupForms adds the group kinds' names and, for a user who may
// write, the kind picker (key-group kinds only with registry.keygroup) and
// the form of the kind chosen (group_kind in the query or the posted form).
func (s *server) fillGroupForms(r *http.Request, v *view, d *personData) {
	ctx := r.Context()
	kinds, err := s.Groups.Kinds(ctx)
	if err != nil {
		s.Log.Warn("console: group kinds", "err", err)
		return
	}
	d.KindNames = map[string]string{}
	for _, k := range kinds {
		d.KindNames[k.Code] = codeName(k, v.Lang)
	}
	if !d.CanWrite {
		return
	}
	key := rbac.HasAnywhere(actor.From(ctx), registry.PermKeyGroup)
	chosen := strings.TrimSpace(r.FormValue("group_kind"))
	for _, k := range kinds {
		if k.Key && !key {
			continue
		}
		d.GroupKinds = append(d.GroupKinds, codeOpt{Code: k.Code, Name: codeName(k, v.Lang)})
		if k.Code == chosen {
			d.GroupForm = s.groupFormOf(r, k, v.Lang)
		}
	}
}

// groupFormOf builds the form of a group kind from its definition.
func (s *server) groupFormOf(r *http.Request, k groups.Code, lang string) *groupForm {
	f := &groupForm{Kind: codeOpt{Code: k.Code, Name: codeName(k, lang)}, Key: k.Key}
	for _, a := range k.Attrs {
		af := attrField{Name: a.Name, Label: a.Label, Type: a.Type, Required: a.Required}
		if lang == "en" && a.LabelEn != "" {
			af.Label = a.LabelEn
		}
		if a.Type == "code" {
			af.Options, _ = s.codeOptions(r.Context(), a.Table, lang)
		}
		f.Fields = append(f.Fields, af)
	}
	return f
}

// addGroupMember handles POST /registry/people/{id}/groups: the person
// joins a group with the kind's fields (posted as attrs.<field>).
func (s *server) addGroupMember(w http.ResponseWriter, r *http.Request) error {
	id, ok := personID(r)
	if !ok {
		return errNotFound()
	}
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return err
	}
	in := groups.MemberInput{Kind: r.PostFormValue("group_kind"), StartedOn: r.PostFormValue("started_on"),
		Attrs: map[string]string{}}
	for k, vs := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "attrs."); ok && len(vs) > 0 {
			in.Attrs[name] = vs[0]
		}
	}
	if _, err := s.Groups.AddMember(ctx, id, in); err != nil {
		s.personActionFailed(w, r, id, "group", err)
		return nil
	}
	seeOther(w, r, personURL(id), "flash.registry_group_added")
	return nil
}

// endGroupMember handles POST /registry/people/{id}/groups/{mid}/end: the
// membership ends on a date, for a reason.
func (s *server) endGroupMember(w http.ResponseWriter, r *http.Request) error {
	id, ok := personID(r)
	mid, err := strconv.ParseInt(r.PathValue("mid"), 10, 64)
	if !ok || err != nil || mid <= 0 {
		return errNotFound()
	}
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return err
	}
	m, err := s.Groups.Member(ctx, mid)
	if err != nil {
		return err
	}
	if m.PersonID != id {
		return errNotFound()
	}
	if _, err := s.Groups.EndMember(ctx, mid, r.PostFormValue("ended_on"), r.PostFormValue("reason")); err != nil {
		s.personActionFailed(w, r, id, "end."+strconv.FormatInt(mid, 10), err)
		return nil
	}
	seeOther(w, r, personURL(id), "flash.registry_group_ended")
	return nil
}

// visitsDueData is the work list of visits due.
type visitsDueData struct {
	Due       []groups.DueVisit
	KindNames map[string]string
	Kinds     []codeOpt // the kinds with a visit interval, for the filter
	Filter    map[string]string
	Pager     pager
}

// visitsDuePage handles GET /registry/visits/due: the people of the
// actor's scope whose group calls for a visit that is due, never visited
// first, with links to their pages.
func (s *server) visitsDuePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, registry.PermRead); err != nil {
		return err
	}
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	p := pageParam(r)
	list, total, err := s.Groups.VisitsDue(ctx, groups.DueFilter{Kind: get("kind"), GridCode: get("grid"),
		UnitCode: get("unit"), Limit: visitsDuePageSize, Offset: (p - 1) * visitsDuePageSize})
	v := s.newView(r, "registry.visits_due", "registry", nil)
	status := http.StatusOK
	if err != nil {
		st, ok := s.formError(v, err)
		if !ok {
			return err
		}
		status = st
	}
	d := &visitsDueData{Due: list, KindNames: map[string]string{}, Pager: newPager(r, p, visitsDuePageSize, total),
		Filter: map[string]string{"kind": get("kind"), "grid": get("grid"), "unit": get("unit")}}
	if kinds, err := s.Groups.Kinds(ctx); err == nil {
		key := rbac.HasAnywhere(actor.From(ctx), registry.PermKeyGroup)
		for _, k := range kinds {
			d.KindNames[k.Code] = codeName(k, v.Lang)
			if k.VisitDays > 0 && (key || !k.Key) {
				d.Kinds = append(d.Kinds, codeOpt{Code: k.Code, Name: codeName(k, v.Lang)})
			}
		}
	}
	v.Data = d
	s.render(w, r, status, "registry_visits_due", v)
	return nil
}
