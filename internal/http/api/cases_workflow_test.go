package api

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gridgov/internal/cases"
)

// TestWorkflowInAPI checks the API against the loop's table: every action
// has its route, and openapi.json describes it with a request body
// required as the rule says, whose schema has exactly the JSON fields of
// the action's Go input.
func TestWorkflowInAPI(t *testing.T) {
	doc := loadDoc(t)
	routes := map[string]bool{}
	for _, rt := range (&api{}).casesRoutes() {
		routes[rt.Method+" "+rt.Path] = true
	}
	for _, r := range cases.Workflow() {
		path := "/cases/{id}/" + r.Route
		if !routes["POST "+path] {
			t.Errorf("%s: no route POST %s", r.Action, path)
		}
		raw, ok := doc.Paths[path]["post"]
		if !ok {
			t.Errorf("%s: openapi.json does not describe POST %s", r.Action, path)
			continue
		}
		var op struct {
			RequestBody struct {
				Required bool `json:"required"`
				Content  map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if op.RequestBody.Required != r.Body {
			t.Errorf("%s: request body required %v, the rule says %v", r.Action, op.RequestBody.Required, r.Body)
		}
		ref := op.RequestBody.Content["application/json"].Schema.Ref
		var schema struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], &schema); err != nil {
			t.Errorf("%s: request schema %q: %v", r.Action, ref, err)
			continue
		}
		var described []string
		for name := range schema.Properties {
			described = append(described, name)
		}
		sort.Strings(described)
		if want := jsonFields(r.InputType()); !reflect.DeepEqual(described, want) {
			t.Errorf("%s: schema %s has %v, the input %s has %v", r.Action, ref, described, r.InputType(), want)
		}
	}
}

// jsonFields lists the JSON names of a struct's fields, embedded structs
// flattened, sorted.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
