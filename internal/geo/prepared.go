package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// prepared is a multipolygon made ready for fast, exact point-in-polygon
// tests. Its bounding box is cut into a small grid of cells; a cell that no
// edge's bounding box touches is wholly inside or wholly outside, decided
// once at build time, so most lookups need no edge test at all. A point in
// a cell that edges touch is decided by orb's vertical ray test
// (planar.RingContains) run over only the edges whose x-range overlaps the
// cell's column: every other edge would answer "no crossing, not on it", so
// the answer is exactly planar.MultiPolygonContains's, boundary included
// (on an outer ring: in; on a hole's ring: out).
type prepared struct {
	mp                     orb.MultiPolygon
	minX, minY, maxX, maxY float64
	nx, ny                 int
	fx, fy                 float64 // cells per degree
	cells                  []uint8 // cellOut, cellIn or cellMixed, row-major
	colStart               []int32 // len nx+1: column c's edges are edges[colStart[c]:colStart[c+1]]
	edges                  []pedge
	rings                  []pring
	slow                   bool // more than 64 rings: mixed cells use orb directly
}

const (
	cellOut uint8 = iota
	cellIn
	cellMixed
)

type pedge struct {
	s, e orb.Point
	ring int32
}

type pring struct {
	bound orb.Bound
	poly  int32
	hole  bool
}

// newPrepared prepares mp, which must have at least one ring of at least
// one position.
func newPrepared(mp orb.MultiPolygon) *prepared {
	p := &prepared{mp: mp}
	b := mp.Bound()
	p.minX, p.minY, p.maxX, p.maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	n := 0
	for _, poly := range mp {
		for _, r := range poly {
			n += len(r)
		}
	}
	all := make([]pedge, 0, n)
	for pi, poly := range mp {
		for ri, r := range poly {
			ringID := int32(len(p.rings))
			p.rings = append(p.rings, pring{bound: r.Bound(), poly: int32(pi), hole: ri > 0})
			n := len(r)
			if n == 0 {
				continue
			}
			// The closing edge r[0]–r[n-1] as orb tests it, then each edge.
			all = append(all, pedge{s: r[0], e: r[n-1], ring: ringID})
			for i := 0; i+1 < n; i++ {
				all = append(all, pedge{s: r[i], e: r[i+1], ring: ringID})
			}
		}
	}
	p.slow = len(p.rings) > 64
	// About 1.5·√edges cells a side, at least 2, at most 128.
	g := int(math.Ceil(1.5 * math.Sqrt(float64(len(all)))))
	g = max(2, min(g, 128))
	p.nx, p.ny = g, g
	w, h := p.maxX-p.minX, p.maxY-p.minY
	if w <= 0 || h <= 0 {
		p.nx, p.ny = 1, 1
		w, h = math.Max(w, 1e-12), math.Max(h, 1e-12)
	}
	p.fx, p.fy = float64(p.nx)/w, float64(p.ny)/h
	cw, ch := w/float64(p.nx), h/float64(p.ny)
	// Cells and columns are widened by a margin so that rounding in cell()
	// can never place a point in a cell that misses an edge touching it.
	mx, my := cw*0.01, ch*0.01
	p.cells = make([]uint8, p.nx*p.ny)
	counts := make([]int32, p.nx+1)
	for _, e := range all {
		x0, x1 := math.Min(e.s[0], e.e[0]), math.Max(e.s[0], e.e[0])
		y0, y1 := math.Min(e.s[1], e.e[1]), math.Max(e.s[1], e.e[1])
		c0, c1 := p.span(x0-mx, x1+mx, p.minX, p.fx, p.nx)
		r0, r1 := p.span(y0-my, y1+my, p.minY, p.fy, p.ny)
		for c := c0; c <= c1; c++ {
			counts[c]++
			for r := r0; r <= r1; r++ {
				p.cells[r*p.nx+c] = cellMixed
			}
		}
	}
	p.colStart = make([]int32, p.nx+1)
	for c := 0; c < p.nx; c++ {
		p.colStart[c+1] = p.colStart[c] + counts[c]
	}
	p.edges = make([]pedge, p.colStart[p.nx])
	fill := append([]int32(nil), p.colStart[:p.nx]...)
	for _, e := range all {
		x0, x1 := math.Min(e.s[0], e.e[0]), math.Max(e.s[0], e.e[0])
		c0, c1 := p.span(x0-mx, x1+mx, p.minX, p.fx, p.nx)
		for c := c0; c <= c1; c++ {
			p.edges[fill[c]] = e
			fill[c]++
		}
	}
	for r := 0; r < p.ny; r++ {
		for c := 0; c < p.nx; c++ {
			if p.cells[r*p.nx+c] == cellMixed {
				continue
			}
			centre := orb.Point{p.minX + (float64(c)+0.5)*cw, p.minY + (float64(r)+0.5)*ch}
			if p.columnContains(centre, c) {
				p.cells[r*p.nx+c] = cellIn
			}
		}
	}
	return p
}

// span returns the clamped range of cell indexes covering [lo, hi].
func (p *prepared) span(lo, hi, origin, f float64, n int) (int, int) {
	a := int(math.Floor((lo - origin) * f))
	b := int(math.Floor((hi - origin) * f))
	return max(0, min(a, n-1)), max(0, min(b, n-1))
}

// contains reports whether pt is in the multipolygon, exactly as
// planar.MultiPolygonContains would. It does not allocate.
func (p *prepared) contains(pt orb.Point) bool {
	x, y := pt[0], pt[1]
	if x < p.minX || x > p.maxX || y < p.minY || y > p.maxY {
		return false
	}
	c := min(int((x-p.minX)*p.fx), p.nx-1)
	r := min(int((y-p.minY)*p.fy), p.ny-1)
	switch p.cells[r*p.nx+c] {
	case cellIn:
		return true
	case cellOut:
		return false
	}
	return p.columnContains(pt, c)
}

// columnContains decides pt, which lies in column c, from the column's
// edges (orb's ray test), exactly as planar.MultiPolygonContains.
func (p *prepared) columnContains(pt orb.Point, c int) bool {
	if p.slow {
		return planar.MultiPolygonContains(p.mp, pt)
	}
	var parity, on uint64
	for _, e := range p.edges[p.colStart[c]:p.colStart[c+1]] {
		bit := uint64(1) << uint(e.ring)
		if on&bit != 0 {
			continue
		}
		inter, onEdge := rayIntersect(pt, e.s, e.e)
		if onEdge {
			on |= bit
		} else if inter {
			parity ^= bit
		}
	}
	in := parity | on
	// A polygon contains pt when its outer ring does and none of its holes
	// does; a ring whose bound misses pt does not contain it (as orb).
	for i := 0; i < len(p.rings); {
		pr := p.rings[i]
		j := i + 1
		for j < len(p.rings) && p.rings[j].poly == pr.poly {
			j++
		}
		if in&(1<<uint(i)) != 0 && pr.bound.Contains(pt) {
			inside := true
			for h := i + 1; h < j; h++ {
				if in&(1<<uint(h)) != 0 && p.rings[h].bound.Contains(pt) {
					inside = false
					break
				}
			}
			if inside {
				return true
			}
		}
		i = j
	}
	return false
}

// rayIntersect is orb's planar ray test (github.com/paulmach/orb, MIT,
// planar/contains.go), copied unchanged in behaviour so the fast path agrees
// with planar.RingContains bit for bit: does the vertical ray up from p
// cross the segment s–e, and is p on it?
func rayIntersect(p, s, e orb.Point) (intersects, on bool) {
	if s[0] > e[0] {
		s, e = e, s
	}
	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			return false, true
		} else if s[0] == e[0] {
			if s[1] > e[1] && s[1] >= p[1] && p[1] >= e[1] {
				return false, true
			}
			if e[1] > s[1] && e[1] >= p[1] && p[1] >= s[1] {
				return false, true
			}
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			return false, true
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	}
	if p[0] < s[0] || p[0] > e[0] {
		return false, false
	}
	if s[1] > e[1] {
		if p[1] > s[1] {
			return false, false
		} else if p[1] < e[1] {
			return true, false
		}
	} else {
		if p[1] > e[1] {
			return false, false
		} else if p[1] < s[1] {
			return true, false
		}
	}
	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])
	if rs == ds {
		return false, true
	}
	return rs <= ds, false
}
