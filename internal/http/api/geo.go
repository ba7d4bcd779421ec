package api

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/http/httpx"
)

// geoRoutes are the map's endpoints; they exist when Deps.Geo is set.
func (a *api) geoRoutes() []route {
	return []route{
		{Method: "GET", Path: "/geo/locate", Handler: a.geoLocateHandler},
		{Method: "GET", Path: "/geo/geocode", Handler: a.geoGeocodeHandler},
		{Method: "GET", Path: "/geo/reverse", Handler: a.geoReverseHandler},
		{Method: "GET", Path: "/geo/grids", Handler: a.geoGridsHandler},
		{Method: "GET", Path: "/geo/units", Handler: a.geoUnitsHandler},
		{Method: "PUT", Path: "/geo/units/{code}/boundary", Handler: a.geoUnitBoundaryHandler},
		{Method: "POST", Path: "/geo/import", Handler: a.geoImportHandler},
		{Method: "GET", Path: "/geo/export", Handler: a.geoExportHandler},
		{Method: "GET", Path: "/geo/coverage/{unit_code}", Handler: a.geoCoverageHandler},
		{Method: "GET", Path: "/geo/fences", Handler: a.geoFencesHandler},
		{Method: "POST", Path: "/geo/fences", Handler: a.geoCreateFenceHandler},
		{Method: "GET", Path: "/geo/fences/test", Handler: a.geoFencesAtHandler},
		{Method: "GET", Path: "/geo/fences/{id}", Handler: a.geoFenceHandler},
		{Method: "PATCH", Path: "/geo/fences/{id}", Handler: a.geoUpdateFenceHandler},
		{Method: "DELETE", Path: "/geo/fences/{id}", Handler: a.geoDeleteFenceHandler},
		{Method: "GET", Path: "/geo/postgis", Handler: a.geoPostGISHandler},
	}
}

// writeGeoJSON writes v as application/geo+json.
func writeGeoJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// floatParam reads a required float query parameter into q's problems.
func floatParam(q *query, name string) float64 {
	s := q.str(name)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		q.problems.Add(name, apperr.Required)
	}
	return v
}

func (a *api) geoLocateHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	lat, lng := floatParam(q, "lat"), floatParam(q, "lng")
	if err := q.err(); err != nil {
		return err
	}
	res, err := a.Geo.Locate(r.Context(), lat, lng, q.str("crs"))
	if err != nil {
		return err
	}
	return ok(w, res)
}

// geoGeocodeHandler answers ?address= (and optional crs, limit) with the
// candidates, best first, as a list.
func (a *api) geoGeocodeHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit := q.limit()
	if err := q.err(); err != nil {
		return err
	}
	res, err := a.Geo.Geocode(r.Context(), q.str("address"), q.str("crs"), limit)
	if err != nil {
		return err
	}
	return ok(w, newList(res, len(res)))
}

// geoReverseHandler answers ?lat&lng (and optional crs) with the grid,
// units and nearest houses there.
func (a *api) geoReverseHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	lat, lng := floatParam(q, "lat"), floatParam(q, "lng")
	if err := q.err(); err != nil {
		return err
	}
	res, err := a.Geo.Reverse(r.Context(), lat, lng, q.str("crs"))
	if err != nil {
		return err
	}
	return ok(w, res)
}

func (a *api) geoGridsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := atlas.GridMapFilter{Level: q.intIn("level", 1, 3), Unit: q.str("unit")}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	box, err := atlas.ParseBBox(q.str("bbox"))
	if err != nil {
		return err
	}
	f.BBox = box
	res, err := a.Geo.GridsGeoJSON(r.Context(), f)
	if err != nil {
		return err
	}
	return writeGeoJSON(w, res)
}

// unitCollection is a GeoJSON FeatureCollection of unit boundaries.
type unitCollection struct {
	Type     string        `json:"type"`
	Features []unitFeature `json:"features"`
}

type unitFeature struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

func (a *api) geoUnitsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := atlas.UnitShapeFilter{Level: q.str("level"), Parent: q.str("parent")}
	box, err := atlas.ParseBBox(q.str("bbox"))
	if err != nil {
		return err
	}
	f.BBox = box
	units, err := a.Geo.UnitShapes(r.Context(), f)
	if err != nil {
		return err
	}
	out := unitCollection{Type: "FeatureCollection", Features: make([]unitFeature, 0, len(units))}
	for _, u := range units {
		out.Features = append(out.Features, unitFeature{Type: "Feature", ID: u.Code, Geometry: u.Boundary,
			Properties: map[string]any{"code": u.Code, "name": u.Name, "level": u.Level, "parent_code": u.ParentCode,
				"boundary_source": u.BoundarySource}})
	}
	return writeGeoJSON(w, out)
}

// boundaryBody is the body of PUT /geo/units/{code}/boundary; a null
// boundary removes it.
type boundaryBody struct {
	Boundary       json.RawMessage `json:"boundary"`
	BoundarySource string          `json:"boundary_source"`
}

func (a *api) geoUnitBoundaryHandler(w http.ResponseWriter, r *http.Request) error {
	var in boundaryBody
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := a.Geo.SetUnitBoundary(r.Context(), r.PathValue("code"), in.Boundary, in.BoundarySource)
	if err != nil {
		return err
	}
	return ok(w, u)
}

// maxGeoImportForm bounds an import request: the file plus small fields.
const maxGeoImportForm = atlas.MaxImportBytes + multipartSlack

// geoImportHandler takes multipart/form-data: file, target, code_property,
// and optionally name_property, crs, format (else guessed from the file
// name: .zip is a shapefile), source and dry_run.
func (a *api) geoImportHandler(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return apperr.New(httpx.UnsupportedMediaType, "Content-Type must be multipart/form-data with a file field")
	}
	body := &bodyErr{r: http.MaxBytesReader(w, r.Body, maxGeoImportForm)}
	r.Body = body
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return body.or(apperr.New(apperr.BadRequest, "malformed multipart body: "+err.Error()), maxGeoImportForm)
	}
	defer r.MultipartForm.RemoveAll()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return apperr.Field("file", apperr.Required)
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	format := v("format")
	if format == "" {
		format = atlas.FormatGeoJSON
		if strings.HasSuffix(strings.ToLower(hdr.Filename), ".zip") {
			format = atlas.FormatShapefile
		}
	}
	dry, err := formBool(v("dry_run"))
	if err != nil {
		return err
	}
	rep, err := a.Geo.Import(r.Context(), atlas.ImportRequest{Target: v("target"), Format: format, Data: data,
		CodeProperty: v("code_property"), NameProperty: v("name_property"), CRS: v("crs"), Source: v("source"), DryRun: dry})
	if err != nil {
		return err
	}
	if rep.Invalid > 0 {
		// The report is the answer; 422 tells a script that nothing was written.
		httpx.WriteJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	return ok(w, rep)
}

func formBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "0", "false", "no":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, apperr.Field("dry_run", apperr.OneOf, "values", "true, false")
}

func (a *api) geoExportHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	target, format := q.str("target"), q.str("format")
	if target == "" {
		target = atlas.TargetGrids
	}
	f, err := a.Geo.Export(r.Context(), target, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", httpx.ContentDisposition("attachment", f.Name))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(f.Data)
	return err
}

func (a *api) geoCoverageHandler(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.Geo.Coverage(r.Context(), r.PathValue("unit_code"))
	if err != nil {
		return err
	}
	return ok(w, rep)
}

func (a *api) geoFencesHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := atlas.FenceFilter{BoundTo: q.str("bound_to"), BoundRef: q.str("bound_ref"), Unit: q.str("unit"), Active: q.optBool("active")}
	if err := q.err(); err != nil {
		return err
	}
	fences, err := a.Geo.Fences(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(fences, len(fences)))
}

func (a *api) geoCreateFenceHandler(w http.ResponseWriter, r *http.Request) error {
	var in atlas.FenceInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := a.Geo.CreateFence(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/geo/fences/"+strconv.FormatInt(f.ID, 10))
	return created(w, f)
}

func (a *api) geoFenceHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := a.Geo.FenceByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, f)
}

func (a *api) geoUpdateFenceHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in atlas.FenceUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := a.Geo.UpdateFence(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, f)
}

func (a *api) geoDeleteFenceHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.Geo.DeleteFence(r.Context(), id); err != nil {
		return err
	}
	return noContent(w)
}

// geoFencesAtHandler lists the active fences containing ?lat&lng (WGS84),
// optionally only those bound to ?bound_to=staff|grid; with ?id= it tests
// that one fence and answers {"inside": bool}.
func (a *api) geoFencesAtHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	lat, lng := floatParam(q, "lat"), floatParam(q, "lng")
	var id int64
	if s := q.str("id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			q.problems.Add("id", apperr.PositiveInt)
		}
		id = n
	}
	if err := q.err(); err != nil {
		return err
	}
	if id != 0 {
		in, err := a.Geo.TestFence(r.Context(), id, lat, lng)
		if err != nil {
			return err
		}
		return ok(w, map[string]bool{"inside": in})
	}
	fences, err := a.Geo.FencesAt(r.Context(), lat, lng, q.str("bound_to"))
	if err != nil {
		return err
	}
	return ok(w, newList(fences, len(fences)))
}

func (a *api) geoPostGISHandler(w http.ResponseWriter, r *http.Request) error {
	st, err := a.Geo.PostGISStatus(r.Context())
	if err != nil {
		return err
	}
	return ok(w, st)
}
