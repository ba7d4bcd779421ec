package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
)

// openapiFS holds the hand-written OpenAPI 3.0.3 description: openapi.json
// is the document, and each module may add openapi_<module>.json, a fragment
// with "paths", "tags" and "components" ({"schemas", "responses"}) merged into
// it. A test checks the merged document against the registered routes.
//
//go:embed openapi*.json
var openapiFS embed.FS

// openapiJSON is the merged document, built once at start.
var openapiJSON = mustMergeOpenAPI(openapiFS)

func mustMergeOpenAPI(fsys fs.FS) []byte {
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err) // the documents are embedded: a bad one is a build defect
	}
	return b
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	var doc map[string]any
	base, err := fs.ReadFile(fsys, "openapi.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	names, err := fs.Glob(fsys, "openapi_*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := mergeInto(doc, frag, name); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds a fragment's paths, tags and component entries to doc,
// refusing duplicates so that two modules cannot silently shadow each other.
func mergeInto(doc, frag map[string]any, name string) error {
	if err := mergeMap(doc, frag, "paths", name); err != nil {
		return err
	}
	if comps, ok := frag["components"].(map[string]any); ok {
		dc, _ := doc["components"].(map[string]any)
		if dc == nil {
			dc = map[string]any{}
			doc["components"] = dc
		}
		for _, key := range []string{"schemas", "responses", "parameters"} {
			if err := mergeMap(dc, comps, key, name); err != nil {
				return err
			}
		}
	}
	if tags, ok := frag["tags"].([]any); ok {
		existing, _ := doc["tags"].([]any)
		doc["tags"] = append(existing, tags...)
	}
	return nil
}

func mergeMap(dst, src map[string]any, key, name string) error {
	add, ok := src[key].(map[string]any)
	if !ok {
		return nil
	}
	into, _ := dst[key].(map[string]any)
	if into == nil {
		into = map[string]any{}
		dst[key] = into
	}
	for k, v := range add {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %s %q is already described", name, key, k)
		}
		into[k] = v
	}
	return nil
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openapiJSON)
	return nil
}
