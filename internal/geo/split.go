package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/paulmach/orb"
)

// Line is the straight line A·lng + B·lat = C in [lng, lat] degrees. Points
// with A·lng + B·lat < C are on its "below" side, the others "above".
type Line struct{ A, B, C float64 }

// side returns the signed offset of p from the line.
func (l Line) side(p orb.Point) float64 { return l.A*p[0] + l.B*p[1] - l.C }

// lineEps is the distance (in the line's units, about degrees) under which
// a vertex counts as lying on the line; SplitPolygon then moves the line by
// lineNudge so that every crossing is a proper one.
const (
	lineEps   = 1e-12
	lineNudge = 1e-10
)

// ErrPolygonHoles is returned by SplitPolygon and Partition for a polygon
// with holes, which they do not split.
var ErrPolygonHoles = errors.New("geo: splitting polygons with holes is not supported")

// SplitPolygon cuts a simple polygon without holes by a line into the pieces
// below and above it (see Line). A concave polygon may give several pieces
// on one side; the pieces of both sides tile the polygon exactly (the cut
// edges are shared point for point) and each is a simple polygon in the
// polygon's orientation, closed. Should a vertex lie on the line (within
// 1e-12), the line is first moved by 1e-10 (about 10 µm) so that every
// crossing is proper. A polygon wholly on one side is returned as is.
//
// Method: the ring's crossings with the line are inserted as nodes, sorted
// along the line and paired (1st–2nd, 3rd–4th, …: between such a pair the
// line runs inside the polygon, by the even-odd rule); each piece is traced
// by walking the ring and, on reaching a crossing, jumping along the line
// to its partner and walking on from there.
func SplitPolygon(p orb.Polygon, l Line) (below, above []orb.Polygon, err error) {
	if len(p) == 0 {
		return nil, nil, nil
	}
	if len(p) > 1 {
		return nil, nil, ErrPolygonHoles
	}
	ring := openRing(p[0])
	if len(ring) < 3 {
		return nil, nil, nil
	}
	for range 10 {
		if onLine(ring, l) {
			l.C += lineNudge
			continue
		}
		break
	}
	n := len(ring)
	s := make([]float64, n)
	nBelow := 0
	for i, v := range ring {
		s[i] = l.side(v)
		if s[i] < 0 {
			nBelow++
		}
	}
	switch nBelow {
	case n:
		return []orb.Polygon{p}, nil, nil
	case 0:
		return nil, []orb.Polygon{p}, nil
	}
	type node struct {
		pt      orb.Point
		cross   bool
		below   bool    // for a vertex: its side
		t       float64 // for a crossing: position along the line
		partner int
	}
	nodes := make([]node, 0, n+8)
	var crossings []int
	for i := range n {
		j := (i + 1) % n
		nodes = append(nodes, node{pt: ring[i], below: s[i] < 0})
		if (s[i] < 0) != (s[j] < 0) {
			f := s[i] / (s[i] - s[j])
			x := orb.Point{ring[i][0] + (ring[j][0]-ring[i][0])*f, ring[i][1] + (ring[j][1]-ring[i][1])*f}
			crossings = append(crossings, len(nodes))
			nodes = append(nodes, node{pt: x, cross: true, t: -l.B*x[0] + l.A*x[1]})
		}
	}
	if len(crossings)%2 != 0 { // a closed ring crosses a line an even number of times
		return nil, nil, errors.New("geo: polygon split found an odd number of crossings")
	}
	sort.SliceStable(crossings, func(a, b int) bool { return nodes[crossings[a]].t < nodes[crossings[b]].t })
	for k := 0; k+1 < len(crossings); k += 2 {
		a, b := crossings[k], crossings[k+1]
		nodes[a].partner, nodes[b].partner = b, a
	}
	m := len(nodes)
	visited := make([]bool, m)
	for start := range nodes {
		if nodes[start].cross || visited[start] {
			continue
		}
		var piece orb.Ring
		cur := start
		for steps := 0; ; steps++ {
			if steps > 2*m {
				return nil, nil, errors.New("geo: polygon split did not close (self-crossing ring?)")
			}
			visited[cur] = true
			piece = append(piece, nodes[cur].pt)
			next := (cur + 1) % m
			if nodes[next].cross {
				y := nodes[next].partner
				piece = append(piece, nodes[next].pt, nodes[y].pt)
				next = (y + 1) % m
			}
			if next == start {
				break
			}
			if visited[next] {
				return nil, nil, errors.New("geo: polygon split met a vertex twice (self-crossing ring?)")
			}
			cur = next
		}
		piece = append(piece, piece[0])
		if nodes[start].below {
			below = append(below, orb.Polygon{piece})
		} else {
			above = append(above, orb.Polygon{piece})
		}
	}
	return below, above, nil
}

// openRing returns the ring without its closing position and without
// duplicate consecutive positions.
func openRing(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// onLine reports whether a vertex of ring lies on the line (within lineEps).
func onLine(ring []orb.Point, l Line) bool {
	for _, v := range ring {
		if math.Abs(l.side(v)) < lineEps {
			return true
		}
	}
	return false
}

// halfArea returns the area (square degrees) of the part of mp below l,
// by clipping each ring to the half-plane (Sutherland–Hodgman, whose
// result may have degenerate edges on the line for a concave ring, but
// whose signed area is exact).
func halfArea(mp orb.MultiPolygon, l Line) float64 {
	total := 0.0
	for _, poly := range mp {
		for ri, r := range poly {
			a := 0.0
			n := len(r)
			var prev orb.Point
			first, have := orb.Point{}, false
			add := func(p orb.Point) {
				if have {
					a += prev[0]*p[1] - p[0]*prev[1]
				} else {
					first, have = p, true
				}
				prev = p
			}
			for i := range n {
				c, d := r[i], r[(i+1)%n]
				sc, sd := l.side(c), l.side(d)
				if sc < 0 {
					add(c)
				}
				if (sc < 0) != (sd < 0) {
					f := sc / (sc - sd)
					add(orb.Point{c[0] + (d[0]-c[0])*f, c[1] + (d[1]-c[1])*f})
				}
			}
			if have {
				a += prev[0]*first[1] - first[0]*prev[1]
			}
			a = math.Abs(a) / 2
			if ri > 0 {
				a = -a
			}
			total += a
		}
	}
	return total
}

// planarArea returns the area of mp in square degrees (holes subtracted).
func planarArea(mp orb.MultiPolygon) float64 {
	b := mp.Bound()
	return halfArea(mp, Line{A: 1, B: 0, C: b.Max[0] + 1})
}

// Partition splits mp (polygons without holes, [lng, lat]) into k parts of
// roughly equal area (each within about ±10% of its share) that tile it
// exactly: no gaps, no overlaps, shared cut edges point for point. Each part
// is a MultiPolygon of one or more pieces (a cut through a concave shape
// can leave a part in several pieces). Parts come out roughly in order
// along the cuts, so neighbours in the slice tend to be neighbours on the
// map. The same rng state gives the same parts.
//
// Method: recursive bisection. k parts are made by cutting mp into two
// groups with areas in the ratio ⌊k/2⌋ : ⌈k/2⌉ (give or take the jitter)
// by a straight line across the longer side of its bounding box (measured
// in metres, so cuts look right at Zhengzhou's latitude), its angle jittered
// by up to ±15°, its offset found by bisection on the area below the line;
// then each group is partitioned in turn. Cost is about k·log k passes over
// the vertices, so a district of hundreds of communities takes milliseconds.
func Partition(mp orb.MultiPolygon, k int, rng *rand.Rand) ([]orb.MultiPolygon, error) {
	if k <= 0 {
		return nil, nil
	}
	for _, p := range mp {
		if len(p) > 1 {
			return nil, ErrPolygonHoles
		}
	}
	out := make([]orb.MultiPolygon, 0, k)
	var rec func(mp orb.MultiPolygon, k int) error
	rec = func(mp orb.MultiPolygon, k int) error {
		if k == 1 || len(mp) == 0 {
			out = append(out, mp)
			for range k - 1 { // nothing left to share: never for a real shape
				out = append(out, nil)
			}
			return nil
		}
		k1 := k / 2
		share := float64(k1) / float64(k)
		share *= 1 + (rng.Float64()-0.5)*0.2/float64(min(k1, k-k1))
		l := cutLine(mp, share, rng)
		var lo, hi orb.MultiPolygon
		for _, p := range mp {
			b, a, err := SplitPolygon(p, l)
			if err != nil {
				return err
			}
			lo, hi = append(lo, b...), append(hi, a...)
		}
		if err := rec(lo, k1); err != nil {
			return err
		}
		return rec(hi, k-k1)
	}
	if err := rec(mp, k); err != nil {
		return nil, err
	}
	return out, nil
}

// cutLine returns a line across the longer side of mp's bounding box, its
// angle jittered, with the given share of mp's area below it.
func cutLine(mp orb.MultiPolygon, share float64, rng *rand.Rand) Line {
	b := mp.Bound()
	cosLat := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	w, h := (b.Max[0]-b.Min[0])*cosLat, b.Max[1]-b.Min[1]
	// theta is the direction of the line's normal in metres: 0 = a cut
	// across the x axis (a north-south line).
	theta := math.Pi / 2
	if w >= h {
		theta = 0
	}
	theta += (rng.Float64()*2 - 1) * 15 * math.Pi / 180
	// side(p) = distance in metre-like units (degrees of latitude).
	l := Line{A: math.Cos(theta) * cosLat, B: math.Sin(theta)}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range mp {
		for _, r := range p {
			for _, v := range r {
				s := l.A*v[0] + l.B*v[1]
				lo, hi = min(lo, s), max(hi, s)
			}
		}
	}
	target := share * planarArea(mp)
	for range 60 {
		l.C = (lo + hi) / 2
		if halfArea(mp, l) < target {
			lo = l.C
		} else {
			hi = l.C
		}
	}
	l.C = (lo + hi) / 2
	return l
}
