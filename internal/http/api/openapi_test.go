package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gridgov/internal/app"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
)

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Servers    []struct{ URL string }                `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]json.RawMessage `json:"schemas"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

type openAPIParam struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

type openAPIOp struct {
	OperationID string                     `json:"operationId"`
	Parameters  []openAPIParam             `json:"parameters"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

var httpMethods = map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true}

func loadDoc(t *testing.T) openAPIDoc {
	t.Helper()
	// The document is static: an app without services serves it.
	srv := httptest.NewServer(New(&app.App{}))
	defer srv.Close()
	res, err := http.Get(srv.URL + Prefix + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var doc openAPIDoc
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// TestOpenAPICoversRoutes checks that every registered route is described
// and every described operation is registered.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadDoc(t)
	if doc.OpenAPI != "3.0.3" || len(doc.Servers) != 1 || doc.Servers[0].URL != Prefix {
		t.Fatalf("header: got openapi %q servers %v, want 3.0.3 and %s", doc.OpenAPI, doc.Servers, Prefix)
	}
	registered := map[string]bool{}
	// Every optional service present: all routes are listed.
	all := &api{App: &app.App{Registry: new(registry.Service), Groups: new(groups.Service), Places: new(places.Service),
		Geo: new(atlas.Service)}}
	for _, rt := range all.routes() {
		key := strings.ToLower(rt.Method) + " " + rt.Path
		registered[key] = true
		if _, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is missing from openapi.json", rt.Method, rt.Path)
		}
	}
	var described []string
	for path, item := range doc.Paths {
		for method := range item {
			if !httpMethods[method] {
				continue
			}
			key := method + " " + path
			described = append(described, key)
			if !registered[key] {
				t.Errorf("openapi.json describes %s, which is not a route", key)
			}
		}
	}
	sort.Strings(described)
	if len(described) != len(registered) {
		t.Errorf("operations: got %d described, %d registered", len(described), len(registered))
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// TestOpenAPIWellFormed checks what a validator would: unique operation
// ids, declared path parameters, responses on every operation, and $refs
// that resolve.
func TestOpenAPIWellFormed(t *testing.T) {
	doc := loadDoc(t)
	ids := map[string]string{}
	for path, item := range doc.Paths {
		var shared []openAPIParam
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				t.Fatalf("%s parameters: %v", path, err)
			}
		}
		for method, raw := range item {
			if !httpMethods[method] {
				continue
			}
			var op openAPIOp
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if prev, dup := ids[op.OperationID]; dup || op.OperationID == "" {
				t.Errorf("%s %s: operationId %q empty or also used by %s", method, path, op.OperationID, prev)
			}
			ids[op.OperationID] = method + " " + path
			if len(op.Responses) == 0 {
				t.Errorf("%s %s: no responses", method, path)
			}
			declared := map[string]bool{}
			for _, p := range append(shared, op.Parameters...) {
				if p.In == "path" {
					declared[p.Name] = true
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
			}
		}
	}
	b, _ := json.Marshal(doc.Paths)
	all := string(b)
	for _, raw := range doc.Components.Schemas {
		all += string(raw)
	}
	for _, raw := range doc.Components.Responses {
		all += string(raw)
	}
	refs := regexp.MustCompile(`"\$ref":"#/components/(schemas|responses)/([A-Za-z]+)"`).FindAllStringSubmatch(all, -1)
	if len(refs) == 0 {
		t.Fatal("no $refs found")
	}
	for _, m := range refs {
		var ok bool
		if m[1] == "schemas" {
			_, ok = doc.Components.Schemas[m[2]]
		} else {
			_, ok = doc.Components.Responses[m[2]]
		}
		if !ok {
			t.Errorf("$ref #/components/%s/%s does not resolve", m[1], m[2])
		}
	}
}
