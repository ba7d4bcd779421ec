-- The attachments of visits (走访/帮扶/核对 photos), one row each, so that
-- whoever may read the visited object may open them (and not only their
-- uploader). visits.attachments keeps the list as recorded.
CREATE TABLE visit_attachments (
    visit_id      INTEGER NOT NULL REFERENCES visits(id),
    attachment_id INTEGER NOT NULL,
    PRIMARY KEY (visit_id, attachment_id)
);
CREATE INDEX visit_attachments_attachment ON visit_attachments(attachment_id);
INSERT INTO visit_attachments (visit_id, attachment_id)
    SELECT DISTINCT v.id, CAST(j.value AS INTEGER) FROM visits v, json_each(v.attachments) j;
