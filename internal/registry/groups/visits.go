package groups

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// maxVisits bounds a page of visits and of the visits due.
const maxVisits = 500

// objectOwner returns the module that owns a visited object type.
func (s *Service) objectOwner(typ string) (Objects, bool) {
	switch typ {
	case "person", "household":
		return s.reg, true
	case "house", "organisation":
		return s.places, true
	}
	return nil, false
}

// visitTypes are the object types a visit may be about.
var visitTypes = map[string]bool{"person": true, "household": true, "house": true, "organisation": true}

// object reads a visited object's path, checking perm over it; a
// key-group person needs registry.keygroup (not_found without it).
func (s *Service) object(ctx context.Context, typ string, id int64, perm rbac.Permission) (path string, key bool, err error) {
	owner, ok := s.objectOwner(typ)
	if !ok {
		return "", false, apperr.Field("object_type", apperr.OneOf, "values", "person, household, house, organisation")
	}
	if typ == "person" {
		p, err := s.person(ctx, id, perm, false)
		return p.Path, p.KeyGroup, err
	}
	path, found, err := owner.ObjectPath(ctx, typ, id)
	if err != nil {
		return "", false, apperr.Wrap(err, typ)
	}
	if !found {
		return "", false, apperr.New(apperr.NotFound, "not found")
	}
	return path, false, rbac.Require(ctx, perm, path)
}

// cleanVisit checks a visit's input.
func (s *Service) cleanVisit(in VisitInput) (VisitInput, error) {
	fe := apperr.FieldErrors{}
	in.Note, in.Result = strings.TrimSpace(in.Note), strings.TrimSpace(in.Result)
	if !visitTypes[in.ObjectType] {
		fe.Add("object_type", apperr.OneOf, "values", "person, household, house, organisation")
	}
	if in.ObjectID <= 0 {
		fe.Add("object_id", apperr.Required)
	}
	switch in.Kind {
	case "visit", "assist", "verify":
	default:
		fe.Add("kind", apperr.OneOf, "values", "visit, assist, verify")
	}
	now := s.now()
	if in.VisitedAt.IsZero() {
		in.VisitedAt = now
	} else if in.VisitedAt = in.VisitedAt.UTC().Truncate(time.Microsecond); in.VisitedAt.After(now.Add(5 * time.Minute)) {
		fe.Add("visited_at", apperr.NotFuture)
	}
	if len(in.Note) > 4000 {
		fe.Add("note", apperr.MaxChars, "n", 4000)
	}
	if len(in.Result) > 1000 {
		fe.Add("result", apperr.MaxChars, "n", 1000)
	}
	if len(in.Attachments) > 0 && s.attachments == nil {
		fe.Add("attachments", apperr.AttachmentsOff)
	}
	return in, fe.Err()
}

// RecordVisit records a visit (走访), an act of assistance (帮扶) or a
// verification (核对) of an object. Needs registry.write over the object's
// place (and registry.keygroup for a key-group person); a verification
// also marks the object verified.
func (s *Service) RecordVisit(ctx context.Context, in VisitInput) (Visit, error) {
	in, err := s.cleanVisit(in)
	if err != nil {
		return Visit{}, err
	}
	a := actor.From(ctx)
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		path, key, err := s.object(ctx, in.ObjectType, in.ObjectID, PermWrite)
		if err != nil {
			return err
		}
		if len(in.Attachments) > 0 {
			if err := s.attachments.LinkCheck(ctx, in.Attachments); err != nil {
				return err
			}
		}
		atts, _ := json.Marshal(nonNil(in.Attachments))
		var uid *int64
		if a.UserID != 0 {
			uid = &a.UserID
		}
		if id, err = s.st.insertVisit(ctx, in, uid, a.Username, string(atts), path, key, s.now()); err != nil {
			return apperr.Wrap(err, "visit")
		}
		if err := s.st.linkVisitAttachments(ctx, id, uniqueIDs(in.Attachments)); err != nil {
			return apperr.Wrap(err, "visit attachment")
		}
		if in.Kind == "verify" {
			if err := s.markVerified(ctx, in, uid); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "visit.record", ObjectType: "visit", ObjectID: strconv.FormatInt(id, 10),
			Detail: map[string]any{"object_type": in.ObjectType, "object_id": in.ObjectID, "kind": in.Kind,
				"visited_at": in.VisitedAt, "attachments": len(in.Attachments)}})
	})
	if err != nil {
		return Visit{}, err
	}
	return s.visit(ctx, id)
}

// markVerified sets the object's verified_at (and a person's verified_by).
func (s *Service) markVerified(ctx context.Context, in VisitInput, uid *int64) error {
	owner, ok := s.objectOwner(in.ObjectType)
	if !ok {
		return apperr.Field("object_type", apperr.OneOf, "values", "person, household, house, organisation")
	}
	if err := owner.MarkVerified(ctx, in.ObjectType, in.ObjectID, in.VisitedAt, uid); err != nil {
		return apperr.Wrap(err, "verify")
	}
	return nil
}

// uniqueIDs returns ids without repeats, in order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// CanReadAttachment reports whether the actor may open attachment id
// because it belongs to a visit of an object the actor may read
// (registry.read over its place, and registry.keygroup for a key-group
// person). The app names the service among blob.WithReaders.
func (s *Service) CanReadAttachment(ctx context.Context, id int64) (bool, error) {
	objs, err := s.st.attachmentObjects(ctx, id)
	if err != nil {
		return false, apperr.Wrap(err, "visit attachments")
	}
	for _, o := range objs {
		_, _, err := s.object(ctx, o.Type, o.ID, PermRead)
		switch apperr.CodeOf(err) {
		case "":
			return true, nil
		case apperr.NotFound, apperr.Forbidden:
			continue
		default:
			return false, err
		}
	}
	return false, nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func (s *Service) visit(ctx context.Context, id int64) (Visit, error) {
	v, err := s.st.visit(ctx, id)
	if err != nil {
		return Visit{}, apperr.Wrap(err, "visit")
	}
	return v, nil
}

// Visits lists an object's visits, newest first (at most limit, default
// 50). Needs registry.read over the object (and registry.keygroup for a
// key-group person).
func (s *Service) Visits(ctx context.Context, objectType string, objectID int64, limit int) ([]Visit, error) {
	if _, _, err := s.object(ctx, objectType, objectID, PermRead); err != nil {
		return nil, err
	}
	limit, _, err := page(limit, 0, maxVisits)
	if err != nil {
		return nil, err
	}
	out, err := s.st.visits(ctx, objectType, objectID, limit)
	if err != nil {
		return nil, apperr.Wrap(err, "visits")
	}
	return out, nil
}

// VisitsDue is the work list of grid workers: the current members of
// groups with a visit interval (visit_days of the group kind) whose last
// visit is older than the interval, or who were never visited — never
// visited first, then the longest waiting. Key groups and key-group people
// need registry.keygroup, as everywhere.
func (s *Service) VisitsDue(ctx context.Context, f DueFilter) ([]DueVisit, int, error) {
	if err := rbac.RequireAny(ctx, PermRead); err != nil {
		return nil, 0, err
	}
	kinds, err := s.Kinds(ctx)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	interval := map[string]int{}
	var due []string
	var dueArgs []any
	for _, k := range kinds {
		if k.VisitDays <= 0 || (f.Kind != "" && f.Kind != k.Code) {
			continue
		}
		interval[k.Code] = k.VisitDays
		due = append(due, `(m.group_kind = ? AND (lv.last IS NULL OR lv.last < ?))`)
		dueArgs = append(dueArgs, k.Code, now.AddDate(0, 0, -k.VisitDays))
	}
	if len(due) == 0 {
		return []DueVisit{}, 0, nil
	}
	vis, args := visibleMembers(ctx)
	where := ` WHERE m.ended_at IS NULL AND p.deleted_at IS NULL AND ` + vis + ` AND (` + strings.Join(due, " OR ") + `)`
	args = append(args, dueArgs...)
	if f.UnitCode != "" {
		path, err := s.unitPath(ctx, f.UnitCode, "unit_code")
		if err != nil {
			return nil, 0, err
		}
		where += ` AND p.unit_path LIKE ?`
		args = append(args, path+"%")
	}
	if f.GridCode != "" {
		where += ` AND p.grid_code = ?`
		args = append(args, f.GridCode)
	}
	limit, offset, err := page(f.Limit, f.Offset, maxVisits)
	if err != nil {
		return nil, 0, err
	}
	found, total, err := s.st.visitsDue(ctx, where, args, limit, offset)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "visits due")
	}
	out := make([]DueVisit, 0, len(found))
	for _, r := range found {
		d := r.DueVisit
		d.IntervalDays = interval[d.GroupKind]
		if t, err := time.ParseInLocation(time.DateOnly, r.started, shanghai); err == nil {
			d.DueSince = t.UTC()
		}
		out = append(out, d)
	}
	for i := range out {
		if err := s.lastVisit(ctx, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// lastVisit fills a due visit's last visit and the time it fell due.
func (s *Service) lastVisit(ctx context.Context, d *DueVisit) error {
	last, ok, err := s.st.lastPersonVisit(ctx, d.PersonID)
	if err != nil {
		return apperr.Wrap(err, "last visit")
	}
	if !ok {
		return nil
	}
	d.LastVisitAt = &last
	d.DueSince = last.AddDate(0, 0, d.IntervalDays)
	return nil
}
