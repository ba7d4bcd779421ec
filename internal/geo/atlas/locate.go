package atlas

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// Located is the answer of Locate.
type Located struct {
	GridCode string `json:"grid_code"`
	UnitCode string `json:"unit_code"`
}

// Locate returns the deepest grid containing a point given in crs (wgs84
// or gcj02, converted to WGS84 first) and its unit; a point in no grid is
// not_found. Any user with grid.read somewhere may ask: grids are visible
// to every such user, as in /api/v1/grids lists of their scope, and the
// answer is a code only.
func (s *Service) Locate(ctx context.Context, lat, lng float64, crs string) (Located, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return Located{}, err
	}
	c, err := checkCRS(crs)
	if err != nil {
		return Located{}, err
	}
	if err := checkPoint(lat, lng); err != nil {
		return Located{}, err
	}
	if c == CRSGCJ02 {
		lat, lng = geo.GCJ02ToWGS84(lat, lng)
	}
	g, ok, err := s.loc.Locate(ctx, lat, lng)
	if err != nil {
		return Located{}, err
	}
	if !ok {
		return Located{}, apperr.NotFoundf("no grid contains %.6f, %.6f", lat, lng)
	}
	return Located{GridCode: g.Code, UnitCode: g.UnitCode}, nil
}

// GridMapFilter selects grids for GridsGeoJSON.
type GridMapFilter struct {
	BBox   *BBox
	Level  int
	Unit   string // grids of this unit's subtree
	Limit  int    // default 500, at most 5000
	Offset int
}

// GridFeature is one grid of the map layer.
type GridFeature struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Level    int             `json:"level"`
	UnitCode string          `json:"unit_code"`
	UnitName string          `json:"unit_name"`
	Staff    []string        `json:"staff"`
	Leaders  []string        `json:"leaders"`
	Geometry json.RawMessage `json:"-"`
}

// GridCollection is a page of the grid layer.
type GridCollection struct {
	Features []GridFeature
	Total    int
}

// MarshalJSON writes the page as a GeoJSON FeatureCollection (with a
// foreign member "total": the count before paging).
func (c GridCollection) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","total":`)
	fmt.Fprint(&buf, c.Total)
	buf.WriteString(`,"features":[`)
	for i, f := range c.Features {
		if i > 0 {
			buf.WriteByte(',')
		}
		id, _ := json.Marshal(f.Code)
		props, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		g := f.Geometry
		if len(g) == 0 {
			g = json.RawMessage("null")
		}
		buf.WriteString(`{"type":"Feature","id":`)
		buf.Write(id)
		buf.WriteString(`,"properties":`)
		buf.Write(props)
		buf.WriteString(`,"geometry":`)
		buf.Write(g)
		buf.WriteByte('}')
	}
	buf.WriteString("]}")
	return buf.Bytes(), nil
}

// GridsGeoJSON returns the grids with a boundary in the actor's grid.read
// scope (the scope of /api/v1/grids) overlapping the box, by code, paged,
// with their staff and grid leaders (active staff bound to the grid; a
// leader is one of team grid_leader).
func (s *Service) GridsGeoJSON(ctx context.Context, f GridMapFilter) (GridCollection, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return GridCollection{}, err
	}
	limit, offset, err := pageOf(f.Limit, f.Offset, 500, 5000)
	if err != nil {
		return GridCollection{}, err
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > 3) {
		return GridCollection{}, apperr.Field("level", "must be 1, 2 or 3")
	}
	cond, args := rbac.ScopeOf(actor.From(ctx), rbac.GridRead).SQL("u.path")
	where := []string{cond, "g.boundary IS NOT NULL AND g.boundary <> ''"}
	if f.Level != 0 {
		where, args = append(where, "g.level = ?"), append(args, f.Level)
	}
	if f.Unit != "" {
		u, err := s.unitRow(ctx, f.Unit)
		if apperr.Is(err, apperr.NotFound) {
			return GridCollection{Features: []GridFeature{}}, nil
		} else if err != nil {
			return GridCollection{}, err
		}
		where, args = append(where, "u.path LIKE ?"), append(args, u.path+"%")
	}
	bounds, err := s.gridBounds(ctx)
	if err != nil {
		return GridCollection{}, err
	}
	rows, err := s.db.Query(ctx, `SELECT g.code, g.name, g.level, g.unit_code, u.name FROM grids g
		JOIN org_units u ON u.code = g.unit_code WHERE `+strings.Join(where, " AND ")+` ORDER BY g.code`, args...)
	if err != nil {
		return GridCollection{}, fmt.Errorf("grid layer: %w", err)
	}
	var all []GridFeature
	for rows.Next() {
		var g GridFeature
		if err := rows.Scan(&g.Code, &g.Name, &g.Level, &g.UnitCode, &g.UnitName); err != nil {
			rows.Close()
			return GridCollection{}, err
		}
		if b, ok := bounds[g.Code]; f.BBox == nil || (ok && f.BBox.intersects(b)) {
			all = append(all, g)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return GridCollection{}, err
	}
	out := GridCollection{Total: len(all), Features: []GridFeature{}}
	if offset < len(all) {
		out.Features = all[offset:min(len(all), offset+limit)]
	}
	return out, s.fillGridDetails(ctx, out.Features)
}

// fillGridDetails reads the boundaries and staff of a page of grids.
func (s *Service) fillGridDetails(ctx context.Context, fs []GridFeature) error {
	if len(fs) == 0 {
		return nil
	}
	idx := map[string]*GridFeature{}
	ph := make([]string, len(fs))
	args := make([]any, len(fs))
	for i := range fs {
		idx[fs[i].Code] = &fs[i]
		fs[i].Staff, fs[i].Leaders = []string{}, []string{}
		ph[i], args[i] = "?", fs[i].Code
	}
	in := strings.Join(ph, ",")
	rows, err := s.db.Query(ctx, `SELECT code, boundary FROM grids WHERE code IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("grid boundaries: %w", err)
	}
	for rows.Next() {
		var code string
		var b sql.NullString
		if err := rows.Scan(&code, &b); err != nil {
			rows.Close()
			return err
		}
		idx[code].Geometry = json.RawMessage(b.String)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.Query(ctx, `SELECT sg.grid_code, s.name, s.team FROM staff_grids sg JOIN staff s ON s.id = sg.staff_id
		WHERE sg.grid_code IN (`+in+`) AND s.active = ? ORDER BY s.name, s.id`, append(args, true)...)
	if err != nil {
		return fmt.Errorf("grid staff: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name, team string
		if err := rows.Scan(&code, &name, &team); err != nil {
			return err
		}
		g := idx[code]
		g.Staff = append(g.Staff, name)
		if team == "grid_leader" {
			g.Leaders = append(g.Leaders, name)
		}
	}
	return rows.Err()
}

// gridBounds returns the bounding box of every grid with a boundary,
// cached until org's GridsVersion moves.
func (s *Service) gridBounds(ctx context.Context) (map[string]orb.Bound, error) {
	v, err := s.org.GridsVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.bounds != nil && s.boundsAt == v {
		b := s.bounds
		s.mu.Unlock()
		return b, nil
	}
	s.mu.Unlock()
	shapes, err := s.org.GridShapes(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]orb.Bound, len(shapes))
	for _, g := range shapes {
		if b, ok := rawBound(g.Geometry); ok {
			out[g.Code] = b
		}
	}
	s.mu.Lock()
	s.bounds, s.boundsAt = out, v
	s.mu.Unlock()
	return out, nil
}
