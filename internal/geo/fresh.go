package geo

import (
	"context"
	"sync"
	"time"
)

// VersionedSource is a GridSource that can also tell, cheaply, whether its
// grids changed (the org module's GridsVersion).
type VersionedSource interface {
	GridSource
	GridsVersion(ctx context.Context) (string, error)
}

// FreshLocator is a Locator that rebuilds its index when the source's
// version changes, checking at most once per interval, so that grids edited
// by another process (an import from the command line) are seen too.
type FreshLocator struct {
	*Locator
	src      VersionedSource
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	checked time.Time
	version string
}

// NewFreshLocator returns a locator over src that checks the version at
// most once per interval.
func NewFreshLocator(src VersionedSource, interval time.Duration, now func() time.Time) *FreshLocator {
	return &FreshLocator{Locator: NewLocator(src), src: src, interval: interval, now: now}
}

// Locate checks the source's version when the interval has passed, then
// answers as Locator.Locate.
func (f *FreshLocator) Locate(ctx context.Context, lat, lng float64) (GridShape, bool, error) {
	if err := f.refresh(ctx); err != nil {
		return GridShape{}, false, err
	}
	return f.Locator.Locate(ctx, lat, lng)
}

// GridCode adapts Locate to callers that need only the grid's code.
func (f *FreshLocator) GridCode(ctx context.Context, lat, lng float64) (string, bool, error) {
	g, ok, err := f.Locate(ctx, lat, lng)
	return g.Code, ok, err
}

func (f *FreshLocator) refresh(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if !f.checked.IsZero() && now.Sub(f.checked) < f.interval {
		return nil
	}
	v, err := f.src.GridsVersion(ctx)
	if err != nil {
		return err
	}
	if v != f.version {
		f.version = v
		f.Locator.Invalidate()
	}
	f.checked = now
	return nil
}
