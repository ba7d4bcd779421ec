// Package transfer is the registry's bulk import and export of people:
// reading CSV and xlsx files (import_read.go), mapping their columns,
// writing them in batches as resumable import jobs (import.go,
// import_write.go), the import template, and exports — streamed with a
// watermark, or above the approval threshold held as export requests for a
// second person's approval (export.go, exports.go). The person rules stay
// with internal/registry: transfer cleans and seals each row with
// registry.CleanPerson and registry.SealPerson, writes a batch through
// registry.WriteBatch and reads an export through registry.SelectExportable,
// so that only the registry names the people table. transfer owns
// import_jobs and registry_exports.
package transfer

import (
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// The permissions of imports and exports (see rbac).
const (
	PermImport rbac.Permission = registry.PermImport
	PermExport rbac.Permission = registry.PermExport
)

// Service imports and exports people.
type Service struct {
	reg   *registry.Service
	db    *db.DB
	audit *audit.Log
	clock clock.Clock
	seal  *seal.Sealer
	units orgdir.Directory

	// approvalThreshold is the largest export that streams at once; a
	// larger one needs a second person's approval (exports.go). Zero
	// means DefaultApprovalThreshold.
	approvalThreshold int
}

// Option gives the service one of its optional settings at construction.
type Option func(*Service)

// WithApprovalThreshold sets the largest export that needs no second
// person's approval; 0 keeps DefaultApprovalThreshold.
func WithApprovalThreshold(n int) Option { return func(s *Service) { s.approvalThreshold = n } }

// NewService returns the import and export service over the registry reg
// (whose sealer and database it shares).
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, reg *registry.Service, opts ...Option) *Service {
	s := &Service{reg: reg, db: d, audit: log, clock: clk, seal: reg.Sealer(), units: orgdir.New(d)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Registry returns the registry service the imports write to.
func (s *Service) Registry() *registry.Service { return s.reg }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }
