package web

import "net/http"

// registryRoutes mounts the registry's console pages.
func (s *server) registryRoutes(mux *http.ServeMux) {}
