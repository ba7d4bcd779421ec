package cases

import (
	"context"
	"fmt"

	"gridgov/internal/db"
)

// Attachments checks that attachment ids may be linked to a step by the
// actor (they exist and were uploaded by them) and marks them linked, in
// the transaction of the step, so they are not purged as orphaned
// uploads; *blob.Service satisfies it. A bad id fails as invalid naming
// the field "attachments".
type Attachments interface {
	LinkCheck(ctx context.Context, ids []int64) error
}

// linkCheck checks ids through the attachments service, if one is set.
func (s *Service) linkCheck(ctx context.Context, ids []int64) error {
	if s.attachments == nil || len(ids) == 0 {
		return nil
	}
	return s.attachments.LinkCheck(ctx, ids)
}

// CanReadAttachment reports whether the actor may read attachment id
// because it is linked to a step of a case the actor can see. The lead
// names the service among blob.WithReaders.
func (s *Service) CanReadAttachment(ctx context.Context, id int64) (bool, error) {
	if err := requireLogin(ctx); err != nil {
		return false, err
	}
	ids, err := s.st.attachmentCases(ctx, id)
	if err != nil {
		return false, err
	}
	for _, cid := range ids {
		if _, err := s.visibleCase(ctx, cid); err == nil {
			return true, nil
		}
	}
	return false, nil
}

// attachmentCases lists the cases whose steps carry attachment id.
func (st store) attachmentCases(ctx context.Context, id int64) ([]int64, error) {
	rows, err := st.db.Query(ctx, `SELECT case_id FROM case_step_attachments WHERE attachment_id = ?
		ORDER BY case_id LIMIT 100`, id)
	if err != nil {
		return nil, fmt.Errorf("attachment cases: %w", err)
	}
	return db.CollectRows(rows, db.ScanOne[int64])
}

// linkStepAttachments records which case a step's attachments belong to.
func (st store) linkStepAttachments(ctx context.Context, caseID int64, ids []int64) error {
	for _, id := range ids {
		if _, err := st.db.Exec(ctx, `INSERT INTO case_step_attachments (attachment_id, case_id) VALUES (?, ?)
			ON CONFLICT (attachment_id, case_id) DO NOTHING`, id, caseID); err != nil {
			return fmt.Errorf("link attachment: %w", err)
		}
	}
	return nil
}
