package api

// groupRoutes are the registry's group routes (filled by the registry work).
func (a *api) groupRoutes() []route { return nil }
