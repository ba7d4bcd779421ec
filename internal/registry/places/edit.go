package places

// The Input methods give a record's current fields as the input that
// would write them back, with Version set: a PATCH decodes its fields
// onto it, so fields it leaves out keep their values.

// Input returns the house's fields as an update input.
func (h House) Input() HouseInput {
	return HouseInput{Code: h.Code, Address: h.Address, Building: h.Building, Entrance: h.Entrance, Room: h.Room,
		Use: h.Use, Rented: h.Rented, Area: h.Area, OwnerID: h.OwnerID, Lat: h.Lat, Lng: h.Lng,
		GridCode: h.GridCode, UnitCode: h.UnitCode, Extra: h.Extra, Source: h.Source, Version: h.Version}
}

// Input returns the organisation's fields as an update input; Phone is
// nil (kept), since only its mask is known here.
func (o Organisation) Input() OrganisationInput {
	return OrganisationInput{Kind: o.Kind, Name: o.Name, USCC: o.USCC, LegalRep: o.LegalRep, Industry: o.Industry,
		Employees: o.Employees, Address: o.Address, HouseID: o.HouseID, Lat: o.Lat, Lng: o.Lng,
		GridCode: o.GridCode, UnitCode: o.UnitCode, Extra: o.Extra, Source: o.Source, Version: o.Version}
}

// Input returns the component's fields as an update input.
func (c Component) Input() ComponentInput {
	return ComponentInput{ObjectCode: c.ObjectCode, CategoryCode: c.CategoryCode, Name: c.Name, Status: c.Status,
		OwnerDept: c.OwnerDept, Address: c.Address, Lat: c.Lat, Lng: c.Lng, GridCode: c.GridCode,
		UnitCode: c.UnitCode, Source: c.Source, Version: c.Version}
}

// Input returns the roster entry's fields as an update input.
func (e RosterEntry) Input() RosterInput {
	active := e.Active
	return RosterInput{Name: e.Name, PersonID: e.PersonID, HouseID: e.HouseID, Role: e.Role, Note: e.Note,
		Address: e.Address, Lat: e.Lat, Lng: e.Lng, GridCode: e.GridCode, UnitCode: e.UnitCode, Active: &active,
		Source: e.Source, Version: e.Version}
}
