package api

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the hand-written OpenAPI 3.0.3 description of the API; a
// test checks it against the registered routes.
//
//go:embed openapi.json
var openapiJSON []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openapiJSON)
	return nil
}
