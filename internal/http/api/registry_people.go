package api

// peopleRoutes are the registry's people routes (filled by the registry work).
func (a *api) peopleRoutes() []route { return nil }
