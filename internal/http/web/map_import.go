package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/rbac"
)

func init() { pages = append(pages, "map_import") }

// geoRoutes mounts the pages over the atlas service: boundary import and
// export, the coverage check and unit outline saves. Without the service
// they are not mounted (the catch-all answers 404).
func (s *server) geoRoutes(mux *http.ServeMux) {
	if s.Geo == nil {
		return
	}
	mux.Handle("GET /map/import", s.page(s.boundaryImportPage))
	mux.Handle("POST /map/import", s.page(s.runBoundaryImport))
	mux.Handle("GET /map/export", s.page(s.boundaryExport))
	mux.Handle("GET /map/coverage", s.page(s.coverageList))
	mux.Handle("GET /map/coverage/{code}", s.page(s.coveragePage))
	mux.Handle("GET /map/data/coverage/{code}", s.page(s.coverageData))
	mux.Handle("POST /map/units/{code}/boundary", s.page(s.saveUnitBoundary))
}

// boundaryImportData is the import page: what the actor may import, the
// file kept from the last post with its property names, and the report.
type boundaryImportData struct {
	CanGrids, CanUnits bool
	Upload             string // token of the kept file
	FileName           string
	Props              []string
	Report             *atlas.ImportReport
	// CanApply offers the real run after a clean dry run that changes
	// something.
	CanApply bool
	// Problems are the feature errors, translated, by feature index.
	Problems map[int]string
}

// importTargets reports which targets the actor may import: grids with
// grid.write, units with org.write (anywhere; the service checks each code).
func importTargets(a *actor.Actor) (grids, units bool) {
	return rbac.HasAnywhere(a, rbac.GridWrite), rbac.HasAnywhere(a, rbac.OrgWrite)
}

// boundaryImportPage handles GET /map/import: the upload form and the
// export links, for grid or org writers only.
func (s *server) boundaryImportPage(w http.ResponseWriter, r *http.Request) error {
	g, u := importTargets(actor.From(r.Context()))
	if !g && !u {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return nil
	}
	v := s.newView(r, "map.import.title", "map", nil)
	target := atlas.TargetGrids
	if !g {
		target = atlas.TargetUnits
	}
	v.Form = url.Values{"target": {target}, "crs": {atlas.CRSWGS84}, "dry_run": {"1"}}
	s.showBoundaryImport(w, r, http.StatusOK, v, &boundaryImportData{CanGrids: g, CanUnits: u})
	return nil
}

func (s *server) showBoundaryImport(w http.ResponseWriter, r *http.Request, status int, v *view, d *boundaryImportData) {
	if d.Report != nil {
		d.Problems = map[int]string{}
		for _, f := range d.Report.Features {
			if f.Error != "" {
				d.Problems[f.Index] = featureProblem(v.Lang, f)
			}
		}
	}
	v.Data = d
	s.render(w, r, status, "map_import", v)
}

// runBoundaryImport handles POST /map/import (multipart: file or upload,
// target, code_property, crs, dry_run): the file is kept for the next
// post, its property names are offered for code_property (guessed when
// empty), and atlas.Import checks every feature and — unless it is a dry
// run or any feature failed — applies them all in one transaction.
func (s *server) runBoundaryImport(w http.ResponseWriter, r *http.Request) error {
	a := actor.From(r.Context())
	g, u := importTargets(a)
	if !g && !u {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return nil
	}
	v := s.newView(r, "map.import.title", "map", nil)
	d := &boundaryImportData{CanGrids: g, CanUnits: u}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		v.Form = url.Values{}
		s.importFormError(w, r, v, d, uploadError{"file", "map.import.err.unreadable", nil})
		return nil
	}
	v.Form = formWithout(r.PostForm, "csrf", "upload")
	up, err := s.boundaryUpload(r)
	if err != nil {
		s.importFormError(w, r, v, d, err)
		return nil
	}
	d.Upload, d.FileName, d.Props = up.token, up.name, up.props
	prop := strings.TrimSpace(r.PostFormValue("code_property"))
	if prop == "" {
		prop = guessCodeProperty(up.props)
		v.Form.Set("code_property", prop)
	}
	if prop == "" {
		s.importFormError(w, r, v, d, uploadError{"code_property", "map.import.err.code_property", nil})
		return nil
	}
	rep, err := s.Geo.Import(r.Context(), atlas.ImportRequest{Target: r.PostFormValue("target"), Format: up.format,
		Data: up.data, CodeProperty: prop, CRS: r.PostFormValue("crs"), DryRun: r.PostFormValue("dry_run") != ""})
	if err != nil {
		s.importFormError(w, r, v, d, err)
		return nil
	}
	d.Report = &rep
	d.CanApply = rep.DryRun && rep.Invalid == 0 && rep.Changed > 0
	t := s.cat.T(v.Lang)
	switch {
	case rep.Applied:
		if err := s.Blobs.DropKept(r.Context(), up.token); err != nil {
			return err
		}
		d.Upload = ""
		v.Flash, v.FlashKind = t("map.import.applied", rep.Total, rep.Changed), "ok"
	case rep.Invalid > 0:
		v.Flash, v.FlashKind = t("map.import.failed", rep.Invalid, rep.Total), "error"
	default:
		v.Flash, v.FlashKind = t("map.import.dry_ok", rep.Valid, rep.Changed), "ok"
	}
	status := http.StatusOK
	if rep.Invalid > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.showBoundaryImport(w, r, status, v, d)
	return nil
}

// importFormError shows an upload problem or a service error on the
// import form, or fails.
func (s *server) importFormError(w http.ResponseWriter, r *http.Request, v *view, d *boundaryImportData, err error) {
	var ue uploadError
	if errors.As(err, &ue) {
		t := s.cat.T(v.Lang)
		v.Errors[ue.field] = t(ue.key, ue.args...)
		v.Flash, v.FlashKind = t("err.invalid"), "error"
		s.showBoundaryImport(w, r, http.StatusUnprocessableEntity, v, d)
		return
	}
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.showBoundaryImport(w, r, status, v, d)
}

// uploadError is a problem of the import form found by the console
// itself, named by a catalogue key.
type uploadError struct {
	field, key string
	args       []any
}

func (e uploadError) Error() string { return e.field + ": " + e.key }

// featureProblem is why a feature cannot be imported, in lang.
func featureProblem(lang string, f atlas.FeatureReport) string {
	if f.Problem == nil {
		return f.Error
	}
	return f.Problem.Text(lang)
}

// keptUpload is the file an import post works on.
type keptUpload struct {
	token, name, format string
	data                []byte
	props               []string
}

// boundaryUpload reads the posted file (kept under a new token, for its
// uploader, so that a dry run can be followed by the real run without
// choosing the file again, on any node) or, when none was chosen, the kept
// file named by the upload field.
func (s *server) boundaryUpload(r *http.Request) (keptUpload, error) {
	if fh := r.MultipartForm.File["file"]; len(fh) > 0 {
		if len(fh) != 1 {
			return keptUpload{}, uploadError{"file", "map.import.err.choose", nil}
		}
		f, err := fh[0].Open()
		if err != nil {
			return keptUpload{}, uploadError{"file", "map.import.err.unreadable", nil}
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, atlas.MaxImportBytes+1))
		if err != nil {
			return keptUpload{}, uploadError{"file", "map.import.err.unreadable", nil}
		}
		if len(data) > atlas.MaxImportBytes {
			return keptUpload{}, uploadError{"file", "map.import.err.too_large", []any{atlas.MaxImportBytes >> 20}}
		}
		props, err := fileProperties(data)
		if err != nil {
			return keptUpload{}, err
		}
		name := filepath.Base(fh[0].Filename)
		tok, err := s.Blobs.Keep(r.Context(), name, data, props)
		if err != nil {
			return keptUpload{}, err
		}
		return keptUpload{token: tok, name: name, format: fileFormat(data), data: data, props: props}, nil
	}
	tok := r.PostFormValue("upload")
	if tok == "" {
		return keptUpload{}, uploadError{"file", "map.import.err.choose", nil}
	}
	k, err := s.Blobs.Kept(r.Context(), tok)
	if apperr.Is(err, apperr.NotFound) {
		return keptUpload{}, uploadError{"file", "map.import.err.expired", nil}
	}
	if err != nil {
		return keptUpload{}, err
	}
	var props []string
	if err := json.Unmarshal(k.Meta, &props); err != nil {
		return keptUpload{}, apperr.Wrap(err, "kept file")
	}
	return keptUpload{token: tok, name: k.Name, format: fileFormat(k.Data), data: k.Data, props: props}, nil
}

// fileFormat tells a Shapefile zip (a zip's magic bytes) from GeoJSON.
func fileFormat(data []byte) string {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return atlas.FormatShapefile
	}
	return atlas.FormatGeoJSON
}

// fileProperties lists, sorted, the property names of a boundary file's
// features; a file that cannot be read is a "file" field error.
func fileProperties(data []byte) ([]string, error) {
	var fs []geo.Feature
	var err error
	if fileFormat(data) == atlas.FormatShapefile {
		fs, err = geo.ReadShapefileZip(bytes.NewReader(data), int64(len(data)))
	} else {
		fs, err = geo.ReadGeoJSONFeatures(data)
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []string{}
	for _, f := range fs {
		for k := range f.Properties {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// guessCodeProperty picks the property most likely to hold the code:
// "code" in any case, then a name containing "code" or 编码, else "".
func guessCodeProperty(props []string) string {
	for _, p := range props {
		if strings.EqualFold(p, "code") {
			return p
		}
	}
	for _, p := range props {
		if strings.Contains(strings.ToLower(p), "code") || strings.Contains(p, "编码") || strings.Contains(p, "代码") {
			return p
		}
	}
	return ""
}

// boundaryExport handles GET /map/export?target=grids|units&format=geojson|shapefile:
// the boundaries in the actor's read scope as a download.
func (s *server) boundaryExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	target, format := q.Get("target"), q.Get("format")
	if target == "" {
		target = atlas.TargetGrids
	}
	if format == "" {
		format = atlas.FormatGeoJSON
	}
	f, err := s.Geo.Export(r.Context(), target, format)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, strings.ReplaceAll(f.Name, `"`, "")))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(f.Data)
	return nil
}
