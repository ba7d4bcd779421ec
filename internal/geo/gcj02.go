package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// GCJ-02 ("Mars coordinates", used by Amap/Gaode, Tencent and other
// Chinese map services) is WGS84 shifted by an obfuscating, non-linear
// offset of a few hundred metres. The forward transform below is the
// published algorithm (Krasovsky 1940 ellipsoid, a = 6378245.0,
// ee = 0.00669342162296594323, the well-known transformLat/transformLng
// polynomials-plus-sines), written from the formulas; the inverse has no
// closed form and is solved by fixed-point iteration.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// OutOfChina reports whether a point is outside the rough bounding box of
// China (72.004–137.8347 E, 0.8293–55.8271 N) in which the GCJ-02 offset
// applies; outside it both conversions return the point unchanged, as the
// standard algorithm does.
func OutOfChina(lat, lng float64) bool {
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func gcjTransformLat(x, y float64) float64 {
	ret := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	ret += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return ret
}

func gcjTransformLng(x, y float64) float64 {
	ret := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	ret += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return ret
}

// gcjDelta is the GCJ-02 offset (degrees) at a WGS84 point.
func gcjDelta(lat, lng float64) (dLat, dLng float64) {
	dLat = gcjTransformLat(lng-105.0, lat-35.0)
	dLng = gcjTransformLng(lng-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLat, dLng
}

// WGS84ToGCJ02 converts a WGS84 point to GCJ-02; a point outside China
// (OutOfChina) is returned unchanged.
func WGS84ToGCJ02(lat, lng float64) (float64, float64) {
	if OutOfChina(lat, lng) {
		return lat, lng
	}
	dLat, dLng := gcjDelta(lat, lng)
	return lat + dLat, lng + dLng
}

// GCJ02ToWGS84 converts a GCJ-02 point back to WGS84 by iteration (not the
// one-step approximation, which is off by up to a few metres): it refines
// the WGS84 guess until converting it forward lands within 1e-9 degrees
// (about 0.1 mm) of the input, at most 30 rounds. A point outside China is
// returned unchanged.
func GCJ02ToWGS84(lat, lng float64) (float64, float64) {
	if OutOfChina(lat, lng) {
		return lat, lng
	}
	wLat, wLng := lat, lng
	for i := 0; i < 30; i++ {
		gLat, gLng := WGS84ToGCJ02(wLat, wLng)
		eLat, eLng := lat-gLat, lng-gLng
		wLat, wLng = wLat+eLat, wLng+eLng
		if math.Abs(eLat) < 1e-9 && math.Abs(eLng) < 1e-9 {
			break
		}
	}
	return wLat, wLng
}

// TransformGeometry returns a copy of g with every position passed through
// f (which takes and returns lat, lng); g itself is not changed. It handles
// every orb geometry type; a Bound is transformed corner by corner.
func TransformGeometry(g orb.Geometry, f func(lat, lng float64) (float64, float64)) orb.Geometry {
	if g == nil {
		return nil
	}
	c := orb.Clone(g)
	pt := func(p orb.Point) orb.Point {
		lat, lng := f(p[1], p[0])
		return orb.Point{lng, lat}
	}
	pts := func(ps []orb.Point) {
		for i := range ps {
			ps[i] = pt(ps[i])
		}
	}
	switch v := c.(type) {
	case orb.Point:
		return pt(v)
	case orb.MultiPoint:
		pts(v)
	case orb.LineString:
		pts(v)
	case orb.MultiLineString:
		for _, l := range v {
			pts(l)
		}
	case orb.Ring:
		pts(v)
	case orb.Polygon:
		for _, r := range v {
			pts(r)
		}
	case orb.MultiPolygon:
		for _, p := range v {
			for _, r := range p {
				pts(r)
			}
		}
	case orb.Collection:
		for i := range v {
			v[i] = TransformGeometry(v[i], f)
		}
	case orb.Bound:
		return orb.Bound{Min: pt(v.Min), Max: pt(v.Max)}
	}
	return c
}

// GeometryWGS84ToGCJ02 converts a whole geometry from WGS84 to GCJ-02.
func GeometryWGS84ToGCJ02(g orb.Geometry) orb.Geometry { return TransformGeometry(g, WGS84ToGCJ02) }

// GeometryGCJ02ToWGS84 converts a whole geometry from GCJ-02 to WGS84.
func GeometryGCJ02ToWGS84(g orb.Geometry) orb.Geometry { return TransformGeometry(g, GCJ02ToWGS84) }
