package blob

import (
	"context"
	"log/slog"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
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

// Purger deletes orphaned uploads periodically.
type Purger struct {
	svc *Service
	log *slog.Logger
}

// NewPurger returns a purger over svc logging to log (nil: default).
func NewPurger(svc *Service, log *slog.Logger) *Purger {
	if log == nil {
		log = slog.Default()
	}
	return &Purger{svc: svc, log: log}
}

// Run purges orphans older than Options.OrphanAge, and resumable uploads
// whose time is up, every interval until ctx ends, starting at once.
func (p *Purger) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Hour
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if res, err := p.svc.PurgeOrphans(ctx, 0); err != nil {
			if ctx.Err() != nil {
				return
			}
			p.log.Error("attachment purge", "err", err)
		} else if res.Purged > 0 {
			p.log.Info("attachment purge", "purged", res.Purged, "bytes", res.Bytes)
		}
		// Resumable uploads left unfinished past their time go too.
		if n, err := p.svc.PurgeUploads(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			p.log.Error("upload purge", "err", err)
		} else if n > 0 {
			p.log.Info("upload purge", "purged", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
