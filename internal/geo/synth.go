package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
)

// Synthetic tiling extent: Zhengzhou, roughly.
const (
	synthMinLng, synthMaxLng = 112.7, 114.2
	synthMinLat, synthMaxLat = 34.2, 34.98
)

// SynthTiling generates n level-3 grids (codes G00000, G00001, …; unit
// codes C0000, C0001, … with three grids to a community) that tile part of
// the Zhengzhou extent (112.7–114.2 E, 34.2–34.98 N) without gaps or
// overlaps, for benchmarks and demo data. It is a jittered lattice: the
// lattice nodes are moved randomly, and each lattice edge becomes a wavy
// polyline of 9–49 inner vertices (so a grid has 40–200 vertices) shared,
// point for point, by the two grids on either side of it. The same seed
// gives the same tiling.
func SynthTiling(seed int64, n int) []GridShape {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewSource(seed))
	w := (synthMaxLng - synthMinLng) * math.Cos((synthMinLat+synthMaxLat)/2*math.Pi/180)
	h := synthMaxLat - synthMinLat
	cols := max(1, int(math.Ceil(math.Sqrt(float64(n)*w/h))))
	rows := (n + cols - 1) / cols
	dx, dy := (synthMaxLng-synthMinLng)/float64(cols), (synthMaxLat-synthMinLat)/float64(rows)
	// Nodes, jittered by up to 20% of a cell except on the outer border.
	node := make([][]orb2, rows+1)
	for r := 0; r <= rows; r++ {
		node[r] = make([]orb2, cols+1)
		for c := 0; c <= cols; c++ {
			x, y := synthMinLng+float64(c)*dx, synthMinLat+float64(r)*dy
			if c > 0 && c < cols {
				x += (rng.Float64() - 0.5) * 0.4 * dx
			}
			if r > 0 && r < rows {
				y += (rng.Float64() - 0.5) * 0.4 * dy
			}
			node[r][c] = orb2{x, y}
		}
	}
	// wavy returns the inner vertices of a polyline from a to b: a sine-ish
	// wobble perpendicular to the edge, tapering to nothing at both ends so
	// that edges meeting at a node never cross.
	wavy := func(a, b orb2, amp float64) []orb2 {
		k := 9 + rng.Intn(41)
		ph, fr := rng.Float64()*2*math.Pi, 1+rng.Float64()*3
		nxp, nyp := -(b[1] - a[1]), b[0]-a[0]
		l := math.Hypot(nxp, nyp)
		nxp, nyp = nxp/l, nyp/l
		out := make([]orb2, k)
		for i := range out {
			t := float64(i+1) / float64(k+1)
			off := amp * math.Sin(math.Pi*t) * math.Sin(ph+fr*math.Pi*t) * 0.5
			out[i] = orb2{a[0] + (b[0]-a[0])*t + nxp*off*dx, a[1] + (b[1]-a[1])*t + nyp*off*dy}
		}
		return out
	}
	// Horizontal edges h[r][c]: node[r][c] → node[r][c+1]; vertical edges
	// v[r][c]: node[r][c] → node[r+1][c]. Border edges stay straight.
	hz := make([][][]orb2, rows+1)
	for r := 0; r <= rows; r++ {
		hz[r] = make([][]orb2, cols)
		for c := 0; c < cols; c++ {
			amp := 0.15
			if r == 0 || r == rows {
				amp = 0
			}
			hz[r][c] = wavy(node[r][c], node[r][c+1], amp)
		}
	}
	vt := make([][][]orb2, rows)
	for r := 0; r < rows; r++ {
		vt[r] = make([][]orb2, cols+1)
		for c := 0; c <= cols; c++ {
			amp := 0.15
			if c == 0 || c == cols {
				amp = 0
			}
			vt[r][c] = wavy(node[r][c], node[r+1][c], amp)
		}
	}
	out := make([]GridShape, 0, n)
	for r := 0; r < rows && len(out) < n; r++ {
		for c := 0; c < cols && len(out) < n; c++ {
			// Counter-clockwise: bottom →, right ↑, top ←, left ↓.
			ring := []orb2{node[r][c]}
			ring = append(ring, hz[r][c]...)
			ring = append(ring, node[r][c+1])
			ring = append(ring, vt[r][c+1]...)
			ring = append(ring, node[r+1][c+1])
			ring = appendReversed(ring, hz[r+1][c])
			ring = append(ring, node[r+1][c])
			ring = appendReversed(ring, vt[r][c])
			ring = append(ring, node[r][c])
			geom, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][]orb2{ring}})
			i := len(out)
			out = append(out, GridShape{Code: fmt.Sprintf("G%05d", i), UnitCode: fmt.Sprintf("C%04d", i/3), Level: 3, Geometry: geom})
		}
	}
	return out
}

// orb2 is a [lng, lat] position.
type orb2 = [2]float64

func appendReversed(dst, src []orb2) []orb2 {
	for i := len(src) - 1; i >= 0; i-- {
		dst = append(dst, src[i])
	}
	return dst
}
