package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/cases"
	"gridgov/internal/geo"
	"gridgov/internal/http/httpx"
	"gridgov/internal/rbac"
)

func init() { pages = append(pages, "map") }

// GridLocator answers point → grid for the map's "what is here"
// (geo.Locator and geo.FreshLocator satisfy it).
type GridLocator interface {
	Locate(ctx context.Context, lat, lng float64) (geo.GridShape, bool, error)
}

// UnitOutline is a territory unit's boundary (a GeoJSON geometry, WGS84).
type UnitOutline struct {
	Code     string
	Name     string
	Level    string
	Boundary json.RawMessage
}

// UnitOutlines lists the outlines of territory units of a level ("" any)
// in the actor's scope meeting bbox (zero: anywhere); the app adapts the
// atlas service to it.
type UnitOutlines interface {
	UnitOutlines(ctx context.Context, level string, bbox orb.Bound) ([]UnitOutline, error)
}

// mapRoutes mounts the map page, its JSON data endpoints (session auth)
// and the boundary save of the edit mode (CSRF header).
func (s *server) mapRoutes(mux *http.ServeMux) {
	mux.Handle("GET /map", s.page(s.mapPage))
	mux.Handle("GET /map/data/grids", s.page(s.mapGrids))
	mux.Handle("GET /map/data/units", s.page(s.mapUnits))
	mux.Handle("GET /map/data/cases", s.page(s.mapCases))
	mux.Handle("GET /map/data/houses", s.page(s.mapHouses))
	mux.Handle("GET /map/data/organisations", s.page(s.mapOrganisations))
	mux.Handle("GET /map/data/components", s.page(s.mapComponents))
	mux.Handle("GET /map/data/keygroup", s.page(s.mapKeyGroup))
	mux.Handle("GET /map/data/here", s.page(s.mapHere))
	mux.Handle("POST /map/grids/{code}/boundary", s.page(s.saveGridBoundary))
	s.geoRoutes(mux)
}

// The layers the map may offer, in the layer control's order.
const (
	layerGrids         = "grids"
	layerUnits         = "units"
	layerCases         = "cases"
	layerHeat          = "heat"
	layerHouses        = "houses"
	layerOrganisations = "organisations"
	layerComponents    = "components"
	layerKeyGroup      = "keygroup"
)

// mapConfig is what map.js reads from the page's data-config attribute:
// the tiles, the layers this user may see, whether they may edit grid
// boundaries and unit outlines, the case category filter and the page's strings.
type mapConfig struct {
	TileURL         string   `json:"tile_url"`
	TileAttribution string   `json:"tile_attribution"`
	Layers          []string `json:"layers"`
	CanEdit         bool     `json:"can_edit"`
	// CanEditUnits lets org writers edit unit outlines (atlas.SetUnitBoundary).
	CanEditUnits bool              `json:"can_edit_units"`
	Categories   []mapCategory     `json:"categories"`
	Text         map[string]string `json:"text"`
}

// mapCategory is a 大类 of the case filter.
type mapCategory struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// mapText lists the catalogue keys map.js shows.
var mapText = []string{"map.layer.grids", "map.layer.units", "map.layer.cases", "map.layer.heat",
	"map.layer.houses", "map.layer.organisations", "map.layer.components", "map.layer.keygroup",
	"map.here.grid", "map.here.community", "map.here.staff", "map.here.cases", "map.here.none",
	"map.here.nothing", "map.here.no_cases", "map.truncated", "map.error", "map.level",
	"map.edit.start", "map.edit.save", "map.edit.cancel", "map.edit.saved", "map.edit.pick",
	"map.keygroup.risk", "map.keygroup.kinds", "map.filter.apply", "map.edit.pick_unit",
	"case.overdue.green", "case.overdue.yellow", "case.overdue.red",
	"case.status.collected", "case.status.reported", "case.status.assigned", "case.status.handling",
	"case.status.feedback", "case.status.closed", "case.status.rejected", "case.status.merged",
	"case.status.suspended"}

// mapPage handles GET /map: the page is a frame; map.js fetches the data.
func (s *server) mapPage(w http.ResponseWriter, r *http.Request) error {
	a := actor.From(r.Context())
	v := s.newView(r, "map.title", "map", nil)
	t := s.cat.T(v.Lang)
	cfg := mapConfig{TileURL: s.Config.MapTileURL, TileAttribution: s.Config.MapTileAttribution, Layers: s.mapLayers(a),
		CanEdit: rbac.HasAnywhere(a, rbac.GridWrite), Categories: []mapCategory{}, Text: map[string]string{}}
	if s.Cases != nil && rbac.HasAnywhere(a, cases.PermCaseRead) {
		for _, g := range s.categoryGroups(r) {
			if len(g.Categories) > 0 {
				c := g.Categories[0]
				cfg.Categories = append(cfg.Categories, mapCategory{Code: c.MajorCode, Name: c.MajorName})
			}
		}
	}
	for _, k := range mapText {
		cfg.Text[k] = t(k)
	}
	cfg.CanEditUnits = s.Geo != nil && slices.Contains(cfg.Layers, layerUnits) && rbac.HasAnywhere(a, rbac.OrgWrite)
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	g, u := importTargets(a)
	v.Data = map[string]any{"Config": string(b), "Categories": cfg.Categories,
		"CanEdit": cfg.CanEdit || cfg.CanEditUnits, "CanEditGrids": cfg.CanEdit, "CanEditUnits": cfg.CanEditUnits,
		"HasCases": slices.Contains(cfg.Layers, layerCases), "NoTiles": cfg.TileURL == "",
		"CanImport": s.Geo != nil && (g || u), "CanCoverage": s.Geo != nil && rbac.HasAnywhere(a, rbac.GridRead)}
	if src := tileSource(s.Config.MapTileURL); src != "" {
		httpx.ConsoleCSP().Allow("img-src", src).Set(w.Header())
	}
	s.render(w, r, http.StatusOK, "map", v)
	return nil
}

// mapLayers lists the layers the actor may open.
func (s *server) mapLayers(a *actor.Actor) []string {
	out := []string{}
	if rbac.HasAnywhere(a, rbac.GridRead) {
		out = append(out, layerGrids)
	}
	if s.units != nil && rbac.HasAnywhere(a, rbac.OrgRead) {
		out = append(out, layerUnits)
	}
	if s.Cases != nil && rbac.HasAnywhere(a, cases.PermCaseRead) {
		out = append(out, layerCases, layerHeat)
	}
	if s.Places != nil && rbac.HasAnywhere(a, rbac.RegistryRead) {
		out = append(out, layerHouses, layerOrganisations, layerComponents)
	}
	if s.Groups != nil && rbac.HasAnywhere(a, rbac.RegistryKeyGroup) {
		out = append(out, layerKeyGroup)
	}
	return out
}

// tileSource is the CSP source of the tile server: "" for tiles served by
// gridgov itself (or none), the origin otherwise, with a {s} subdomain
// placeholder as a wildcard ("https://*.tile.example.org").
func tileSource(tmpl string) string {
	i := strings.Index(tmpl, "://")
	if i <= 0 {
		return ""
	}
	scheme, rest := tmpl[:i], tmpl[i+3:]
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		host = rest[:j]
	}
	if strings.HasPrefix(host, "{s}.") {
		host = "*." + host[len("{s}."):]
	}
	if host == "" || strings.ContainsAny(host, "{}; '\"") {
		return scheme + ":"
	}
	u := url.URL{Scheme: scheme, Host: host}
	return u.String()
}
