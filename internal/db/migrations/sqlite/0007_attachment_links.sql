-- When an attachment was first linked to something (a case step). An upload
-- that stays unlinked (a photo taken for a report that was never sent) is
-- an orphan: PurgeOrphans deletes it, with its blobs, once it is old enough.
-- Attachments already named by case steps count as linked from their upload.
ALTER TABLE attachments ADD COLUMN linked_at TIMESTAMP;
UPDATE attachments SET linked_at = created_at
    WHERE id IN (SELECT attachment_id FROM case_step_attachments);
CREATE INDEX attachments_orphans ON attachments(created_at, id) WHERE linked_at IS NULL;
