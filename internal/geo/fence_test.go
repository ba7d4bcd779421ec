package geo_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
)

// north returns the point d metres due north of (lat, lng).
func north(lat, lng, d float64) (float64, float64) {
	return lat + d/6371008.8*180/math.Pi, lng
}

// east returns the point d metres due east of (lat, lng), along the great
// circle's start (close enough for the 1 m margins here).
func east(lat, lng, d float64) (float64, float64) {
	return lat, lng + d/(6371008.8*math.Cos(lat*math.Pi/180))*180/math.Pi
}

func TestCircleFence(t *testing.T) {
	const lat, lng = 34.75, 113.62
	f, err := geo.NewCircleFence("c", lat, lng, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(float64, float64, float64) (float64, float64){north, east} {
		if la, ln := step(lat, lng, 99); !f.Contains(la, ln) {
			t.Errorf("99 m away (%g, %g): outside, want inside (%.2f m)", la, ln, geo.HaversineM(lat, lng, la, ln))
		}
		if la, ln := step(lat, lng, 101); f.Contains(la, ln) {
			t.Errorf("101 m away: inside, want outside (%.2f m)", geo.HaversineM(lat, lng, la, ln))
		}
	}
	if !f.Contains(lat, lng) {
		t.Error("centre outside")
	}
	if d := geo.HaversineM(39.9042, 116.4074, 34.7466, 113.6253); math.Abs(d-622e3) > 5e3 {
		t.Errorf("Beijing–Zhengzhou %g m, want about 622 km", d)
	}
	if _, err := geo.NewCircleFence("bad", lat, lng, 0); apperr.As(err).Fields["radius"] == "" {
		t.Errorf("radius 0: %v", err)
	}
	if _, err := geo.NewCircleFence("bad", 95, lng, 10); apperr.As(err).Fields["center"] == "" {
		t.Errorf("lat 95: %v", err)
	}
}

func TestAreaFence(t *testing.T) {
	sq := orb.Polygon{ring(113, 34, 113.1, 34, 113.1, 34.1, 113, 34.1, 113, 34),
		ring(113.04, 34.04, 113.04, 34.06, 113.06, 34.06, 113.06, 34.04, 113.04, 34.04)}
	f, err := geo.NewAreaFence("sq", sq)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		lat, lng float64
		want     bool
	}{
		{"inside", 34.02, 113.02, true},
		{"outside", 34.2, 113.02, false},
		{"on the edge", 34, 113.05, true},
		{"on a corner", 34.1, 113.1, true},
		{"in the hole", 34.05, 113.05, false},
		{"on the hole's edge", 34.04, 113.05, false},
	} {
		if got := f.Contains(tt.lat, tt.lng); got != tt.want {
			t.Errorf("%s: Contains = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := geo.NewAreaFence("bow", orb.Polygon{ring(113, 34, 113.1, 34.1, 113.1, 34, 113, 34.1, 113, 34)}); err == nil {
		t.Error("a bow-tie fence was accepted")
	}
}

func TestFenceSet(t *testing.T) {
	sq, _ := geo.NewAreaFence("square", orb.Polygon{ring(113, 34, 113.1, 34, 113.1, 34.1, 113, 34.1, 113, 34)})
	c1, _ := geo.NewCircleFence("circle", 34.05, 113.1, 1000)
	c2, _ := geo.NewCircleFence("far", 39.9, 116.4, 500)
	s, err := geo.NewFenceSet([]geo.Fence{sq, c1, c2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := geo.NewFenceSet([]geo.Fence{sq, sq}); err == nil {
		t.Error("repeated IDs accepted")
	}
	if got := s.Containing(34.05, 113.099); !reflect.DeepEqual(got, []string{"circle", "square"}) {
		t.Errorf("Containing = %v", got)
	}
	if got := s.Containing(34.05, 113.105); !reflect.DeepEqual(got, []string{"circle"}) {
		t.Errorf("Containing = %v", got)
	}
	if got := s.Containing(20, 100); len(got) != 0 {
		t.Errorf("Containing = %v", got)
	}
	// A walk: outside → square → both → circle only → outside.
	var inside []string
	steps := []struct {
		lat, lng        float64
		entered, exited []string
	}{
		{34.2, 113.05, nil, nil},
		{34.05, 113.05, []string{"square"}, nil},
		{34.05, 113.099, []string{"circle"}, nil},
		{34.05, 113.105, nil, []string{"square"}},
		{34.2, 113.3, nil, []string{"circle"}},
	}
	for i, st := range steps {
		var entered, exited []string
		entered, exited, inside = s.Transition(inside, st.lat, st.lng)
		if !reflect.DeepEqual(entered, st.entered) || !reflect.DeepEqual(exited, st.exited) {
			t.Errorf("step %d: entered %v exited %v, want %v %v", i, entered, exited, st.entered, st.exited)
		}
	}
}
