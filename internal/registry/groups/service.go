package groups

import (
	"context"
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/registry"
)

// The permissions this package checks (the registry's).
const (
	PermRead     = registry.PermRead
	PermWrite    = registry.PermWrite
	PermKeyGroup = registry.PermKeyGroup
)

// AttachmentChecker checks that attachments may be linked to a record by
// the acting user (blob.Service.LinkCheck).
type AttachmentChecker interface {
	LinkCheck(ctx context.Context, ids []int64) error
}

// Objects is what visits need from the module that owns a visited record
// type: where the record lies, and marking it verified. The registry
// answers for people and households; places implements it for houses and
// organisations.
type Objects interface {
	ObjectPath(ctx context.Context, objectType string, id int64) (path string, ok bool, err error)
	MarkVerified(ctx context.Context, objectType string, id int64, t time.Time, by *int64) error
}

// Service keeps code tables, group memberships and visits.
type Service struct {
	reg         *registry.Service
	places      Objects // houses and organisations
	db          *db.DB
	st          store
	audit       *audit.Log
	clock       clock.Clock
	attachments AttachmentChecker
}

// NewService returns the groups service over the registry (people,
// households) and places (houses, organisations, for visits).
// attachments (may be nil) checks the attachments a visit links; without
// one a visit naming attachments is refused.
func NewService(reg *registry.Service, places Objects, d *db.DB, log *audit.Log, clk clock.Clock, attachments AttachmentChecker) *Service {
	return &Service{reg: reg, places: places, db: d, st: store{db: d}, audit: log, clock: clk, attachments: attachments}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }
