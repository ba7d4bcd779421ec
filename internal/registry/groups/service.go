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

// Service keeps code tables, group memberships and visits.
type Service struct {
	reg         *registry.Service
	db          *db.DB
	audit       *audit.Log
	clock       clock.Clock
	attachments AttachmentChecker
}

// NewService returns the groups service. attachments (may be nil) checks
// the attachments a visit links; without one a visit naming attachments
// is refused.
func NewService(reg *registry.Service, d *db.DB, log *audit.Log, clk clock.Clock, attachments AttachmentChecker) *Service {
	return &Service{reg: reg, db: d, audit: log, clock: clk, attachments: attachments}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }
