package cases

import (
	"context"
	"sync"
	"sync/atomic"

	"gridgov/internal/apperr"
)

// catCache holds the catalogue in memory: an immutable map from code to
// category, swapped whole. It is loaded lazily on first use and dropped
// by every category write of this Service (CreateCategory,
// EnsureCatalogue), so the next lookup reloads it. Another process
// sharing the database may add categories: a code not in the cache
// reloads the map once before it is reported unknown. Categories are only
// edited in place by EnsureCatalogue at start: if another process sharing
// the database upserts a newer catalogue, this one keeps the old names and
// limits of existing codes until its own next category write or restart.
// Callers must not modify a returned category's Limits: the map is shared.
type catCache struct {
	m   atomic.Pointer[map[string]Category]
	mu  sync.Mutex // guards gen and publishing m
	gen uint64     // bumped by drop, so a load begun before it is discarded
}

// drop forgets the cached catalogue; the next lookup reloads it.
func (c *catCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m.Store(nil)
}

// generation returns the current generation, taken before a load.
func (c *catCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// publish stores m unless the catalogue was dropped since gen.
func (c *catCache) publish(m map[string]Category, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.m.Store(&m)
	}
}

// cachedCategory returns a category by code from the cache, reloading it
// when absent or when code is not in it.
func (s *Service) cachedCategory(ctx context.Context, code string) (Category, error) {
	if m := s.cats.m.Load(); m != nil {
		if c, ok := (*m)[code]; ok {
			return c, nil
		}
	}
	m, err := s.loadCategories(ctx)
	if err != nil {
		return Category{}, err
	}
	if c, ok := m[code]; ok {
		return c, nil
	}
	return Category{}, apperr.NotFoundf("category %s not found", code)
}

// loadCategories reads the whole catalogue and publishes it.
func (s *Service) loadCategories(ctx context.Context) (map[string]Category, error) {
	gen := s.cats.generation()
	all, err := s.st.categories(ctx, CategoryFilter{All: true})
	if err != nil {
		return nil, err
	}
	m := make(map[string]Category, len(all))
	for _, c := range all {
		m[c.Code] = c
	}
	s.cats.publish(m, gen)
	return m, nil
}
