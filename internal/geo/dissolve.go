package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// dissolve merges trapezoids (indexes into ov.traps) into polygon outlines
// in projected metres: it keeps the trapezoid sides that are not shared
// with another trapezoid of the set, chains them into rings (region on the
// left, so exteriors come out counter-clockwise and holes clockwise),
// drops vertices that lie on a straight line between their neighbours, and
// puts each hole in the exterior that contains it. It reports false when
// the chaining does not close or the areas disagree, so that the caller can
// fall back to the trapezoids themselves.
func (ov *overlay) dissolve(ids []int) (orb.MultiPolygon, bool) {
	type seg struct{ a, b orb.Point }
	var segs []seg
	var total float64
	// Top and bottom sides: a top shared with the bottom of a trapezoid in
	// the same slab cancels out.
	tops := map[[3]float64]int{}
	bottoms := map[[3]float64]int{}
	for _, ti := range ids {
		t := ov.traps[ti]
		total += t.area
		tops[[3]float64{float64(t.slab), t.ytl, t.ytr}]++
		bottoms[[3]float64{float64(t.slab), t.ybl, t.ybr}]++
	}
	for _, ti := range ids {
		t := ov.traps[ti]
		if k := [3]float64{float64(t.slab), t.ybl, t.ybr}; tops[k] == 0 {
			segs = append(segs, seg{orb.Point{t.xa, t.ybl}, orb.Point{t.xb, t.ybr}})
		}
		if k := [3]float64{float64(t.slab), t.ytl, t.ytr}; bottoms[k] == 0 {
			segs = append(segs, seg{orb.Point{t.xb, t.ytr}, orb.Point{t.xa, t.ytl}})
		}
	}
	// Vertical sides: on each slab boundary x, the part covered from one
	// side only.
	type iv struct{ lo, hi float64 }
	west := map[float64][]iv{} // right sides of trapezoids west of x
	east := map[float64][]iv{} // left sides of trapezoids east of x
	for _, ti := range ids {
		t := ov.traps[ti]
		if t.ytr > t.ybr {
			west[t.xb] = append(west[t.xb], iv{t.ybr, t.ytr})
		}
		if t.ytl > t.ybl {
			east[t.xa] = append(east[t.xa], iv{t.ybl, t.ytl})
		}
	}
	merge := func(v []iv) []iv {
		sort.Slice(v, func(i, j int) bool { return v[i].lo < v[j].lo })
		var out []iv
		for _, x := range v {
			if n := len(out); n > 0 && x.lo <= out[n-1].hi {
				out[n-1].hi = math.Max(out[n-1].hi, x.hi)
			} else {
				out = append(out, x)
			}
		}
		return out
	}
	// minus returns a \ b for merged interval lists.
	minus := func(a, b []iv) []iv {
		var out []iv
		for _, x := range a {
			lo := x.lo
			for _, y := range b {
				if y.hi <= lo || y.lo >= x.hi {
					continue
				}
				if y.lo > lo {
					out = append(out, iv{lo, y.lo})
				}
				lo = math.Max(lo, y.hi)
			}
			if lo < x.hi {
				out = append(out, iv{lo, x.hi})
			}
		}
		return out
	}
	xs := map[float64]bool{}
	for x := range west {
		xs[x] = true
	}
	for x := range east {
		xs[x] = true
	}
	for x := range xs {
		w, e := merge(west[x]), merge(east[x])
		for _, v := range minus(w, e) { // region to the west: going up
			segs = append(segs, seg{orb.Point{x, v.lo}, orb.Point{x, v.hi}})
		}
		for _, v := range minus(e, w) { // region to the east: going down
			segs = append(segs, seg{orb.Point{x, v.hi}, orb.Point{x, v.lo}})
		}
	}
	// Chain: at a point with several ways out, take the sharpest left turn
	// so that parts touching at a point become separate rings.
	out := map[orb.Point][]int{}
	for i, s := range segs {
		out[s.a] = append(out[s.a], i)
	}
	used := make([]bool, len(segs))
	var rings []orb.Ring
	for i := range segs {
		if used[i] {
			continue
		}
		r := orb.Ring{segs[i].a}
		cur := i
		for {
			used[cur] = true
			s := segs[cur]
			r = append(r, s.b)
			if s.b == r[0] {
				break
			}
			next, best := -1, math.Inf(-1)
			din := math.Atan2(s.b[1]-s.a[1], s.b[0]-s.a[0])
			for _, j := range out[s.b] {
				if used[j] {
					continue
				}
				t := segs[j]
				turn := math.Atan2(t.b[1]-t.a[1], t.b[0]-t.a[0]) - din
				for turn <= -math.Pi {
					turn += 2 * math.Pi
				}
				for turn > math.Pi {
					turn -= 2 * math.Pi
				}
				if turn > best {
					next, best = j, turn
				}
			}
			if next < 0 {
				return nil, false // does not close
			}
			cur = next
		}
		if r = simplifyRing(r); len(r) >= 4 {
			rings = append(rings, r)
		}
	}
	// Exteriors (counter-clockwise) and holes (clockwise).
	var mp orb.MultiPolygon
	var holes []orb.Ring
	for _, r := range rings {
		if ringArea(r) > 0 {
			mp = append(mp, orb.Polygon{r})
		} else {
			holes = append(holes, r)
		}
	}
	for _, h := range holes {
		best, bestArea := -1, math.Inf(1)
		for i, p := range mp {
			if a := ringArea(p[0]); a < bestArea && ringHasInside(p[0], h) {
				best, bestArea = i, a
			}
		}
		if best < 0 {
			return nil, false
		}
		mp[best] = append(mp[best], h)
	}
	var area float64
	for _, p := range mp {
		for _, r := range p {
			area += ringArea(r)
		}
	}
	if math.Abs(area-total) > 1e-6*math.Max(total, 1) {
		return nil, false
	}
	return mp, true
}

// simplifyRing drops vertices of a closed ring that lie within a
// micrometre of the line through their neighbours (the slab cuts along a
// straight edge).
func simplifyRing(r orb.Ring) orb.Ring {
	pts := r[:len(r)-1]
	changed := true
	for changed && len(pts) > 3 {
		changed = false
		var keep []orb.Point
		n := len(pts)
		for i := 0; i < n; i++ {
			var prev orb.Point
			if len(keep) > 0 {
				prev = keep[len(keep)-1]
			} else {
				prev = pts[n-1]
			}
			next := pts[(i+1)%n]
			d := math.Hypot(next[0]-prev[0], next[1]-prev[1])
			if d > 0 && math.Abs(orient(prev, pts[i], next))/d < 1e-6 &&
				(pts[i][0]-prev[0])*(next[0]-pts[i][0])+(pts[i][1]-prev[1])*(next[1]-pts[i][1]) >= 0 {
				changed = true
				continue
			}
			keep = append(keep, pts[i])
		}
		pts = keep
	}
	out := append(orb.Ring(nil), pts...)
	return append(out, pts[0])
}
