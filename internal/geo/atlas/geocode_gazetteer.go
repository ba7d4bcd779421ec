package atlas

import (
	"context"
	"fmt"
	"gridgov/internal/org"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridgov/internal/geo"
)

// place is one standard place name (标准地名) of the gazetteer: a
// territory unit or a grid, with a representative point inside its
// boundary (or, for a unit without one, inside one of its grids).
type place struct {
	code, name string
	grid       bool
	level      string // city, district, street, community; "" for a grid
	depth      int    // city 0 … community 3, grid 4
	unit       string // a grid's unit; a unit's parent
	path       string // the unit's path (a grid: its unit's)
	pt         orb.Point
	hasPt      bool
	area       orb.MultiPolygon // units only, for Reverse outside every grid
}

// gazetteer is every territory unit and grid by code, built from the
// database and cached until units or grids change.
type gazetteer struct {
	places []*place
	units  map[string]*place
	// soleGrid maps a community to its only third-level grid (absent when
	// it has none or several).
	soleGrid map[string]string
}

// unitDepth is how deep a unit level sits below the city.
var unitDepth = map[string]int{"city": 0, "district": 1, "street": 2, "community": 3}

// gazetteerFor returns the cached gazetteer, rebuilt when the grids'
// version or the units' fingerprint has moved.
func (s *Service) gazetteerFor(ctx context.Context) (*gazetteer, error) {
	gv, err := s.org.GridsVersion(ctx)
	if err != nil {
		return nil, err
	}
	uv, err := s.org.UnitsVersion(ctx)
	if err != nil {
		return nil, err
	}
	stamp := gv + "|" + uv
	g := &s.geocoder
	g.mu.Lock()
	if g.gaz != nil && g.gazAt == stamp {
		z := g.gaz
		g.mu.Unlock()
		return z, nil
	}
	g.mu.Unlock()
	z, err := s.loadGazetteer(ctx)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.gaz, g.gazAt = z, stamp
	g.mu.Unlock()
	return z, nil
}

// loadGazetteer reads the territory units and grids and computes their
// representative points.
func (s *Service) loadGazetteer(ctx context.Context) (*gazetteer, error) {
	z := &gazetteer{units: map[string]*place{}, soleGrid: map[string]string{}}
	units, err := s.org.UnitOutlines(ctx, org.OutlineFilter{TerritoryOnly: true})
	if err != nil {
		return nil, fmt.Errorf("gazetteer units: %w", err)
	}
	for _, u := range units {
		p := place{code: u.Code, name: u.Name, level: u.Level, path: u.Path}
		p.unit, p.depth = u.ParentCode, unitDepth[p.level]
		if mp := parseArea(string(u.Boundary)); len(mp) > 0 {
			p.area, p.pt, p.hasPt = mp, geo.InteriorPoint(mp), true
		}
		z.places = append(z.places, &p)
		z.units[p.code] = &p
	}
	grids, err := s.org.GridOutlines(ctx, org.GridOutlineFilter{})
	if err != nil {
		return nil, fmt.Errorf("gazetteer grids: %w", err)
	}
	thirdLevel := map[string]int{}
	for _, gr := range grids {
		p := place{grid: true, depth: 4, code: gr.Code, name: gr.Name, unit: gr.UnitCode}
		level := gr.Level
		if mp := parseArea(string(gr.Boundary)); len(mp) > 0 {
			p.pt, p.hasPt = geo.InteriorPoint(mp), true
		}
		u := z.units[p.unit]
		if u == nil {
			continue // a grid of a non-territory unit is no place name
		}
		p.path = u.path
		if level == 3 {
			thirdLevel[p.unit]++
			z.soleGrid[p.unit] = p.code
		}
		z.places = append(z.places, &p)
		// A unit without a boundary is placed inside its first grid.
		for a := u; a != nil && p.hasPt; a = z.units[a.unit] {
			if !a.hasPt {
				a.pt, a.hasPt = p.pt, true
			}
		}
	}
	for unit, n := range thirdLevel {
		if n != 1 {
			delete(z.soleGrid, unit)
		}
	}
	return z, nil
}

// parseArea reads a stored boundary as a MultiPolygon (nil when absent or
// unreadable: a bad stored outline must not break geocoding).
func parseArea(raw string) orb.MultiPolygon {
	if raw == "" {
		return nil
	}
	g, err := geo.ParseBoundary([]byte(raw))
	if err != nil {
		return nil
	}
	return multi(g)
}

// ancestors returns the units above p, nearest first (a grid's first is
// its unit).
func (z *gazetteer) ancestors(p *place) []*place {
	var out []*place
	for a := z.units[p.unit]; a != nil && len(out) < 8; a = z.units[a.unit] {
		out = append(out, a)
	}
	return out
}

// chain is the names of p and its units from the district down (the city
// left out), joined by spaces: the label of a gazetteer candidate.
func (z *gazetteer) chain(p *place) string {
	names := []string{p.name}
	for _, a := range z.ancestors(p) {
		if a.depth >= 1 {
			names = append(names, a.name)
		}
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return strings.Join(names, " ")
}

// match finds the places an address names, best first: places named
// exactly by the address; otherwise places whose name the address
// contains, keeping those whose named parents agree (every unit named above
// a place's level is one of its ancestors), the deepest first, and
// dropping a place when a deeper kept one lies inside it. City-level
// matches only serve as agreeing parents.
func (z *gazetteer) match(address string) []*place {
	addr := strings.Join(strings.Fields(address), "")
	var named []*place
	for _, p := range z.places {
		if p.name == addr && p.hasPt {
			named = append(named, p)
		}
	}
	if len(named) == 0 {
		for _, p := range z.places {
			if utf8.RuneCountInString(p.name) >= 2 && strings.Contains(addr, p.name) {
				named = append(named, p)
			}
		}
		named = dropShadowed(addr, named)
	}
	agreeing := map[*place]int{}
	var keep []*place
	for _, p := range named {
		anc := z.ancestors(p)
		ok, n := true, 0
		for _, m := range named {
			if m.grid || m.depth >= p.depth {
				continue
			}
			if containsPlace(anc, m) {
				n++
			} else {
				ok = false
				break
			}
		}
		if ok && p.hasPt {
			keep = append(keep, p)
			agreeing[p] = n
		}
	}
	sort.SliceStable(keep, func(i, j int) bool {
		a, b := keep[i], keep[j]
		if a.depth != b.depth {
			return a.depth > b.depth
		}
		if agreeing[a] != agreeing[b] {
			return agreeing[a] > agreeing[b]
		}
		return a.code < b.code
	})
	var out []*place
	for _, p := range keep {
		if p.depth == 0 || coveredBy(z, p, out) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// dropShadowed removes a name that occurs in the address only inside
// occurrences of a longer matched name ("八路社区" inside "经八路社区").
func dropShadowed(addr string, named []*place) []*place {
	out := named[:0:0]
	for _, p := range named {
		shadowed := false
		for _, q := range named {
			if len(q.name) > len(p.name) && strings.Contains(q.name, p.name) &&
				strings.Count(addr, p.name) <= strings.Count(addr, q.name)*strings.Count(q.name, p.name) {
				shadowed = true
				break
			}
		}
		if !shadowed {
			out = append(out, p)
		}
	}
	return out
}

// containsPlace reports whether list holds p.
func containsPlace(list []*place, p *place) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// coveredBy reports whether p is an ancestor of a place already chosen.
func coveredBy(z *gazetteer, p *place, chosen []*place) bool {
	for _, c := range chosen {
		if containsPlace(z.ancestors(c), p) {
			return true
		}
	}
	return false
}

// unitAt returns the deepest territory unit whose boundary contains the
// point, or nil.
func (z *gazetteer) unitAt(lat, lng float64) *place {
	var best *place
	pt := orb.Point{lng, lat}
	for _, p := range z.places {
		if p.grid || len(p.area) == 0 || (best != nil && p.depth <= best.depth) {
			continue
		}
		if p.area.Bound().Contains(pt) && planar.MultiPolygonContains(p.area, pt) {
			best = p
		}
	}
	return best
}
