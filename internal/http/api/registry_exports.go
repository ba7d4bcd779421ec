package api

import (
	"net/http"

	"gridgov/internal/http/httpx"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

// exportRoutes are the people export and its approval (PRIV-4, PRIV-10).
func (a *api) exportRoutes() []route {
	return []route{
		{Method: "POST", Path: "/people/export", Handler: a.postExportHandler},
		{Method: "GET", Path: "/registry/exports", Handler: a.exportRequestsHandler},
		{Method: "GET", Path: "/registry/exports/{id}", Handler: a.exportRequestHandler},
		{Method: "POST", Path: "/registry/exports/{id}/approve", Handler: a.decideExportHandler(true)},
		{Method: "POST", Path: "/registry/exports/{id}/reject", Handler: a.decideExportHandler(false)},
		{Method: "GET", Path: "/registry/exports/{id}/download", Handler: a.downloadExportHandler},
	}
}

// exportBody is the JSON body of POST /people/export: the filters of GET
// /people, the format and the reason (needed above the approval threshold).
type exportBody struct {
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	Name         string `json:"name"`
	Address      string `json:"address"`
	GridCode     string `json:"grid_code"`
	UnitCode     string `json:"unit_code"`
	Group        string `json:"group"`
	PersonType   string `json:"person_type"`
	AwaitingGrid bool   `json:"awaiting_grid"`
	KeyGroup     bool   `json:"key_group"`
	Format       string `json:"format"`
	Reason       string `json:"reason"`
}

// postExportHandler streams the export (200) or, above the approval
// threshold, answers 202 with the pending request.
func (a *api) postExportHandler(w http.ResponseWriter, r *http.Request) error {
	var b exportBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		return err
	}
	if b.Format == "" {
		b.Format = "csv"
	}
	f := registry.PeopleFilter{IDNumber: b.IDNumber, Phone: b.Phone, Name: b.Name, Address: b.Address,
		GridCode: b.GridCode, UnitCode: b.UnitCode, GroupKind: b.Group, PersonType: b.PersonType,
		AwaitingGrid: b.AwaitingGrid, KeyGroupOnly: b.KeyGroup}
	return a.runExport(w, r, transfer.ExportInput{Filter: f, Format: b.Format, Reason: b.Reason})
}

// runExport streams an export with its watermarked file name, or answers
// 202 {"status":"pending_approval","id","rows"} when it needs approval.
// Errors found before the first byte answer as JSON.
func (a *api) runExport(w http.ResponseWriter, r *http.Request, in transfer.ExportInput) error {
	started := false
	in.Begin = func(m transfer.Watermark) {
		started = true
		exportHeaders(w, m, in.Format)
	}
	res, err := a.Transfer.Export(r.Context(), in, w)
	if err != nil {
		if started {
			return nil // the body is under way: the client sees a cut-off file
		}
		return err
	}
	if res.Request != nil {
		httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"status": "pending_approval",
			"id": res.Request.ID, "rows": res.Request.Rows, "request": res.Request})
	}
	return nil
}

// exportHeaders sets the headers of an export file named with its watermark.
func exportHeaders(w http.ResponseWriter, m transfer.Watermark, format string) {
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", httpx.ContentDisposition("attachment", m.FileName(format)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Export-Ref", m.Ref)
}

// exportRequestsHandler lists my export requests and those I may approve:
// ?status=, ?mine=true, ?to_approve=true, limit/offset.
func (a *api) exportRequestsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit, offset := q.page()
	f := transfer.ExportListFilter{Status: q.str("status"), Mine: q.flag("mine"), ToApprove: q.flag("to_approve"),
		Limit: limit, Offset: offset}
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := a.Transfer.ExportRequests(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(items, total))
}

func (a *api) exportRequestHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := a.Transfer.ExportRequestByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, req)
}

// decideBody is the JSON body of approve and reject (note required to reject).
type decideBody struct {
	Note string `json:"note"`
}

// decideExportHandler approves or rejects a pending request.
func (a *api) decideExportHandler(approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var b decideBody
		if r.ContentLength != 0 {
			if err := httpx.DecodeJSON(w, r, &b); err != nil {
				return err
			}
		}
		var req transfer.ExportRequest
		if approve {
			req, err = a.Transfer.ApproveExport(r.Context(), id, b.Note)
		} else {
			req, err = a.Transfer.RejectExport(r.Context(), id, b.Note)
		}
		if err != nil {
			return err
		}
		return ok(w, req)
	}
}

// downloadExportHandler streams an approved request, once, to its requester.
func (a *api) downloadExportHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := a.Transfer.ExportRequestByID(r.Context(), id)
	if err != nil {
		return err
	}
	started := false
	_, err = a.Transfer.DownloadExport(r.Context(), id, w, func(m transfer.Watermark) {
		started = true
		exportHeaders(w, m, req.Format)
	})
	if err != nil && !started {
		return err
	}
	return nil
}
