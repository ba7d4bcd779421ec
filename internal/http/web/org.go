package web

import (
	"net/http"
	"net/url"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// orgPageSize is how many rows a tab of the unit page shows at once.
const orgPageSize = 30

// orgData is the unit page: the unit, where it sits, and one tab of what
// belongs to it.
type orgData struct {
	Unit   org.Unit
	Crumbs []org.Unit
	Counts []levelCount
	Tabs   []string
	Tab    string
	Q      string
	Units  []org.Unit
	Grids  []org.Grid
	Staff  []org.Staff
	Users  []auth.User
	Pager  pager
	// What the actor may add here, and the kinds of unit they may create.
	CanOrg, CanGrid, CanStaff, CanUser bool
	ChildKinds                         []org.Kind
	Teams                              []org.Team
	// Coverage links a community to the check of its grids' coverage.
	Coverage bool
}

// levelCount is one descendant count, in level order.
type levelCount struct {
	Level string
	N     int
}

// orgPage handles GET /org/{code}: the unit and the tab named by ?tab=.
func (s *server) orgPage(w http.ResponseWriter, r *http.Request) error {
	s.showUnit(w, r, r.PathValue("code"), http.StatusOK, nil)
	return nil
}

// showUnit renders the unit page; v, when not nil, carries a form that
// failed, to be shown again with its errors.
func (s *server) showUnit(w http.ResponseWriter, r *http.Request, code string, status int, v *view) {
	ctx := r.Context()
	u, err := s.Org.Unit(ctx, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	crumbs, err := s.Org.Ancestors(ctx, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := actor.From(ctx)
	d := &orgData{Unit: u, Crumbs: crumbs, Tabs: tabsFor(a, u), Q: strings.TrimSpace(r.URL.Query().Get("q")),
		Coverage: s.Geo != nil && u.Level == org.Community && u.Kind == org.Territory,
		CanOrg:   rbac.Can(a, rbac.OrgWrite, u.Path), CanGrid: rbac.Can(a, rbac.GridWrite, u.Path),
		CanStaff: rbac.Can(a, rbac.StaffWrite, u.Path), CanUser: rbac.Can(a, rbac.UserWrite, u.Path),
		ChildKinds: childKinds(u),
		Teams:      []org.Team{org.NoTeam, org.Deployed, org.MassWork, org.GridLeader}}
	for _, l := range org.Levels[1:] {
		if n, ok := u.DescendantCounts[string(l)]; ok {
			d.Counts = append(d.Counts, levelCount{string(l), n})
		}
	}
	d.Tab = r.URL.Query().Get("tab")
	if d.Q != "" {
		d.Tab = "search"
	} else if !contains(d.Tabs, d.Tab) {
		d.Tab = d.Tabs[0]
	}
	if err := s.loadTab(r, d); err != nil {
		s.fail(w, r, err)
		return
	}
	if v == nil {
		v = s.newView(r, "", "org", d)
	}
	v.Data, v.TitleText = d, u.Name
	s.render(w, r, status, "org", v)
}

// tabsFor lists the tabs a unit has for the actor: territory below it,
// departments of a city or district, offices of a department, then grids,
// staff and users where the actor may read them.
func tabsFor(a *actor.Actor, u org.Unit) []string {
	var tabs []string
	switch {
	case u.Kind == org.Territory && u.Level != org.Community:
		tabs = append(tabs, "children")
	case u.Kind == org.Department:
		tabs = append(tabs, "offices")
	}
	if u.Kind == org.Territory && (u.Level == org.City || u.Level == org.District) {
		tabs = append(tabs, "departments")
	}
	if u.Kind == org.Territory && rbac.Can(a, rbac.GridRead, u.Path) {
		tabs = append(tabs, "grids")
	}
	if rbac.Can(a, rbac.StaffRead, u.Path) {
		tabs = append(tabs, "staff")
	}
	if rbac.Can(a, rbac.UserRead, u.Path) {
		tabs = append(tabs, "users")
	}
	if len(tabs) == 0 {
		tabs = append(tabs, "children") // a community shows that nothing lies below
	}
	return tabs
}

// childKinds lists the kinds of unit that may be created under u.
func childKinds(u org.Unit) []org.Kind {
	var out []org.Kind
	if u.Kind == org.Territory && u.Level != org.Community {
		out = append(out, org.Territory)
	}
	if u.Kind == org.Territory && (u.Level == org.City || u.Level == org.District) {
		out = append(out, org.Department)
	}
	if u.Kind == org.Department {
		out = append(out, org.Office)
	}
	return out
}

// loadTab fetches one page of the selected tab.
func (s *server) loadTab(r *http.Request, d *orgData) error {
	ctx := r.Context()
	p := pageParam(r)
	off := (p - 1) * orgPageSize
	var total int
	var err error
	switch d.Tab {
	case "search":
		d.Units, total, err = s.Org.Units(ctx, org.UnitFilter{Under: d.Unit.Code, Q: d.Q, Limit: orgPageSize, Offset: off})
	case "children":
		d.Units, total, err = s.Org.Units(ctx, org.UnitFilter{ParentCode: d.Unit.Code, Kind: org.Territory, Limit: orgPageSize, Offset: off})
	case "departments":
		d.Units, total, err = s.Org.Units(ctx, org.UnitFilter{ParentCode: d.Unit.Code, Kind: org.Department, Limit: orgPageSize, Offset: off})
	case "offices":
		d.Units, total, err = s.Org.Units(ctx, org.UnitFilter{ParentCode: d.Unit.Code, Kind: org.Office, Limit: orgPageSize, Offset: off})
	case "grids":
		d.Grids, total, err = s.Org.Grids(ctx, org.GridFilter{UnitCode: d.Unit.Code, Limit: orgPageSize, Offset: off})
	case "staff":
		d.Staff, total, err = s.Org.Staff(ctx, org.StaffFilter{UnitCode: d.Unit.Code, Limit: orgPageSize, Offset: off})
	case "users":
		d.Users, total, err = s.Auth.Users(ctx, auth.UserFilter{UnitCode: d.Unit.Code, Limit: orgPageSize, Offset: off})
	}
	if err != nil {
		return err
	}
	d.Pager = newPager(r, p, orgPageSize, total)
	return nil
}

// unitURL is the page of a unit, optionally on a tab.
func unitURL(code, tab string) string {
	u := "/org/" + url.PathEscape(code)
	if tab != "" {
		u += "?tab=" + url.QueryEscape(tab)
	}
	return u
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
