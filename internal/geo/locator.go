package geo

import (
	"context"
	"sync"

	"gridgov/internal/apperr"
)

// GridSource lists the grids and their boundaries, typically from the org
// module's store.
type GridSource interface {
	GridShapes(ctx context.Context) ([]GridShape, error)
}

// Locator answers point → grid from an Index built lazily from a
// GridSource and rebuilt after Invalidate. Safe for concurrent use.
type Locator struct {
	src GridSource

	build sync.Mutex // one build at a time
	mu    sync.Mutex // guards ix and gen
	ix    *Index
	gen   uint64 // bumped by Invalidate, so a build that raced it is not kept
}

// NewLocator returns a Locator over src; nothing is read until the first
// Locate.
func NewLocator(src GridSource) *Locator { return &Locator{src: src} }

// Invalidate drops the index; the next Locate rebuilds it from the source.
// Call it after a grid boundary changes.
func (l *Locator) Invalidate() {
	l.mu.Lock()
	l.ix = nil
	l.gen++
	l.mu.Unlock()
}

// Locate returns the deepest-level grid containing (lat, lng). Coordinates
// out of range are an invalid-input error naming lat or lng.
func (l *Locator) Locate(ctx context.Context, lat, lng float64) (GridShape, bool, error) {
	if !validLngLat(lat, 0) {
		return GridShape{}, false, apperr.Field("lat", apperr.OutOfRange, "min", -90, "max", 90)
	}
	if !validLngLat(0, lng) {
		return GridShape{}, false, apperr.Field("lng", apperr.OutOfRange, "min", -180, "max", 180)
	}
	ix, err := l.Index(ctx)
	if err != nil {
		return GridShape{}, false, err
	}
	g, ok := ix.Locate(lat, lng)
	return g, ok, nil
}

// Index returns the current index, building it when needed.
func (l *Locator) Index(ctx context.Context) (*Index, error) {
	if ix := l.current(); ix != nil {
		return ix, nil
	}
	l.build.Lock()
	defer l.build.Unlock()
	if ix := l.current(); ix != nil {
		return ix, nil // built while we waited
	}
	l.mu.Lock()
	gen := l.gen
	l.mu.Unlock()
	grids, err := l.src.GridShapes(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "load grid boundaries")
	}
	ix, err := NewIndex(grids)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.gen == gen {
		l.ix = ix
	}
	l.mu.Unlock()
	return ix, nil
}

func (l *Locator) current() *Index {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ix
}
