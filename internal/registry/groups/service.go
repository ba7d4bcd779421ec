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

// NewService returns the groups service.
func NewService(reg *registry.Service, d *db.DB, log *audit.Log, clk clock.Clock) *Service {
	return &Service{reg: reg, db: d, audit: log, clock: clk}
}

// SetAttachments sets the checker of visit attachments; without one a
// visit naming attachments is refused.
func (s *Service) SetAttachments(c AttachmentChecker) { s.attachments = c }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }
