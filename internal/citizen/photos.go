package citizen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/blob"
	"gridgov/internal/rbac"
)

// PhotosPerClientHour is how many photos one portal client may upload in
// an hour.
const PhotosPerClientHour = 20

// MaxPhotosPerReport is how many photos a portal report may carry.
const MaxPhotosPerReport = 3

// Portal adds to the intake what the citizen portal needs beyond the
// Open311 API: photos uploaded by the public, which go through the
// attachments service's checks (content sniffing, size limits, metadata
// stripping) as the system actor "citizen-portal", limited per client,
// and linked to the report they came with.
type Portal struct {
	svc   *Service
	blobs *blob.Service
}

// NewPortal returns the portal side of the intake over svc and the
// attachments service. The portal is a blob.Reader: the app names it among
// the attachments service's readers, so staff who may read a citizen case
// see its photos.
func NewPortal(svc *Service, blobs *blob.Service) *Portal {
	return &Portal{svc: svc, blobs: blobs}
}

// Service returns the intake the portal files reports with.
func (p *Portal) Service() *Service { return p.svc }

func portalActor(ctx context.Context) context.Context {
	return actor.With(ctx, actor.SystemActor("citizen-portal"))
}

// UploadPhoto checks and stores one photo from the public for client
// (at most PhotosPerClientHour an hour: too_many_requests beyond). Only
// images are accepted (field "photo"). The photo stays unlinked, and is
// purged as an orphan, until Submit links it to a report.
func (p *Portal) UploadPhoto(ctx context.Context, client, filename string, content io.Reader) (int64, error) {
	if p.blobs == nil {
		return 0, apperr.Field("photo", apperr.PhotosNotHere)
	}
	now := p.svc.now()
	var n int
	if err := p.svc.db.QueryRow(ctx, `SELECT COUNT(*) FROM citizen_photos WHERE client_key = ? AND created_at >= ?`,
		client, now.Add(-time.Hour)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count photos: %w", err)
	}
	if n >= PhotosPerClientHour {
		return 0, apperr.Newf(apperr.TooManyRequests, "at most %d photos an hour from one client", PhotosPerClientHour)
	}
	sys := portalActor(ctx)
	att, err := p.blobs.Upload(sys, blob.UploadInput{Filename: filename, Content: content, Purpose: "citizen_photo"})
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid {
			return 0, apperr.FieldProblem("photo", apperr.ProblemOf(e))
		}
		return 0, err
	}
	if att.Kind != blob.Image {
		return 0, apperr.Field("photo", apperr.PhotosOnly)
	}
	if _, err := p.svc.db.Exec(sys, `INSERT INTO citizen_photos (attachment_id, client_key, created_at) VALUES (?, ?, ?)`,
		att.ID, client, now); err != nil {
		return 0, fmt.Errorf("record photo: %w", err)
	}
	return att.ID, nil
}

// Submit files a portal report (Service.Submit with channel portal), then
// stores the version of the processing notice the citizen accepted
// (PRIV-8) and links the photos uploaded by the same client, audited as
// citizen.photos. A replayed report is answered as it was.
func (p *Portal) Submit(ctx context.Context, in ReportInput, noticeVersion string, photos []int64) (Receipt, error) {
	if len(photos) > MaxPhotosPerReport {
		return Receipt{}, apperr.Field("photo", apperr.MaxCount, "n", MaxPhotosPerReport)
	}
	in.Channel = "portal"
	rc, err := p.svc.Submit(ctx, in)
	if err != nil || rc.Replayed {
		return rc, err
	}
	sys := portalActor(ctx)
	err = p.svc.db.WithTx(sys, func(ctx context.Context) error {
		if _, err := p.svc.db.Exec(ctx, `UPDATE citizen_reports SET notice_version = ? WHERE case_id = ?`,
			noticeVersion, rc.CaseID); err != nil {
			return fmt.Errorf("store notice version: %w", err)
		}
		if len(photos) == 0 {
			return nil
		}
		for _, id := range photos {
			res, err := p.svc.db.Exec(ctx, `UPDATE citizen_photos SET case_id = ?
				WHERE attachment_id = ? AND case_id IS NULL AND client_key = ?`, rc.CaseID, id, in.ClientKey)
			if err != nil {
				return fmt.Errorf("link photo: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return apperr.Field("photo", apperr.PhotoNotHere)
			}
		}
		if err := p.blobs.LinkCheck(ctx, photos); err != nil {
			return err
		}
		return p.svc.audit.Record(ctx, audit.Entry{Action: "citizen.photos", ObjectType: "case",
			ObjectID: strconv.FormatInt(rc.CaseID, 10), Detail: map[string]any{"attachments": photos}})
	})
	if err != nil {
		return rc, err
	}
	return rc, nil
}

// NoticeVersion returns the processing-notice version a report accepted
// ("" for reports from other channels).
func (s *Service) NoticeVersion(ctx context.Context, caseID int64) (string, error) {
	var v string
	err := s.db.QueryRow(ctx, `SELECT notice_version FROM citizen_reports WHERE case_id = ?`, caseID).Scan(&v)
	if err != nil {
		return "", fmt.Errorf("notice version: %w", err)
	}
	return v, nil
}

// Photos returns the ids of a report's public photos, oldest first; none
// when a moderator hid the report's media.
func (s *Service) Photos(ctx context.Context, caseID int64) ([]int64, error) {
	return s.photos(ctx, caseID, false)
}

// AllPhotos returns the ids of all photos uploaded with a report, hidden
// or not, for the moderators' page (reading them goes through the
// attachments service, which checks the reader's scope).
func (s *Service) AllPhotos(ctx context.Context, caseID int64) ([]int64, error) {
	return s.photos(ctx, caseID, true)
}

func (s *Service) photos(ctx context.Context, caseID int64, hidden bool) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT p.attachment_id FROM citizen_photos p
		JOIN citizen_reports r ON r.case_id = p.case_id
		WHERE p.case_id = ? AND (r.media_hidden = ? OR ?) ORDER BY p.attachment_id`, caseID, false, hidden)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list photos: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OpenPhoto opens a public photo (or its thumbnail) of a citizen report;
// a photo of another report, or hidden by a moderator, is not found.
func (p *Portal) OpenPhoto(ctx context.Context, caseID, id int64, thumb bool) (blob.Attachment, io.ReadCloser, error) {
	ids, err := p.svc.Photos(ctx, caseID)
	if err != nil {
		return blob.Attachment{}, nil, err
	}
	for _, x := range ids {
		if x == id {
			if thumb {
				return p.blobs.OpenThumb(portalActor(ctx), id)
			}
			return p.blobs.Open(portalActor(ctx), id)
		}
	}
	return blob.Attachment{}, nil, apperr.NotFoundf("photo not found")
}

// CanReadAttachment lets staff who may read a citizen case (case.read over
// its territory) see the photos the public uploaded with it; NewPortal
// registers it with the attachments service.
func (p *Portal) CanReadAttachment(ctx context.Context, id int64) (bool, error) {
	var caseID int64
	err := p.svc.db.QueryRow(ctx, `SELECT case_id FROM citizen_photos WHERE attachment_id = ?`, id).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("photo scope: %w", err)
	}
	refs, err := p.svc.cases.CaseRefs(ctx, []int64{caseID})
	if err != nil {
		return false, fmt.Errorf("photo scope: %w", err)
	}
	ref, ok := refs[caseID]
	return ok && rbac.Can(actor.From(ctx), rbac.CaseRead, ref.UnitPath), nil
}
