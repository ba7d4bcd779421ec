package api

// importRoutes are the registry's import and export routes (filled by the registry work).
func (a *api) importRoutes() []route { return nil }
