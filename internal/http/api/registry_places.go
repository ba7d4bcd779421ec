package api

// placeRoutes are the registry's place routes (filled by the registry work).
func (a *api) placeRoutes() []route { return nil }
