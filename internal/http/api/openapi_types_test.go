package api

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/blob"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/jobs"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
	"gridgov/internal/registry/transfer"
)

// openAPIGoTypes names the Go value each described response schema is the
// JSON encoding of: what the handlers pass to ok, created or WriteJSON.
// Schemas these reference (a case's assignments, a list's items) are
// listed too, so every object a client reads is checked.
var openAPIGoTypes = map[string]any{
	// openapi.json
	"Session":              auth.Session{},
	"Me":                   meResponse{},
	"Unit":                 org.Unit{},
	"UnitList":             list[org.Unit]{},
	"Grid":                 org.Grid{},
	"GridList":             list[org.Grid]{},
	"Staff":                org.Staff{},
	"StaffList":            list[org.Staff]{},
	"Grant":                auth.Grant{},
	"User":                 auth.User{},
	"UserList":             list[auth.User]{},
	"Role":                 auth.Role{},
	"RoleList":             list[auth.Role]{},
	"AuditEntry":           audit.Row{},
	"AuditList":            list[audit.Row]{},
	"AuditVerify":          audit.VerifyResult{},
	"Attachment":           blob.Attachment{},
	"Job":                  jobs.Status{},
	"JobList":              list[jobs.Status]{},
	"JobRun":               jobs.Run{},
	"JobRunList":           list[jobs.Run]{},
	"Upload":               uploadAnswer{},
	"CalendarDay":          calendar.Day{},
	"CalendarDeadline":     calendarDeadline{},
	"CalendarDayList":      calendarDays{},
	"CalendarImportResult": calendar.ImportResult{},
	// cases and meetings
	"CaseCategory":     cases.Category{},
	"CaseCategoryList": list[cases.Category]{},
	"Case":             cases.Case{},
	"CaseList":         list[cases.Case]{},
	"CaseAssignment":   cases.Assignment{},
	"CaseExtension":    cases.Extension{},
	"Supervision":      cases.Supervision{},
	"SupervisionList":  list[cases.Supervision]{},
	"CaseStep":         cases.Step{},
	"CaseStepList":     list[cases.Step]{},
	"InboxItem":        cases.InboxItem{},
	"InboxList":        list[cases.InboxItem]{},
	"Meeting":          cases.Meeting{},
	"MeetingList":      list[cases.Meeting]{},
	"MeetingDecision":  cases.MeetingDecision{},
	"Accountability":   cases.Accountability{},
	"Notice":           cases.Notice{},
	"NoticeList":       cases.NoticeList{},
	// citizen
	"APIKey":        citizen.APIKey{},
	"APIKeyList":    list[citizen.APIKey]{},
	"CreatedAPIKey": createdKey{},
	"PublicRequest": citizen.Request{},
	// geo
	"GeoLocated":       atlas.Located{},
	"GeoCandidate":     atlas.Candidate{},
	"GeoCandidateList": list[atlas.Candidate]{},
	"GeoReverse":       atlas.Reversed{},
	"GeoUnitShape":     atlas.UnitShape{},
	"GeoImportReport":  atlas.ImportReport{},
	"GeoCoverage":      atlas.CoverageReport{},
	"GeoFence":         atlas.Fence{},
	"GeoFenceList":     list[atlas.Fence]{},
	"GeoPostGIS":       atlas.PostGISStatus{},
	// registry
	"Person":                 registry.Person{},
	"PersonList":             list[registry.Person]{},
	"PersonAccess":           registry.PersonAccess{},
	"PersonViewList":         list[registry.PersonAccess]{},
	"PersonCase":             registry.CaseRef{},
	"PersonCaseList":         list[registry.CaseRef]{},
	"Household":              registry.Household{},
	"ImportJob":              transfer.ImportJob{},
	"ImportJobList":          list[transfer.ImportJob]{}, // a map with the same two keys
	"RowFailure":             transfer.RowFailure{},
	"ExportRequest":          transfer.ExportRequest{},
	"ExportRequestList":      list[transfer.ExportRequest]{},
	"SecurityAlert":          registry.SecurityAlert{},
	"SecurityAlertList":      list[registry.SecurityAlert]{},
	"PersonAccessRecord":     registry.AccessRecord{},
	"PersonAccessRecordList": list[registry.AccessRecord]{},
	"CodeAttr":               groups.Attr{},
	"Code":                   groups.Code{},
	"CodeTable":              groups.CodeTable{},
	"CodeTableList":          list[groups.CodeTable]{},
	"GroupMember":            groups.GroupMember{},
	"GroupMemberList":        list[groups.GroupMember]{},
	"Visit":                  groups.Visit{},
	"VisitList":              list[groups.Visit]{},
	"DueVisit":               groups.DueVisit{},
	"DueVisitList":           list[groups.DueVisit]{},
	"House":                  places.House{},
	"HouseList":              list[places.House]{},
	"NearHouse":              places.NearHouse{},
	"NearHouseList":          list[places.NearHouse]{},
	"Occupant":               places.Occupant{},
	"Organisation":           places.Organisation{},
	"OrganisationList":       list[places.Organisation]{},
	"Component":              places.Component{},
	"ComponentList":          list[places.Component]{},
	"RosterEntry":            places.RosterEntry{},
	"RosterEntryList":        list[places.RosterEntry]{},
}

// openAPIInputTypes names the Go value each described JSON request body is
// decoded into.
var openAPIInputTypes = map[string]any{
	"LoginRequest":          loginRequest{},
	"OwnPasswordChange":     ownPasswordRequest{},
	"PasswordSet":           setPasswordRequest{},
	"UnitInput":             org.UnitInput{},
	"UnitUpdate":            org.UnitUpdate{},
	"GridInput":             org.GridInput{},
	"GridUpdate":            gridPatch{},
	"StaffInput":            org.StaffInput{},
	"StaffUpdate":           org.StaffUpdate{},
	"UserInput":             auth.UserInput{},
	"UserUpdate":            auth.UserUpdate{},
	"GrantInput":            auth.GrantInput{},
	"RoleInput":             auth.RoleInput{},
	"UploadStart":           blob.UploadStart{},
	"CaseCategoryInput":     cases.CategoryInput{},
	"CaseCreate":            cases.CaseCreate{},
	"Transition":            cases.Transition{},
	"CaseMerge":             cases.MergeInput{},
	"CaseAssign":            cases.AssignInput{},
	"CaseHandlerInput":      cases.HandlerInput{},
	"CaseVerify":            cases.VerifyInput{},
	"CaseSupervise":         cases.SuperviseInput{},
	"CaseExtensionRequest":  cases.ExtensionRequest{},
	"CaseExtensionDecision": cases.ExtensionDecision{},
	"MeetingInput":          cases.MeetingInput{},
	"MeetingUpdate":         cases.MeetingUpdate{},
	"MeetingCancel":         meetingCancel{},
	"MeetingDecisionInput":  cases.DecisionInput{},
	"MeetingConclude":       cases.ConcludeInput{},
	"AccountabilityInput":   cases.AccountabilityInput{},
	"Moderation":            citizen.Moderation{},
	"GeoBoundaryInput":      boundaryBody{},
	"GeoFenceInput":         atlas.FenceInput{},
	"GeoFenceUpdate":        atlas.FenceUpdate{},
	"PersonInput":           registry.PersonInput{},
	"HouseholdInput":        registry.HouseholdInput{},
	"ExportInput":           exportBody{},
	"ExportDecision":        decideBody{},
	"GroupMemberInput":      groups.MemberInput{},
	"GroupMemberEnd":        memberEnd{},
	"VisitInput":            groups.VisitInput{},
	"HouseInput":            places.HouseInput{},
	"OccupantInput":         places.OccupantInput{},
	"OrganisationInput":     places.OrganisationInput{},
	"ComponentInput":        places.ComponentInput{},
	"RosterEntryInput":      places.RosterInput{},
}

// openAPIUntypedInputs lists the request schemas with no named Go type.
var openAPIUntypedInputs = map[string]string{
	"VerifyNote":      "an anonymous struct in verifyNote: {note}",
	"CodeTableImport": "read whole and parsed by groups.ImportCodeTable, not decoded into a struct here",
}

// openAPIUntyped lists the response schemas with no Go type to reflect
// over, each with why; their properties are the keys the handler writes.
var openAPIUntyped = map[string]string{
	"ExportPending": "a map literal in exportPeopleHandler: status, id, rows, request",
	"RosterKinds":   "a map literal: {\"rosters\": places.Rosters}",
	"GeoFenceTest":  "a map literal in the fence test handler: {\"inside\": bool}",
}

// TestOpenAPISchemasMatchGoTypes: every response a route documents is
// the encoding of a Go type listed above (or explained in openAPIUntyped),
// and each such schema's properties are exactly the type's JSON fields:
// no field the API sends goes undocumented, and no documented field is
// one the API never sends.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := loadDoc(t)
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if !httpMethods[method] {
				continue
			}
			var op struct {
				Responses map[string]struct {
					Content map[string]struct {
						Schema json.RawMessage `json:"schema"`
					} `json:"content"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			for code, r := range op.Responses {
				js, ok := r.Content["application/json"]
				if !strings.HasPrefix(code, "2") || !ok {
					continue
				}
				// An inline schema ({"assigned": n}, the document itself) has no name.
				for _, name := range refNames(js.Schema) {
					_, typed := openAPIGoTypes[name]
					if _, why := openAPIUntyped[name]; !typed && !why {
						t.Errorf("%s %s answers %s with schema %s, which names no Go type in openAPIGoTypes", method, path, code, name)
					}
				}
			}
		}
	}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if !httpMethods[method] {
				continue
			}
			var op struct {
				RequestBody struct {
					Content map[string]struct {
						Schema json.RawMessage `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			_ = json.Unmarshal(raw, &op)
			for _, name := range refNames(op.RequestBody.Content["application/json"].Schema) {
				_, typed := openAPIInputTypes[name]
				if _, why := openAPIUntypedInputs[name]; !typed && !why {
					t.Errorf("%s %s takes schema %s, which names no Go type in openAPIInputTypes", method, path, name)
				}
			}
		}
	}
	all := map[string]any{}
	for n, v := range openAPIGoTypes {
		all[n] = v
	}
	for n, v := range openAPIInputTypes {
		all[n] = v
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw, ok := doc.Components.Schemas[name]
			if !ok {
				t.Fatalf("schema %s is not in the document", name)
			}
			documented := schemaProperties(t, doc, raw)
			fields := goJSONFields(reflect.TypeOf(all[name]))
			for f := range fields {
				if !documented[f] {
					t.Errorf("%s: %T has the JSON field %q, which the schema does not document", name, all[name], f)
				}
			}
			for p := range documented {
				if !fields[p] {
					t.Errorf("%s: the schema documents %q, which %T does not have", name, p, all[name])
				}
			}
		})
	}
}

// refNames returns the components a response schema refers to: directly,
// as the items of an array, or as the alternatives of a oneOf.
func refNames(raw json.RawMessage) []string {
	var s struct {
		Ref   string `json:"$ref"`
		Items struct {
			Ref string `json:"$ref"`
		} `json:"items"`
		OneOf []json.RawMessage `json:"oneOf"`
	}
	_ = json.Unmarshal(raw, &s)
	var out []string
	for _, ref := range []string{s.Ref, s.Items.Ref} {
		if ref != "" {
			out = append(out, strings.TrimPrefix(ref, "#/components/schemas/"))
		}
	}
	for _, alt := range s.OneOf {
		out = append(out, refNames(alt)...)
	}
	return out
}

// schemaProperties returns the property names of an object schema,
// following $ref and allOf.
func schemaProperties(t *testing.T, doc openAPIDoc, raw json.RawMessage) map[string]bool {
	t.Helper()
	var s struct {
		Ref        string                     `json:"$ref"`
		Properties map[string]json.RawMessage `json:"properties"`
		AllOf      []json.RawMessage          `json:"allOf"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	if s.Ref != "" {
		return schemaProperties(t, doc, doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")])
	}
	for p := range s.Properties {
		out[p] = true
	}
	for _, part := range s.AllOf {
		for p := range schemaProperties(t, doc, part) {
			out[p] = true
		}
	}
	return out
}

// goJSONFields returns the names encoding/json gives the fields of a struct
// type, with embedded structs' fields promoted.
func goJSONFields(typ reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n := range goJSONFields(ft) {
				out[n] = true
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
	}
	return out
}
