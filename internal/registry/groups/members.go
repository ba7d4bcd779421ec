package groups

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// shanghai is China Standard Time: dates of memberships are local dates.
var shanghai = time.FixedZone("CST", 8*3600)

// maxMembers bounds a page of memberships.
const maxMembers = 500

// personRef is what scope checks need of a person.
type personRef struct {
	ID       int64
	Name     string
	GridCode string
	Path     string
	KeyGroup bool
}

// person reads a live person and checks perm over their place; a key-group
// person (or, with key, any person) also needs registry.keygroup. A person
// out of scope, or a key-group person without registry.keygroup, is
// not_found, like one that does not exist.
func (s *Service) person(ctx context.Context, id int64, perm rbac.Permission, key bool) (personRef, error) {
	p, ok, err := s.st.person(ctx, id)
	if err != nil {
		return personRef{}, apperr.Wrap(err, "person")
	}
	if !ok {
		return personRef{}, apperr.New(apperr.NotFound, "not found")
	}
	if err := rbac.Require(ctx, perm, p.Path); err != nil {
		return personRef{}, err
	}
	if !registry.KeyGroupAllows(actor.From(ctx), p.Path, p.KeyGroup) {
		return personRef{}, apperr.New(apperr.NotFound, "not found")
	}
	if key {
		if err := rbac.Require(ctx, PermKeyGroup, p.Path); err != nil {
			return personRef{}, err
		}
	}
	return p, nil
}

// cleanMember checks a membership input against its kind's definition.
func (s *Service) cleanMember(ctx context.Context, k Code, in MemberInput) (MemberInput, error) {
	fe := apperr.FieldErrors{}
	out := MemberInput{Kind: k.Code, Attrs: map[string]string{}, RiskLevel: strings.TrimSpace(in.RiskLevel),
		StartedOn: strings.TrimSpace(in.StartedOn), Source: in.Source, SourceRef: strings.TrimSpace(in.SourceRef), Version: in.Version}
	if out.Source == "" {
		out.Source = registry.SourceOwn
	}
	if !registry.ValidSource(out.Source) {
		fe.Add("source", apperr.OneOf, "values", "base, shared, own")
	}
	if out.StartedOn == "" {
		out.StartedOn = s.clock.Now().In(shanghai).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, out.StartedOn); err != nil {
		fe.Add("started_on", apperr.Date)
	}
	if out.RiskLevel != "" {
		if err := s.checkCode(ctx, fe, "risk_level", TableRiskLevel, out.RiskLevel); err != nil {
			return MemberInput{}, err
		}
	}
	if len(out.SourceRef) > 200 {
		fe.Add("source_ref", apperr.MaxChars, "n", 200)
	}
	defined := map[string]bool{}
	for _, a := range k.Attrs {
		defined[a.Name] = true
		v := strings.TrimSpace(in.Attrs[a.Name])
		f := "attrs." + a.Name
		switch {
		case v == "":
			if a.Required {
				fe.Add(f, apperr.Required)
			}
			continue
		case len(v) > 1000:
			fe.Add(f, apperr.MaxChars, "n", 1000)
		case a.Type == "date":
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				fe.Add(f, apperr.Date)
			}
		case a.Type == "code":
			if err := s.checkCode(ctx, fe, f, a.Table, v); err != nil {
				return MemberInput{}, err
			}
		}
		out.Attrs[a.Name] = v
	}
	for name := range in.Attrs {
		if !defined[name] {
			fe.Add("attrs."+name, apperr.NotFieldOf, "kind", k.Code)
		}
	}
	return out, fe.Err()
}

// checkCode adds a field error unless code is in table.
func (s *Service) checkCode(ctx context.Context, fe apperr.FieldErrors, field, table, code string) error {
	ok, err := s.Valid(ctx, table, code)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add(field, apperr.NotCodeOf, "table", table)
	}
	return nil
}

// AddMember adds a person to a group (special or key) with the kind's
// fields. Adding to a group the person has left opens the membership
// again. Needs registry.write over the person's place, and registry.keygroup
// for a key group or a key-group person.
func (s *Service) AddMember(ctx context.Context, personID int64, in MemberInput) (GroupMember, error) {
	k, err := s.kind(ctx, strings.TrimSpace(in.Kind), "group_kind")
	if err != nil {
		return GroupMember{}, err
	}
	if _, err := s.person(ctx, personID, PermWrite, k.Key); err != nil {
		return GroupMember{}, err
	}
	in, err = s.cleanMember(ctx, k, in)
	if err != nil {
		return GroupMember{}, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.person(ctx, personID, PermWrite, k.Key)
		if err != nil {
			return err
		}
		attrs, _ := json.Marshal(in.Attrs)
		now := s.now()
		var active bool
		id, active, err = s.st.putMember(ctx, personID, k, in, string(attrs), p.Path, now)
		if err != nil {
			return apperr.Wrap(err, "group member")
		}
		if active {
			return apperr.Newf(apperr.Conflict, "the person is already in %s", k.Code)
		}
		if err := s.syncKeyGroup(ctx, personID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "group_member.add", ObjectType: "group_member",
			ObjectID: strconv.FormatInt(id, 10), Detail: memberDetail(personID, k, in)})
	})
	if err != nil {
		return GroupMember{}, err
	}
	return s.member(ctx, id, PermRead)
}

// memberDetail is the audit detail of a membership write: which fields
// were set, never their values (they may be sensitive).
func memberDetail(personID int64, k Code, in MemberInput) map[string]any {
	fields := make([]string, 0, len(in.Attrs))
	for name := range in.Attrs {
		fields = append(fields, name)
	}
	return map[string]any{"person_id": personID, "group_kind": k.Code, "key_group": k.Key,
		"risk_level": in.RiskLevel, "started_on": in.StartedOn, "fields": fields, "source": string(in.Source)}
}

// syncKeyGroup keeps people.key_group true exactly while the person has an
// active key-group membership.
func (s *Service) syncKeyGroup(ctx context.Context, personID int64) error {
	n, err := s.st.openKeyMemberships(ctx, personID)
	if err != nil {
		return apperr.Wrap(err, "key group")
	}
	if err := s.reg.SetKeyGroup(ctx, personID, n > 0); err != nil {
		return apperr.Wrap(err, "key group")
	}
	return nil
}

// UpdateMember changes a membership's fields, risk level, start and
// source; the kind stays. in.Version, when set, must be the current one.
func (s *Service) UpdateMember(ctx context.Context, id int64, in MemberInput) (GroupMember, error) {
	cur, err := s.member(ctx, id, PermWrite)
	if err != nil {
		return GroupMember{}, err
	}
	if in.Kind != "" && in.Kind != cur.GroupKind {
		return GroupMember{}, apperr.Field("group_kind", apperr.MembershipKind)
	}
	k, err := s.kind(ctx, cur.GroupKind, "group_kind")
	if err != nil {
		return GroupMember{}, err
	}
	if in, err = s.cleanMember(ctx, k, in); err != nil {
		return GroupMember{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.member(ctx, id, PermWrite); err != nil {
			return err
		}
		attrs, _ := json.Marshal(in.Attrs)
		n, err := s.st.updateMember(ctx, id, in, string(attrs), s.now())
		if err != nil {
			return apperr.Wrap(err, "group member")
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the membership was changed by someone else; reload and try again")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "group_member.update", ObjectType: "group_member",
			ObjectID: strconv.FormatInt(id, 10), Detail: memberDetail(cur.PersonID, k, in)})
	})
	if err != nil {
		return GroupMember{}, err
	}
	return s.member(ctx, id, PermRead)
}

// EndMember ends a membership on endedOn (YYYY-MM-DD, default today) for
// a reason; a person whose last key-group membership ends leaves the key
// groups.
func (s *Service) EndMember(ctx context.Context, id int64, endedOn, reason string) (GroupMember, error) {
	endedOn, reason = strings.TrimSpace(endedOn), strings.TrimSpace(reason)
	fe := apperr.FieldErrors{}
	if reason == "" || len(reason) > 500 {
		fe.Add("reason", apperr.ReasonRequired)
	}
	if endedOn == "" {
		endedOn = s.clock.Now().In(shanghai).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, endedOn); err != nil {
		fe.Add("ended_on", apperr.Date)
	}
	if err := fe.Err(); err != nil {
		return GroupMember{}, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.member(ctx, id, PermWrite)
		if err != nil {
			return err
		}
		if !cur.Active {
			return apperr.New(apperr.Conflict, "the membership has already ended")
		}
		if endedOn < cur.StartedOn {
			return apperr.Field("ended_on", apperr.NotBefore, "other", cur.StartedOn)
		}
		now := s.now()
		if err := s.st.endMember(ctx, id, endedOn, now); err != nil {
			return apperr.Wrap(err, "group member")
		}
		if err := s.syncKeyGroup(ctx, cur.PersonID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "group_member.end", ObjectType: "group_member",
			ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{"person_id": cur.PersonID,
				"group_kind": cur.GroupKind, "ended_on": endedOn, "reason": reason}})
	})
	if err != nil {
		return GroupMember{}, err
	}
	return s.member(ctx, id, PermRead)
}

// member reads one membership, checking perm over its person (and
// registry.keygroup for a key group or a key-group person: not_found
// without it).
func (s *Service) member(ctx context.Context, id int64, perm rbac.Permission) (GroupMember, error) {
	m, err := s.st.member(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return GroupMember{}, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return GroupMember{}, apperr.Wrap(err, "group member")
	}
	p, err := s.person(ctx, m.PersonID, perm, false)
	if err != nil {
		return GroupMember{}, err
	}
	// A key group's membership needs registry.keygroup, like a key-group person.
	if !registry.KeyGroupAllows(actor.From(ctx), p.Path, m.KeyGroup) {
		return GroupMember{}, apperr.New(apperr.NotFound, "not found")
	}
	return m, nil
}

// Member returns one membership.
func (s *Service) Member(ctx context.Context, id int64) (GroupMember, error) {
	return s.member(ctx, id, PermRead)
}

// MembersOf lists a person's memberships, current first; key-group ones
// only with registry.keygroup.
func (s *Service) MembersOf(ctx context.Context, personID int64) ([]GroupMember, error) {
	p, err := s.person(ctx, personID, PermRead, false)
	if err != nil {
		return nil, err
	}
	seeKey := registry.KeyGroupAllows(actor.From(ctx), p.Path, true)
	out, err := s.st.membersOf(ctx, personID, seeKey)
	if err != nil {
		return nil, apperr.Wrap(err, "group members")
	}
	return out, nil
}

// visibleMembers is the condition on m (group_members) and p (people)
// restricting rows to the actor's scope: the person-visibility rule on p,
// and registry.keygroup over the person for a key group's membership.
func visibleMembers(ctx context.Context) (string, []any) {
	a := actor.From(ctx)
	visible, args := registry.PersonVisibleSQL(a, "p")
	key, keyArgs := rbac.ScopeOf(a, PermKeyGroup).SQL("p.unit_path")
	return visible + ` AND (m.key_group = ? OR ` + key + `)`, append(append(args, false), keyArgs...)
}

// unitPath returns the path of a unit, or a 422 on field.
func (s *Service) unitPath(ctx context.Context, code, field string) (string, error) {
	path, ok, err := orgdir.New(s.db).UnitPath(ctx, code)
	if err != nil {
		return "", apperr.Wrap(err, "unit")
	}
	if !ok {
		return "", apperr.Field(field, apperr.UnknownUnit, "code", code)
	}
	return path, nil
}

// Members lists memberships in the actor's scope, newest first.
func (s *Service) Members(ctx context.Context, f MemberFilter) ([]GroupMember, int, error) {
	if err := rbac.RequireAny(ctx, PermRead); err != nil {
		return nil, 0, err
	}
	where, args := visibleMembers(ctx)
	where = " WHERE p.deleted_at IS NULL AND " + where
	if f.Kind != "" {
		where += ` AND m.group_kind = ?`
		args = append(args, f.Kind)
	}
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
	if f.Key != nil {
		where += ` AND m.key_group = ?`
		args = append(args, *f.Key)
	}
	if f.Active != nil {
		if *f.Active {
			where += ` AND m.ended_at IS NULL`
		} else {
			where += ` AND m.ended_at IS NOT NULL`
		}
	}
	limit, offset, err := page(f.Limit, f.Offset, maxMembers)
	if err != nil {
		return nil, 0, err
	}
	out, total, err := s.st.members(ctx, where, args, limit, offset)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "group members")
	}
	return out, total, nil
}

// page applies the paging rule (db.Paging) with the default 50 and max.
func page(limit, offset, max int) (int, int, error) {
	return db.Paging{Default: 50, Max: max}.Apply(limit, offset)
}
