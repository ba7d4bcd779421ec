package api

import (
	"errors"
	"io"
	"net/http"

	"gridgov/internal/apperr"
	"gridgov/internal/http/httpx"
	"gridgov/internal/registry/groups"
)

// maxCodeTableImport bounds a code-table document (the largest shipped
// table is a few tens of KB).
const maxCodeTableImport = 2 << 20

// groupRoutes are the registry's code tables, group memberships and
// visits; they are mounted only with a groups service.
func (a *api) groupRoutes() []route {
	if a.Groups == nil {
		return nil
	}
	return []route{
		{Method: "GET", Path: "/code-tables", Handler: a.codeTablesHandler},
		{Method: "POST", Path: "/code-tables", Handler: a.codeTableImportHandler},
		{Method: "GET", Path: "/code-tables/{table}", Handler: a.codeTableHandler},
		{Method: "GET", Path: "/people/{id}/groups", Handler: a.personGroupsHandler},
		{Method: "POST", Path: "/people/{id}/groups", Handler: a.personGroupAddHandler},
		{Method: "GET", Path: "/group-members", Handler: a.groupMembersHandler},
		{Method: "PATCH", Path: "/group-members/{id}", Handler: a.groupMemberUpdateHandler},
		{Method: "DELETE", Path: "/group-members/{id}", Handler: a.groupMemberEndHandler},
		{Method: "GET", Path: "/visits", Handler: a.visitsHandler},
		{Method: "POST", Path: "/visits", Handler: a.visitRecordHandler},
		{Method: "GET", Path: "/visits/due", Handler: a.visitsDueHandler},
	}
}

func (a *api) codeTablesHandler(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.Groups.CodeTables(r.Context())
	if err != nil {
		return err
	}
	return ok(w, newList(ts, len(ts)))
}

func (a *api) codeTableHandler(w http.ResponseWriter, r *http.Request) error {
	t, err := a.Groups.CodeTable(r.Context(), r.PathValue("table"))
	if err != nil {
		return err
	}
	return ok(w, t)
}

func (a *api) codeTableImportHandler(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCodeTableImport))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Newf(httpx.TooLarge, "request body is larger than %d bytes", maxCodeTableImport)
		}
		return apperr.New(apperr.BadRequest, "could not read the request body")
	}
	t, err := a.Groups.ImportCodeTable(r.Context(), body)
	if err != nil {
		return err
	}
	return created(w, t)
}

func (a *api) personGroupsHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ms, err := a.Groups.MembersOf(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, newList(ms, len(ms)))
}

func (a *api) personGroupAddHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in groups.MemberInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.Groups.AddMember(r.Context(), id, in)
	if err != nil {
		return err
	}
	return created(w, m)
}

func (a *api) groupMembersHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := groups.MemberFilter{Kind: q.str("kind"), UnitCode: q.str("unit_code"), GridCode: q.str("grid_code"),
		Key: q.optBool("key"), Active: q.optBool("active")}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	ms, total, err := a.Groups.Members(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(ms, total))
}

func (a *api) groupMemberUpdateHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in groups.MemberInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.Groups.UpdateMember(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, m)
}

// memberEnd is the body of DELETE /group-members/{id}.
type memberEnd struct {
	EndedOn string `json:"ended_on"`
	Reason  string `json:"reason"`
}

func (a *api) groupMemberEndHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in memberEnd
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	m, err := a.Groups.EndMember(r.Context(), id, in.EndedOn, in.Reason)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *api) visitsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	typ := q.str("object_type")
	oid := int64(q.intIn("object_id", 1, 1<<62))
	if oid == 0 && q.problems["object_id"].Code == "" {
		q.problems.Add("object_id", apperr.Required)
	}
	limit := q.limit()
	if err := q.err(); err != nil {
		return err
	}
	vs, err := a.Groups.Visits(r.Context(), typ, oid, limit)
	if err != nil {
		return err
	}
	return ok(w, newList(vs, len(vs)))
}

func (a *api) visitRecordHandler(w http.ResponseWriter, r *http.Request) error {
	var in groups.VisitInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := a.Groups.RecordVisit(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, v)
}

func (a *api) visitsDueHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := groups.DueFilter{Kind: q.str("kind"), UnitCode: q.str("unit_code"), GridCode: q.str("grid_code")}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	ds, total, err := a.Groups.VisitsDue(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(ds, total))
}
