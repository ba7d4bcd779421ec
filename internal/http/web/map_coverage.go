package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

func init() { pages = append(pages, "map_coverage") }

// coverageCommunity is a row of the community picker.
type coverageCommunity struct {
	Code, Name  string
	HasBoundary bool
}

// coverageRow is a problem of the coverage table, its area ready to show.
type coverageRow struct {
	Kind  string
	Grids []string
	Area  string
}

// coverageData is the coverage page: the picker (no unit chosen) or one
// community's report, and what map coverage.js reads.
type coverageData struct {
	Communities []coverageCommunity
	Q           string
	Report      *atlas.CoverageReport
	Rows        []coverageRow
	ParentArea  string
	CoveredArea string
	Config      string
}

// coverageText lists the catalogue keys coverage.js shows.
var coverageText = []string{"map.coverage.kind.gap", "map.coverage.kind.overlap", "map.coverage.kind.outside",
	"map.coverage.community", "map.coverage.area", "map.error"}

// coverageList handles GET /map/coverage?q=: the communities in the
// actor's org.read scope (with grid.read to check them), each marked when
// it has no boundary yet.
func (s *server) coverageList(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), rbac.GridRead); err != nil {
		return err
	}
	v := s.newView(r, "map.coverage.title", "map", nil)
	d := &coverageData{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if rbac.HasAnywhere(actor.From(r.Context()), rbac.OrgRead) {
		us, err := s.Geo.UnitShapes(r.Context(), atlas.UnitShapeFilter{Level: string(org.Community), WithoutBoundary: true})
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.Kind != string(org.Territory) {
				continue
			}
			if d.Q != "" && !strings.Contains(u.Name, d.Q) && !strings.Contains(u.Code, d.Q) {
				continue
			}
			d.Communities = append(d.Communities, coverageCommunity{Code: u.Code, Name: u.Name,
				HasBoundary: len(u.Boundary) > 0 && string(u.Boundary) != "null"})
		}
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "map_coverage", v)
	return nil
}

// coveragePage handles GET /map/coverage/{code}: atlas.Coverage of one
// community (grid.read over it; another scope is 404) as a table of gaps,
// overlaps and parts outside with their areas, the grids without a
// boundary, and a map drawn by coverage.js from /map/data/coverage/{code}.
// A unit that is not a community or has no boundary is explained on the
// page (422).
func (s *server) coveragePage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	v := s.newView(r, "map.coverage.title", "map", nil)
	rep, err := s.Geo.Coverage(r.Context(), code)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid && e.Code != apperr.Conflict {
			return err
		}
		t := s.cat.T(v.Lang)
		v.Flash, v.FlashKind = t("map.coverage.cannot")+": "+firstProblem(v.Lang, e), "error"
		v.TitleText = code
		v.Data = &coverageData{}
		s.render(w, r, apperr.Status(e.Code), "map_coverage", v)
		return nil
	}
	v.TitleText = rep.UnitName
	d := &coverageData{Report: &rep, ParentArea: formatArea(rep.ParentAreaM2), CoveredArea: formatArea(rep.CoveredAreaM2)}
	for _, p := range rep.Problems {
		d.Rows = append(d.Rows, coverageRow{Kind: p.Kind, Grids: p.Grids, Area: formatArea(p.AreaM2)})
	}
	t := s.cat.T(v.Lang)
	text := map[string]string{}
	for _, k := range coverageText {
		text[k] = t(k)
	}
	b, err := json.Marshal(map[string]any{"url": "/map/data/coverage/" + rep.UnitCode, "tile_url": s.Config.MapTileURL,
		"tile_attribution": s.Config.MapTileAttribution, "text": text})
	if err != nil {
		return err
	}
	d.Config = string(b)
	if src := tileSource(s.Config.MapTileURL); src != "" {
		httpx.ConsoleCSP().Allow("img-src", src).Set(w.Header())
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "map_coverage", v)
	return nil
}

// firstProblem is an error's message or, for a field error, its first
// field's problem in lang.
func firstProblem(lang string, e *apperr.Error) string {
	if len(e.Problems) == 0 {
		return e.Message
	}
	return apperr.ProblemOf(e).Text(lang)
}

// formatArea shows square metres rounded to whole metres, with thousands
// separators.
func formatArea(m2 float64) string {
	n := strconv.FormatInt(int64(m2+0.5), 10)
	var b strings.Builder
	for i, c := range n {
		if i > 0 && (len(n)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// coverageAnswer is the JSON of /map/data/coverage/{code}: the community's
// outline, its third-level grids and the problem polygons, each a GeoJSON
// FeatureCollection.
type coverageAnswer struct {
	Unit     featureCollection `json:"unit"`
	Grids    featureCollection `json:"grids"`
	Problems featureCollection `json:"problems"`
	OK       bool              `json:"ok"`
}

// coverageData handles GET /map/data/coverage/{code}: what the coverage
// page's map draws (the same permission as the page: grid.read over the
// community).
func (s *server) coverageData(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	ctx := r.Context()
	rep, err := s.Geo.Coverage(ctx, code)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	out := coverageAnswer{OK: rep.OK, Unit: newFC(), Grids: newFC(), Problems: newFC()}
	if u, err := s.Org.Unit(ctx, code); err == nil {
		us, err := s.Geo.UnitShapes(ctx, atlas.UnitShapeFilter{Level: string(org.Community), Parent: u.ParentCode})
		if err == nil {
			for _, sh := range us {
				if sh.Code == code {
					out.Unit.Features = append(out.Unit.Features, feature{Type: "Feature", Geometry: sh.Boundary,
						Properties: map[string]any{"code": sh.Code, "name": sh.Name}})
				}
			}
		}
	}
	in := map[string]bool{}
	for _, g := range rep.Grids {
		in[g] = true
	}
	for offset := 0; ; offset += 1000 {
		gs, total, err := s.Org.Grids(ctx, org.GridFilter{UnitCode: code, Level: 3, WithBoundary: true, Limit: 1000, Offset: offset})
		if err != nil {
			httpx.WriteError(w, r, err)
			return nil
		}
		for _, g := range gs {
			if in[g.Code] && overlaps(g.Boundary, orb.Bound{}) {
				out.Grids.Features = append(out.Grids.Features, feature{Type: "Feature", Geometry: g.Boundary,
					Properties: map[string]any{"code": g.Code, "name": g.Name}})
			}
		}
		if len(gs) == 0 || offset+len(gs) >= total {
			break
		}
	}
	for _, p := range rep.Problems {
		grids := p.Grids
		if grids == nil {
			grids = []string{}
		}
		out.Problems.Features = append(out.Problems.Features, feature{Type: "Feature", Geometry: p.Geometry,
			Properties: map[string]any{"kind": p.Kind, "grids": grids, "area_m2": p.AreaM2}})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func newFC() featureCollection {
	return featureCollection{Type: "FeatureCollection", Features: []feature{}}
}

// saveUnitBoundary handles POST /map/units/{code}/boundary with a JSON body
// {"boundary": <GeoJSON geometry>} from the map's edit mode:
// atlas.SetUnitBoundary validates and stores it (org.write over the unit;
// outside the scope is 404) and the answer is the unit or the service's
// error as JSON (422 naming "boundary").
func (s *server) saveUnitBoundary(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Boundary json.RawMessage `json:"boundary"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		httpx.WriteError(w, r, apperr.Field("boundary", apperr.BoundaryBody))
		return nil
	}
	if len(in.Boundary) == 0 || string(in.Boundary) == "null" {
		httpx.WriteError(w, r, apperr.Field("boundary", apperr.Required))
		return nil
	}
	u, err := s.Geo.SetUnitBoundary(r.Context(), r.PathValue("code"), in.Boundary, "drawn")
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"code": u.Code, "name": u.Name, "boundary": u.Boundary})
	return nil
}
