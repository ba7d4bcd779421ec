package blob

import (
	"context"
	"errors"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/jobs"
)

// purgeBatch is how many orphans one purge transaction deletes.
const purgeBatch = 500

// PurgeResult counts what one PurgeOrphans run deleted.
type PurgeResult struct {
	// Purged is the number of attachments deleted, IDs their ids and
	// Bytes the size of their files (thumbnails not counted).
	Purged int     `json:"purged"`
	IDs    []int64 `json:"ids"`
	Bytes  int64   `json:"bytes"`
	// Before is the cutoff: uploads created earlier and never linked went.
	Before time.Time `json:"before"`
}

// PurgeOrphans deletes the attachments never linked to anything and
// created more than olderThan ago (<= 0: Options.OrphanAge), with their
// files and thumbnails. It works in transactions of up to 500 rows; each
// deletes the rows, records one "attachment.purge" audit entry with the
// count and ids, and removes the blobs before it commits, so a store
// failure leaves the rows for the next run (a blob already gone is no
// error). Without a system actor in ctx it runs as the system actor
// "attachment-purge".
func (s *Service) PurgeOrphans(ctx context.Context, olderThan time.Duration) (PurgeResult, error) {
	if olderThan <= 0 {
		olderThan = s.opts.OrphanAge
	}
	if a := actor.From(ctx); a == nil || !a.System {
		ctx = actor.With(ctx, actor.SystemActor("attachment-purge"))
	}
	res := PurgeResult{IDs: []int64{}, Before: s.clock.Now().UTC().Add(-olderThan).Truncate(time.Microsecond)}
	for {
		n, err := s.purgeBatch(ctx, res.Before, olderThan, &res)
		if err != nil {
			return res, err
		}
		if n < purgeBatch {
			return res, nil
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
}

// purgeBatch deletes one batch of orphans, adds them to res and returns
// how many it deleted.
func (s *Service) purgeBatch(ctx context.Context, before time.Time, olderThan time.Duration, res *PurgeResult) (int, error) {
	var gone []orphan
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		gone, err = s.rec.deleteOrphans(ctx, before, purgeBatch)
		if err != nil || len(gone) == 0 {
			return err
		}
		ids := make([]int64, len(gone))
		for i, o := range gone {
			ids[i] = o.id
		}
		if err := s.audit.Record(ctx, audit.Entry{Action: "attachment.purge", ObjectType: "attachment",
			Detail: map[string]any{"count": len(ids), "ids": ids, "older_than": olderThan.String(),
				"before": before}}); err != nil {
			return err
		}
		for _, o := range gone {
			for _, k := range []string{o.blobKey, o.thumbKey} {
				if k == "" {
					continue
				}
				if err := s.store.Delete(ctx, k); err != nil {
					return apperr.Wrap(err, "delete attachment blob")
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, dbErr(err, "purge attachments")
	}
	for _, o := range gone {
		res.Purged++
		res.IDs = append(res.IDs, o.id)
		res.Bytes += o.size
	}
	return len(gone), nil
}

// PurgeJob is the attachment purge as a background job (internal/jobs):
// hourly, it deletes the orphans older than Options.OrphanAge and the
// resumable uploads whose time is up (the second runs even when the first
// fails).
func (s *Service) PurgeJob() jobs.Job {
	return jobs.Job{Name: "attachments.purge", Schedule: jobs.Every(time.Hour),
		Run: func(ctx context.Context) (jobs.Summary, error) {
			res, err := s.PurgeOrphans(ctx, 0)
			n, uerr := s.PurgeUploads(ctx)
			k, kerr := s.PurgeKept(ctx)
			return jobs.Summary{"purged": int64(res.Purged), "bytes": res.Bytes, "uploads": int64(n), "kept": int64(k)},
				errors.Join(err, uerr, kerr)
		}}
}
