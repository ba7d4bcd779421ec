package app

import "gridgov/internal/jobs"

// registerJobs registers every background job of the platform with r: the
// one list of what runs in the background (docs/architecture.md, "Jobs
// runner"). A module offers its job as a method; adding one is one line.
func registerJobs(r *jobs.Runner, a *App) {
	r.Register(a.Cases.OverdueJob())     // overdue states and notices, every minute
	r.Register(a.Blobs.PurgeJob())       // unlinked uploads, stale resumable uploads and kept files, hourly
	r.Register(a.Idempotency.PurgeJob()) // stored answers of retried writes, hourly
}
