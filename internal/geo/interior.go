package geo

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
)

// interiorMaxCells bounds the cells InteriorPoint examines, so a huge
// outline costs a bounded number of distance passes.
const interiorMaxCells = 4000

// InteriorPoint returns a representative point of a geometry that lies
// inside it: for a Polygon or MultiPolygon its pole of inaccessibility
// (the interior point farthest from the boundary, holes included, found to
// within about 1/2000 of the shape's size), which — unlike the centroid —
// is inside a concave or ring-shaped polygon too. Longitudes are scaled by
// the cosine of the latitude so that "farthest" is measured as on the
// ground. A Point is returned as is, a MultiPoint or line gives its first
// or middle position, anything else (or an empty polygon) the centre of its
// bounding box; nil gives the zero point.
func InteriorPoint(g orb.Geometry) orb.Point {
	switch v := g.(type) {
	case nil:
		return orb.Point{}
	case orb.Point:
		return v
	case orb.MultiPoint:
		if len(v) > 0 {
			return v[0]
		}
	case orb.LineString:
		if len(v) > 0 {
			return v[len(v)/2]
		}
	case orb.Polygon:
		if len(v) > 0 && len(v[0]) > 0 {
			return poleOfInaccessibility(orb.MultiPolygon{v})
		}
	case orb.MultiPolygon:
		if len(v) > 0 {
			return poleOfInaccessibility(v)
		}
	}
	if g == nil {
		return orb.Point{}
	}
	return g.Bound().Center()
}

// scaledRing is a closed ring with longitudes scaled to ground proportions.
type scaledRing []orb.Point

// poleOfInaccessibility is the polylabel algorithm (Mapbox, 2016): cover
// the bounding box with square cells, keep them in a queue by the best
// distance a point of the cell could have, and split the promising ones
// until no cell can beat the best point found by more than the precision.
func poleOfInaccessibility(mp orb.MultiPolygon) orb.Point {
	b := mp.Bound()
	k := math.Cos(b.Center()[1] * math.Pi / 180)
	if k < 0.01 {
		k = 0.01
	}
	var rings []scaledRing
	for _, p := range mp {
		for _, r := range p {
			sr := make(scaledRing, len(r))
			for i, pt := range r {
				sr[i] = orb.Point{pt[0] * k, pt[1]}
			}
			rings = append(rings, sr)
		}
	}
	minX, minY := b.Min[0]*k, b.Min[1]
	w, h := (b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1]
	unscale := func(p orb.Point) orb.Point { return orb.Point{p[0] / k, p[1]} }
	size := math.Min(w, h)
	if size == 0 {
		return unscale(orb.Point{minX + w/2, minY + h/2})
	}
	precision := math.Max(w, h) / 2000
	cell := func(x, y, half float64) interiorCell {
		d := signedDistance(orb.Point{x, y}, rings)
		return interiorCell{x: x, y: y, h: half, d: d, max: d + half*math.Sqrt2}
	}
	q := &cellQueue{}
	half := size / 2
	for x := minX; x < minX+w; x += size {
		for y := minY; y < minY+h; y += size {
			heap.Push(q, cell(x+half, y+half, half))
		}
	}
	best := cell(minX+w/2, minY+h/2, 0)
	if c := areaCentroidCell(mp, k, cell); c.d > best.d {
		best = c
	}
	for n := 0; q.Len() > 0 && n < interiorMaxCells; n++ {
		c := heap.Pop(q).(interiorCell)
		if c.d > best.d {
			best = c
		}
		if c.max-best.d <= precision {
			continue
		}
		hh := c.h / 2
		heap.Push(q, cell(c.x-hh, c.y-hh, hh))
		heap.Push(q, cell(c.x+hh, c.y-hh, hh))
		heap.Push(q, cell(c.x-hh, c.y+hh, hh))
		heap.Push(q, cell(c.x+hh, c.y+hh, hh))
	}
	return unscale(orb.Point{best.x, best.y})
}

// areaCentroidCell is the cell at the area centroid of the largest
// polygon, a good first guess for convex shapes.
func areaCentroidCell(mp orb.MultiPolygon, k float64, cell func(x, y, h float64) interiorCell) interiorCell {
	var largest orb.Ring
	var la float64
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		if a := math.Abs(ringArea(p[0])); a > la || largest == nil {
			largest, la = p[0], a
		}
	}
	var cx, cy, a float64
	for i := 0; i+1 < len(largest); i++ {
		p, q := largest[i], largest[i+1]
		f := p[0]*q[1] - q[0]*p[1]
		cx += (p[0] + q[0]) * f
		cy += (p[1] + q[1]) * f
		a += f * 3
	}
	if a == 0 {
		if len(largest) == 0 {
			return interiorCell{d: math.Inf(-1)}
		}
		return cell(largest[0][0]*k, largest[0][1], 0)
	}
	return cell(cx/a*k, cy/a, 0)
}

// signedDistance is the distance from p to the nearest ring edge, positive
// inside the shape (even-odd over all rings: holes are outside) and
// negative outside.
func signedDistance(p orb.Point, rings []scaledRing) float64 {
	inside := false
	minSq := math.Inf(1)
	for _, r := range rings {
		n := len(r)
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			minSq = math.Min(minSq, segDistSq(p, a, b))
		}
	}
	d := math.Sqrt(minSq)
	if !inside {
		return -d
	}
	return d
}

// segDistSq is the squared distance from p to the segment ab.
func segDistSq(p, a, b orb.Point) float64 {
	x, y := a[0], a[1]
	dx, dy := b[0]-x, b[1]-y
	if dx != 0 || dy != 0 {
		t := ((p[0]-x)*dx + (p[1]-y)*dy) / (dx*dx + dy*dy)
		if t > 1 {
			x, y = b[0], b[1]
		} else if t > 0 {
			x += dx * t
			y += dy * t
		}
	}
	dx, dy = p[0]-x, p[1]-y
	return dx*dx + dy*dy
}

// interiorCell is a square cell of the search: centre, half side, the
// centre's signed distance and the best distance any point in it may have.
type interiorCell struct {
	x, y, h, d, max float64
}

// cellQueue is a max-heap of cells by their potential.
type cellQueue []interiorCell

func (q cellQueue) Len() int           { return len(q) }
func (q cellQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q cellQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x any)        { *q = append(*q, x.(interiorCell)) }
func (q *cellQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
