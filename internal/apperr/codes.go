// The field problem codes, one place for all of them; each has words in
// internal/i18n/locales/*/problems.json (a test checks both ways).

package apperr

// The field problem codes. Each has words in every language of the i18n
// catalogue, with its arguments as {name} holes.
const (
	// After: must be after {other}
	After PCode = "after"
	// AfterGcj: after GCJ-02 → WGS84 conversion: {problem}
	AfterGcj PCode = "after_gcj"
	// AlreadyUsedGrid: already used by a grid you may not change
	AlreadyUsedGrid PCode = "already_used_grid"
	// AlreadyUsedUnit: already used by a unit you may not change
	AlreadyUsedUnit PCode = "already_used_unit"
	// AttachmentGone: an attachment was deleted meanwhile; upload it again
	AttachmentGone PCode = "attachment_gone"
	// AttachmentUnknown: attachment {id} does not exist or was not uploaded by you
	AttachmentUnknown PCode = "attachment_unknown"
	// AttachmentsOff: attachments are not enabled on this server
	AttachmentsOff PCode = "attachments_off"
	// BBox: must be minLng,minLat,maxLng,maxLat in degrees
	BBox PCode = "bbox"
	// BBoxOrder: minimum must not exceed maximum (minLng,minLat,maxLng,maxLat)
	BBoxOrder PCode = "bbox_order"
	// BelowItself: cannot move a unit below itself
	BelowItself PCode = "below_itself"
	// BoundRequired: is required with bound_to
	BoundRequired PCode = "bound_required"
	// BoundaryBody: the body must be {"boundary": <GeoJSON geometry>}
	BoundaryBody PCode = "boundary_body"
	// BoundaryGeometryType: must be a Polygon or MultiPolygon (or a Feature with one), not "{type}"
	BoundaryGeometryType PCode = "boundary_geometry_type"
	// BoundaryKind: a grid boundary must be a Polygon or MultiPolygon, not "{type}"
	BoundaryKind PCode = "boundary_kind"
	// BoundaryNoPolygon: the boundary has no polygon
	BoundaryNoPolygon PCode = "boundary_no_polygon"
	// BoundaryType: a boundary must be a Polygon or MultiPolygon, not {type}
	BoundaryType PCode = "boundary_type"
	// CalendarBoth: {date} is both a holiday and a workday
	CalendarBoth PCode = "calendar_both"
	// CalendarDayKind: {value}: must be {holiday} or {workday}
	CalendarDayKind PCode = "calendar_day_kind"
	// CalendarJSON: not a calendar JSON {"holidays":{…},"workdays":{…}}: {detail}
	CalendarJSON PCode = "calendar_json"
	// CalendarJSONEmpty: the JSON lists no holidays and no workdays
	CalendarJSONEmpty PCode = "calendar_json_empty"
	// CaptchaExpired: the check has expired; please try the new one
	CaptchaExpired PCode = "captcha_expired"
	// CaptchaUsed: this check was used already; please try the new one
	CaptchaUsed PCode = "captcha_used"
	// CaptchaWrong: wrong answer; please try the new one
	CaptchaWrong PCode = "captcha_wrong"
	// CatalogueUnit: required: the unit extending the catalogue
	CatalogueUnit PCode = "catalogue_unit"
	// CategoryCode: letters, digits, - or _, at most 32
	CategoryCode PCode = "category_code"
	// CategoryExists: category {code} already exists
	CategoryExists PCode = "category_exists"
	// CategoryNotHere: category not available in this grid
	CategoryNotHere PCode = "category_not_here"
	// CharsBetween: must be {min} to {max} characters
	CharsBetween PCode = "chars_between"
	// ChildProblem: {code}: {problem}
	ChildProblem PCode = "child_problem"
	// ChoosePermission: choose at least one permission
	ChoosePermission PCode = "choose_permission"
	// ChoosePerson: choose a person
	ChoosePerson PCode = "choose_person"
	// ChunkMismatch: does not match the chunk; send it again
	ChunkMismatch PCode = "chunk_mismatch"
	// ChunkOffset: required: the byte offset this chunk starts at
	ChunkOffset PCode = "chunk_offset"
	// ChunkPastSize: the chunk runs past the declared size ({n} bytes left)
	ChunkPastSize PCode = "chunk_past_size"
	// CityCode: want a city code of 4 digits (4101) or 6 digits ending in 00 (410100)
	CityCode PCode = "city_code"
	// CityNeedsParent: is required: only the platform may create a city
	CityNeedsParent PCode = "city_needs_parent"
	// CoUnits: distinct unit codes, other than the lead
	CoUnits PCode = "co_units"
	// CodeNotCategory: digits 7-10 ({value}) do not match category {code} ({name})
	CodeNotCategory PCode = "code_not_category"
	// CodeNotDistrict: digits 1-6 ({value}) are not a district of the org tree
	CodeNotDistrict PCode = "code_not_district"
	// CodeOfTable: must be a code of its code table
	CodeOfTable PCode = "code_of_table"
	// CodeProperty: is required: the property holding the code
	CodeProperty PCode = "code_property"
	// CodeRequiredOne: at least one code is required
	CodeRequiredOne PCode = "code_required_one"
	// CodeTableNamed: a code field names its code table
	CodeTableNamed PCode = "code_table_named"
	// CodeTableOnly: only code fields name a table
	CodeTableOnly PCode = "code_table_only"
	// ColumnUnknownField: column {column} maps to unknown field {field}
	ColumnUnknownField PCode = "column_unknown_field"
	// CommonPassword: too common, or contains the login name, city or system name
	CommonPassword PCode = "common_password"
	// CommunityNoBoundary: the community has no boundary; set or import it first
	CommunityNoBoundary PCode = "community_no_boundary"
	// CommunityRequired: must be a community
	CommunityRequired PCode = "community_required"
	// ControlChars: must not contain control characters
	ControlChars PCode = "control_chars"
	// Coordinates: must be a latitude between -90 and 90 and a longitude between -180 and 180 (decimal degrees, WGS84)
	Coordinates PCode = "coordinates"
	// CountBetween: must hold {min} to {max}
	CountBetween PCode = "count_between"
	// Cycle: forms a cycle
	Cycle PCode = "cycle"
	// Date: must be a date (YYYY-MM-DD)
	Date PCode = "date"
	// DateOrTime: must be a date YYYY-MM-DD or an RFC 3339 time
	DateOrTime PCode = "date_or_time"
	// DatePast: must be a date (YYYY-MM-DD), not in the future
	DatePast PCode = "date_past"
	// Datetime: must be a date and time (YYYY-MM-DDTHH:MM)
	Datetime PCode = "datetime"
	// DbfFields: the .dbf fields are longer than its records
	DbfFields PCode = "dbf_fields"
	// DbfHeader: the .dbf header is corrupt
	DbfHeader PCode = "dbf_header"
	// DbfShort: the .dbf is too short
	DbfShort PCode = "dbf_short"
	// DbfTruncated: the .dbf is truncated at record {n}
	DbfTruncated PCode = "dbf_truncated"
	// DeletedGrid: a grid was just deleted; reload and try again
	DeletedGrid PCode = "deleted_grid"
	// DeptParent: a department must sit under a city or district
	DeptParent PCode = "dept_parent"
	// DeptSuffix: a department code suffix such as cgj
	DeptSuffix PCode = "dept_suffix"
	// Detail: {detail}
	Detail PCode = "detail"
	// Digest: must be "sha256 <base64 digest>"
	Digest PCode = "digest"
	// DuplicateCode: duplicate code {code}
	DuplicateCode PCode = "duplicate_code"
	// DuplicatesRow: duplicates {list}[{index}]
	DuplicatesRow PCode = "duplicates_row"
	// DuplicatesUnitRow: duplicates units[{index}] ({code})
	DuplicatesUnitRow PCode = "duplicates_unit_row"
	// EarlierCode: must name an earlier code of the table
	EarlierCode PCode = "earlier_code"
	// Email: not an email address
	Email PCode = "email"
	// Empty: is empty
	Empty PCode = "empty"
	// ExportApproval: an export of this size needs a second person's approval: give a reason of 4 to 200 characters
	ExportApproval PCode = "export_approval"
	// ExportApprovalFilter: an export needing approval cannot filter by ID number or phone
	ExportApprovalFilter PCode = "export_approval_filter"
	// ExportSize: the export would hold {total} people, at most {max}: narrow the filter
	ExportSize PCode = "export_size"
	// FeatureGeometryMissing: Feature has no geometry
	FeatureGeometryMissing PCode = "feature_geometry_missing"
	// FeatureNoGeometry: the Feature has no valid geometry
	FeatureNoGeometry PCode = "feature_no_geometry"
	// FeatureProblem: feature {n}: {problem}
	FeatureProblem PCode = "feature_problem"
	// FeatureType: type {type}, want Feature
	FeatureType PCode = "feature_type"
	// FenceID: fence {n}: the ID {id} is empty or repeated
	FenceID PCode = "fence_id"
	// FileContent: file content is {got}, not {want}
	FileContent PCode = "file_content"
	// FileEmpty: file is empty
	FileEmpty PCode = "file_empty"
	// FileMalformedType: file is not a well-formed {kind}: {detail}
	FileMalformedType PCode = "file_malformed_type"
	// FileNotAccepted: file content is {got}, which is not accepted; allowed: {allowed}
	FileNotAccepted PCode = "file_not_accepted"
	// FileProblem: {file}: {problem}
	FileProblem PCode = "file_problem"
	// FileUnreadableType: file is not a readable {kind}: {detail}
	FileUnreadableType PCode = "file_unreadable_type"
	// GeojsonGeometry: not a GeoJSON geometry: {detail}
	GeojsonGeometry PCode = "geojson_geometry"
	// GeojsonNot: not GeoJSON: {detail}
	GeojsonNot PCode = "geojson_not"
	// GeojsonType: GeoJSON of type "{type}"; a FeatureCollection, Feature, Polygon or MultiPolygon is needed
	GeojsonType PCode = "geojson_type"
	// GeometryDetail: {detail}
	GeometryDetail PCode = "geometry_detail"
	// GridAbove: grid {code} belongs to {owner}, which is not {unit} or above it
	GridAbove PCode = "grid_above"
	// GridFixed: grid {code} exists with level {level} in unit {unit}; level and unit cannot change
	GridFixed PCode = "grid_fixed"
	// GridGeometry: grid {code}: {problem}
	GridGeometry PCode = "grid_geometry"
	// GridLevel: must be 1, 2 or 3
	GridLevel PCode = "grid_level"
	// GridOrUnit: a grid, or the unit that holds the record awaiting a grid, is required
	GridOrUnit PCode = "grid_or_unit"
	// GridOutsideArea: grid {code} ({unit}) is outside the area of {area}
	GridOutsideArea PCode = "grid_outside_area"
	// GridParentLevel: must be a level-{parent} grid for a level-{level} grid
	GridParentLevel PCode = "grid_parent_level"
	// GridParentUnit: grid {code} does not belong to {unit} or a unit above it
	GridParentUnit PCode = "grid_parent_unit"
	// GridUnitKind: grids belong to a city, district, street or community, not a {kind}
	GridUnitKind PCode = "grid_unit_kind"
	// GroupKindOnly: key, visit_days and attrs belong to group_kind only
	GroupKindOnly PCode = "group_kind_only"
	// HoleOutside: position {n} [{lng}, {lat}] is outside the exterior ring
	HoleOutside PCode = "hole_outside"
	// ICSDate: {value} is not an iCalendar date
	ICSDate PCode = "ics_date"
	// ICSEvent: event {name}: DTEND must be after DTSTART and within 60 days
	ICSEvent PCode = "ics_event"
	// ICSNone: the iCalendar file holds no holiday (休) or workday (班) events
	ICSNone PCode = "ics_none"
	// ICSNot: not an iCalendar file (no BEGIN:VCALENDAR)
	ICSNot PCode = "ics_not"
	// ICSUnreadable: unreadable iCalendar file: {detail}
	ICSUnreadable PCode = "ics_unreadable"
	// IDAgree: does not agree with the ID-card number
	IDAgree PCode = "id_agree"
	// IDBirth: the birth date is not a real date
	IDBirth PCode = "id_birth"
	// IDCheckDigit: the check digit does not match
	IDCheckDigit PCode = "id_check_digit"
	// IDDigit: character {n} must be a digit
	IDDigit PCode = "id_digit"
	// IDLast: the last character must be a digit or X
	IDLast PCode = "id_last"
	// IDLength: must be 18 characters, got {n}
	IDLength PCode = "id_length"
	// IDNumber: not a valid ID-card number: {why}
	IDNumber PCode = "id_number"
	// IDOrName: enter an ID-card number or the start of a name
	IDOrName PCode = "id_or_name"
	// IDRegion: the region code is not a province of China
	IDRegion PCode = "id_region"
	// IdemReused: was already used with a different request
	IdemReused PCode = "idem_reused"
	// ImagePixels: image is {width}×{height} pixels; at most {max} megapixels are accepted
	ImagePixels PCode = "image_pixels"
	// ImportCannotSeal: cannot seal the identifiers
	ImportCannotSeal PCode = "import_cannot_seal"
	// ImportCodeTwice: code {code} appears more than once (also feature {other})
	ImportCodeTwice PCode = "import_code_twice"
	// ImportDuplicateLine: duplicate of line {line} in this file
	ImportDuplicateLine PCode = "import_duplicate_line"
	// ImportNoCode: has no code (property missing or empty)
	ImportNoCode PCode = "import_no_code"
	// ImportNoGeometry: has no geometry
	ImportNoGeometry PCode = "import_no_geometry"
	// ImportNoPermission: permission {perm} required over {code}
	ImportNoPermission PCode = "import_no_permission"
	// ImportOutsideScope: already registered outside the scope of this import
	ImportOutsideScope PCode = "import_outside_scope"
	// ImportUnknownCode: unknown code {code}
	ImportUnknownCode PCode = "import_unknown_code"
	// Incorrect: incorrect
	Incorrect PCode = "incorrect"
	// IntRange: must be a whole number from {min} to {max}
	IntRange PCode = "int_range"
	// Integer: must be a whole number
	Integer PCode = "integer"
	// JSON: is not valid JSON
	JSON PCode = "json"
	// JSONType: must be {want}, not {got}
	JSONType PCode = "json_type"
	// KindNotHere: cannot be created under this unit
	KindNotHere PCode = "kind_not_here"
	// LevelLocked: cannot change the level or kind of a unit that has child units
	LevelLocked PCode = "level_locked"
	// LevelOfParent: must be {level}, the level of {code}
	LevelOfParent PCode = "level_of_parent"
	// LimitDetail: {detail}
	LimitDetail PCode = "limit_detail"
	// LowerIdent: must be at most 40 lowercase letters, digits and _
	LowerIdent PCode = "lower_ident"
	// LowerName: must be a lower-case name such as nation
	LowerName PCode = "lower_name"
	// MaxBytesRequired: is required, at most {n} bytes
	MaxBytesRequired PCode = "max_bytes_required"
	// MaxChars: at most {n} characters
	MaxChars PCode = "max_chars"
	// MaxCount: at most {n}
	MaxCount PCode = "max_count"
	// MeetingCase: must be one of the meeting's cases
	MeetingCase PCode = "meeting_case"
	// MeetingDecided: the meeting has a decision on this case already
	MeetingDecided PCode = "meeting_decided"
	// MembershipKind: the kind of a membership cannot change; end it and add another
	MembershipKind PCode = "membership_kind"
	// MinChars: at least {n} characters
	MinChars PCode = "min_chars"
	// MultipolygonArray: MultiPolygon coordinates must be an array of polygons of rings of [longitude, latitude] positions
	MultipolygonArray PCode = "multipolygon_array"
	// NoBoundaryHere: only a city, district, street or community has a boundary
	NoBoundaryHere PCode = "no_boundary_here"
	// NoDistrict: no district of city {city} in {file}
	NoDistrict PCode = "no_district"
	// NoGridRights: you may not change the grids of {code}
	NoGridRights PCode = "no_grid_rights"
	// NoSuchAssignment: no such assignment of this case
	NoSuchAssignment PCode = "no_such_assignment"
	// NoSuchCase: no such case
	NoSuchCase PCode = "no_such_case"
	// NoSuchHouse: no such house
	NoSuchHouse PCode = "no_such_house"
	// NoSuchOpenCase: no such open case
	NoSuchOpenCase PCode = "no_such_open_case"
	// NoSuchPerson: no such person
	NoSuchPerson PCode = "no_such_person"
	// NoSuchRole: no such role
	NoSuchRole PCode = "no_such_role"
	// NoSuchStaff: no such staff member
	NoSuchStaff PCode = "no_such_staff"
	// NoSuchSupervision: no such supervision of this case
	NoSuchSupervision PCode = "no_such_supervision"
	// NoSuchUnit: no such unit
	NoSuchUnit PCode = "no_such_unit"
	// NoUnitRights: you may not change units under {code}
	NoUnitRights PCode = "no_unit_rights"
	// NotBefore: must not be before {other}
	NotBefore PCode = "not_before"
	// NotCodeOf: is not a code of {table}
	NotCodeOf PCode = "not_code_of"
	// NotFieldOf: is not a field of {kind}
	NotFieldOf PCode = "not_field_of"
	// NotFoundNamed: {name} not found
	NotFoundNamed PCode = "not_found_named"
	// NotFuture: must not be in the future
	NotFuture PCode = "not_future"
	// NotGeojson: is not GeoJSON: {detail}
	NotGeojson PCode = "not_geojson"
	// NotGeojsonObject: is not a GeoJSON {kind}: {detail}
	NotGeojsonObject PCode = "not_geojson_object"
	// NotNegative: must not be negative
	NotNegative PCode = "not_negative"
	// NotSupervised: the case is not under supervision; name one
	NotSupervised PCode = "not_supervised"
	// Number: must be a number
	Number PCode = "number"
	// ObjectCodeDigits: must be 16 digits
	ObjectCodeDigits PCode = "object_code_digits"
	// OfficeParent: an office must sit under a department
	OfficeParent PCode = "office_parent"
	// OneOf: must be one of {values}
	OneOf PCode = "one_of"
	// OpenCaseID: the id of another open case
	OpenCaseID PCode = "open_case_id"
	// OutOfRange: must be a number between {min} and {max}
	OutOfRange PCode = "out_of_range"
	// OutsideArea: the location is outside the area served
	OutsideArea PCode = "outside_area"
	// OutsideGrids: location is outside every grid; choose a grid
	OutsideGrids PCode = "outside_grids"
	// OutsideScope: outside your scope
	OutsideScope PCode = "outside_scope"
	// ParentLevel: a {level} must sit under a {above} territory unit, not {code} ({parent} {kind})
	ParentLevel PCode = "parent_level"
	// PasswordMismatch: does not match the password
	PasswordMismatch PCode = "password_mismatch"
	// PeriodOrder: working period {value} is out of order, empty or outside the day
	PeriodOrder PCode = "period_order"
	// Periods: {value} is not a list of HH:MM-HH:MM periods such as 09:00-12:00,13:00-18:00
	Periods PCode = "periods"
	// Phone: not a mainland mobile (11 digits) or a landline with area code
	Phone PCode = "phone"
	// PhoneChars: phone may hold only digits, spaces, '-', '+' and brackets
	PhoneChars PCode = "phone_chars"
	// PhotoNotHere: the photo was not uploaded here; choose it again
	PhotoNotHere PCode = "photo_not_here"
	// PhotosNotHere: photos are not accepted here
	PhotosNotHere PCode = "photos_not_here"
	// PhotosOnly: only photos (JPEG, PNG, HEIC) are accepted
	PhotosOnly PCode = "photos_only"
	// PlatformScope: {code} is not {platform} itself, one of its departments or a lower platform
	PlatformScope PCode = "platform_scope"
	// PolygonArray: Polygon coordinates must be an array of rings of [longitude, latitude] positions
	PolygonArray PCode = "polygon_array"
	// PolygonCoordinates: {kind} coordinates: {detail}
	PolygonCoordinates PCode = "polygon_coordinates"
	// PolygonCrossing: polygon {n}: {ring} crosses {other} at about [{lng}, {lat}]
	PolygonCrossing PCode = "polygon_crossing"
	// PolygonNoRing: polygon {n} has no ring
	PolygonNoRing PCode = "polygon_no_ring"
	// PolygonNoRingAny: a polygon has no ring
	PolygonNoRingAny PCode = "polygon_no_ring_any"
	// PolygonProblem: polygon {n}: {problem}
	PolygonProblem PCode = "polygon_problem"
	// Positive: must be positive
	Positive PCode = "positive"
	// PositiveInt: must be a positive whole number
	PositiveInt PCode = "positive_int"
	// PrjDatum: the shapefile uses the geographic coordinate system "{name}"; only WGS 84 and CGCS2000 are accepted
	PrjDatum PCode = "prj_datum"
	// PrjNotGeographic: the .prj describes a {kind} "{name}", not a geographic coordinate system
	PrjNotGeographic PCode = "prj_not_geographic"
	// PrjNotWkt: the .prj is not a WKT coordinate system
	PrjNotWkt PCode = "prj_not_wkt"
	// PrjProjected: the shapefile is in the projected coordinate system "{name}"; export it in geographic WGS 84 (EPSG:4326) or CGCS2000 (EPSG:4490) longitude/latitude
	PrjProjected PCode = "prj_projected"
	// Radius: must be more than 0 and at most 1,000,000 metres
	Radius PCode = "radius"
	// ReasonRequired: a reason of at most 500 characters is required
	ReasonRequired PCode = "reason_required"
	// RecordProblem: record {n}: {problem}
	RecordProblem PCode = "record_problem"
	// RejectNote: give a note of at most 200 characters (required to reject)
	RejectNote PCode = "reject_note"
	// RelationCode: must be a GB/T 4761 relation code such as 02 (户主), 10 (配偶), 20 (子), 30 (女)
	RelationCode PCode = "relation_code"
	// Required: required
	Required PCode = "required"
	// RequiredFuture: is required, in the future
	RequiredFuture PCode = "required_future"
	// RequiredMaxChars: is required, at most {n} characters
	RequiredMaxChars PCode = "required_max_chars"
	// Responsible: name a responsible unit and/or person (staff_id or person_name)
	Responsible PCode = "responsible"
	// RingCrosses: crosses itself: edge {edge} (from [{lng1}, {lat1}]) meets edge {other} (from [{lng2}, {lat2}]) at about [{lng}, {lat}]
	RingCrosses PCode = "ring_crosses"
	// RingExterior: polygon {n}, exterior ring
	RingExterior PCode = "ring_exterior"
	// RingFewPositions: ring {n} has {count} positions; a closed ring needs at least 4
	RingFewPositions PCode = "ring_few_positions"
	// RingHole: polygon {n}, hole {hole}
	RingHole PCode = "ring_hole"
	// RingHoleN: hole {n}
	RingHoleN PCode = "ring_hole_n"
	// RingLatitude: ring {n} position {pos}: latitude {value} is outside -90..90
	RingLatitude PCode = "ring_latitude"
	// RingLongitude: ring {n} position {pos}: longitude {value} is outside -180..180
	RingLongitude PCode = "ring_longitude"
	// RingNotClosed: a ring must end where it starts
	RingNotClosed PCode = "ring_not_closed"
	// RingOpen: ring {n} is not closed: its first and last positions differ
	RingOpen PCode = "ring_open"
	// RingOuter: the exterior ring
	RingOuter PCode = "ring_outer"
	// RingPosition: position [{lng}, {lat}] is not a [longitude, latitude]
	RingPosition PCode = "ring_position"
	// RingPositionShape: ring {n} position {pos} must be [longitude, latitude]
	RingPositionShape PCode = "ring_position_shape"
	// RingPositions: needs at least 3 distinct positions, has {n}
	RingPositions PCode = "ring_positions"
	// RingRunsBack: crosses itself: it runs back over its own edges and passes through itself near [{lng}, {lat}]
	RingRunsBack PCode = "ring_runs_back"
	// RingTooShort: a ring needs at least 4 positions, has {n}
	RingTooShort PCode = "ring_too_short"
	// RingZeroArea: has zero area (its positions are collinear)
	RingZeroArea PCode = "ring_zero_area"
	// RoleName: 2–32 characters: lower-case letters, digits, '_' or '-', starting with a letter
	RoleName PCode = "role_name"
	// RolePath: must match the role name in the path (roles cannot be renamed)
	RolePath PCode = "role_path"
	// RoleRename: roles cannot be renamed
	RoleRename PCode = "role_rename"
	// SamePassword: must differ from the current password
	SamePassword PCode = "same_password"
	// SeveralOpen: several assignments are open for you; name one
	SeveralOpen PCode = "several_open"
	// SexCode: must be a GB/T 2261.1 code: 0 unknown, 1 male, 2 female, 9 unstated
	SexCode PCode = "sex_code"
	// ShapefileAmbiguous: {base} is missing and several files could stand for it: {files}
	ShapefileAmbiguous PCode = "shapefile_ambiguous"
	// ShpDbfCount: the .shp has {shapes} shapes but the .dbf {records} records
	ShpDbfCount PCode = "shp_dbf_count"
	// ShpHeader: the .shp is not a shapefile (bad header)
	ShpHeader PCode = "shp_header"
	// ShpTruncated: record {n}: truncated .shp
	ShpTruncated PCode = "shp_truncated"
	// ShpType: the shapefile holds shape type {type} ({name}); only polygons are accepted
	ShpType PCode = "shp_type"
	// Spaces: at most {n} characters, no spaces
	Spaces PCode = "spaces"
	// TerritoryLevel: is required for a territory unit
	TerritoryLevel PCode = "territory_level"
	// TextChars: must be at most {n} characters without control characters
	TextChars PCode = "text_chars"
	// Time: must be a time such as 2026-09-30T10:00:00+08:00 (RFC 3339)
	Time PCode = "time"
	// TimeLimit: {value} is not a time limit: {why} (use N followed by wh, wd, h or m, e.g. 4wh, 3wd, 24h, 90m)
	TimeLimit PCode = "time_limit"
	// TimeLimitRequired: required, e.g. 2wd
	TimeLimitRequired PCode = "time_limit_required"
	// Together: {fields} go together
	Together PCode = "together"
	// TooLarge: is larger than {size}
	TooLarge PCode = "too_large"
	// TooLargeKind: file is larger than {size}, the limit for {kind} files
	TooLargeKind PCode = "too_large_kind"
	// TooLong: is too long
	TooLong PCode = "too_long"
	// TooMany: too many
	TooMany PCode = "too_many"
	// TooManyFeatures: has more than {n} features
	TooManyFeatures PCode = "too_many_features"
	// UniqueLowerName: must be a unique lower-case name
	UniqueLowerName PCode = "unique_lower_name"
	// UnitCode: must be 1–32 letters, digits or hyphens
	UnitCode PCode = "unit_code"
	// UnknownBound: unknown {kind} {ref}
	UnknownBound PCode = "unknown_bound"
	// UnknownCase: no case with the number {ref}
	UnknownCase PCode = "unknown_case"
	// UnknownCategory: unknown category {code}
	UnknownCategory PCode = "unknown_category"
	// UnknownField: unknown field
	UnknownField PCode = "unknown_field"
	// UnknownFormField: unknown form field; send file and optionally purpose
	UnknownFormField PCode = "unknown_form_field"
	// UnknownGrid: unknown grid {code}
	UnknownGrid PCode = "unknown_grid"
	// UnknownPermissions: unknown permissions: {names}
	UnknownPermissions PCode = "unknown_permissions"
	// UnknownStaff: staff {id} does not exist
	UnknownStaff PCode = "unknown_staff"
	// UnknownStage: unknown stage (accept, sign, handle, verify)
	UnknownStage PCode = "unknown_stage"
	// UnknownUnit: unknown unit {code}
	UnknownUnit PCode = "unknown_unit"
	// UnknownValue: unknown value {value}
	UnknownValue PCode = "unknown_value"
	// UnknownWorkload: unknown workload {name} (case-create, case-lifecycle)
	UnknownWorkload PCode = "unknown_workload"
	// Unreadable: could not be read
	Unreadable PCode = "unreadable"
	// UnreadableDetail: could not be read: {detail}
	UnreadableDetail PCode = "unreadable_detail"
	// UploadFile: choose one .xlsx or .csv file
	UploadFile PCode = "upload_file"
	// URL: must be an http or https URL
	URL PCode = "url"
	// USCC: not a valid unified social credit code: {why}
	USCC PCode = "uscc"
	// USCCAuthority: position 1 is not a registration authority code
	USCCAuthority PCode = "uscc_authority"
	// USCCChar: character {n} is not one of 0-9A-HJ-NPQRTUWXY
	USCCChar PCode = "uscc_char"
	// USCCCheck: check character does not match
	USCCCheck PCode = "uscc_check"
	// USCCDivision: positions 3-8 must be an administrative division code
	USCCDivision PCode = "uscc_division"
	// USCCLength: must be 18 characters
	USCCLength PCode = "uscc_length"
	// USCCOrgCheck: organisation code (positions 9-17) fails its check character
	USCCOrgCheck PCode = "uscc_org_check"
	// UserOrWindow: give a user or a time window
	UserOrWindow PCode = "user_or_window"
	// Username: 2–32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit
	Username PCode = "username"
	// Version: must be dotted numbers such as 2026.1
	Version PCode = "version"
	// WeakPassword: use 3 of: lower case, upper case, digits, symbols
	WeakPassword PCode = "weak_password"
	// WhereProblem: {where}: {problem}
	WhereProblem PCode = "where_problem"
	// WindowDays: the window is at most {n} days
	WindowDays PCode = "window_days"
	// Year: must be a year between 1900 and 9999
	Year PCode = "year"
	// ZipManyShp: the zip holds {n} .shp files; upload one shapefile per zip
	ZipManyShp PCode = "zip_many_shp"
	// ZipNoDbf: the zip has {file} but no matching .dbf (attributes)
	ZipNoDbf PCode = "zip_no_dbf"
	// ZipNoShp: the zip holds no .shp file
	ZipNoShp PCode = "zip_no_shp"
	// ZipNot: not a zip archive: {detail}
	ZipNot PCode = "zip_not"
	// ZipOver: the zip holds more than the {max} MB allowed uncompressed
	ZipOver PCode = "zip_over"
	// ZipTooBig: the zip holds {size} MB uncompressed, more than the {max} MB allowed
	ZipTooBig PCode = "zip_too_big"
)

// ProblemCodes lists every field problem code.
var ProblemCodes = []PCode{
	After,
	AfterGcj,
	AlreadyUsedGrid,
	AlreadyUsedUnit,
	AttachmentGone,
	AttachmentUnknown,
	AttachmentsOff,
	BBox,
	BBoxOrder,
	BelowItself,
	BoundRequired,
	BoundaryBody,
	BoundaryGeometryType,
	BoundaryKind,
	BoundaryNoPolygon,
	BoundaryType,
	CalendarBoth,
	CalendarDayKind,
	CalendarJSON,
	CalendarJSONEmpty,
	CaptchaExpired,
	CaptchaUsed,
	CaptchaWrong,
	CatalogueUnit,
	CategoryCode,
	CategoryExists,
	CategoryNotHere,
	CharsBetween,
	ChildProblem,
	ChoosePermission,
	ChoosePerson,
	ChunkMismatch,
	ChunkOffset,
	ChunkPastSize,
	CityCode,
	CityNeedsParent,
	CoUnits,
	CodeNotCategory,
	CodeNotDistrict,
	CodeOfTable,
	CodeProperty,
	CodeRequiredOne,
	CodeTableNamed,
	CodeTableOnly,
	ColumnUnknownField,
	CommonPassword,
	CommunityNoBoundary,
	CommunityRequired,
	ControlChars,
	Coordinates,
	CountBetween,
	Cycle,
	Date,
	DateOrTime,
	DatePast,
	Datetime,
	DbfFields,
	DbfHeader,
	DbfShort,
	DbfTruncated,
	DeletedGrid,
	DeptParent,
	DeptSuffix,
	Detail,
	Digest,
	DuplicateCode,
	DuplicatesRow,
	DuplicatesUnitRow,
	EarlierCode,
	Email,
	Empty,
	ExportApproval,
	ExportApprovalFilter,
	ExportSize,
	FeatureGeometryMissing,
	FeatureNoGeometry,
	FeatureProblem,
	FeatureType,
	FenceID,
	FileContent,
	FileEmpty,
	FileMalformedType,
	FileNotAccepted,
	FileProblem,
	FileUnreadableType,
	GeojsonGeometry,
	GeojsonNot,
	GeojsonType,
	GeometryDetail,
	GridAbove,
	GridFixed,
	GridGeometry,
	GridLevel,
	GridOrUnit,
	GridOutsideArea,
	GridParentLevel,
	GridParentUnit,
	GridUnitKind,
	GroupKindOnly,
	HoleOutside,
	ICSDate,
	ICSEvent,
	ICSNone,
	ICSNot,
	ICSUnreadable,
	IDAgree,
	IDBirth,
	IDCheckDigit,
	IDDigit,
	IDLast,
	IDLength,
	IDNumber,
	IDOrName,
	IDRegion,
	IdemReused,
	ImagePixels,
	ImportCannotSeal,
	ImportCodeTwice,
	ImportDuplicateLine,
	ImportNoCode,
	ImportNoGeometry,
	ImportNoPermission,
	ImportOutsideScope,
	ImportUnknownCode,
	Incorrect,
	IntRange,
	Integer,
	JSON,
	JSONType,
	KindNotHere,
	LevelLocked,
	LevelOfParent,
	LimitDetail,
	LowerIdent,
	LowerName,
	MaxBytesRequired,
	MaxChars,
	MaxCount,
	MeetingCase,
	MeetingDecided,
	MembershipKind,
	MinChars,
	MultipolygonArray,
	NoBoundaryHere,
	NoDistrict,
	NoGridRights,
	NoSuchAssignment,
	NoSuchCase,
	NoSuchHouse,
	NoSuchOpenCase,
	NoSuchPerson,
	NoSuchRole,
	NoSuchStaff,
	NoSuchSupervision,
	NoSuchUnit,
	NoUnitRights,
	NotBefore,
	NotCodeOf,
	NotFieldOf,
	NotFoundNamed,
	NotFuture,
	NotGeojson,
	NotGeojsonObject,
	NotNegative,
	NotSupervised,
	Number,
	ObjectCodeDigits,
	OfficeParent,
	OneOf,
	OpenCaseID,
	OutOfRange,
	OutsideArea,
	OutsideGrids,
	OutsideScope,
	ParentLevel,
	PasswordMismatch,
	PeriodOrder,
	Periods,
	Phone,
	PhoneChars,
	PhotoNotHere,
	PhotosNotHere,
	PhotosOnly,
	PlatformScope,
	PolygonArray,
	PolygonCoordinates,
	PolygonCrossing,
	PolygonNoRing,
	PolygonNoRingAny,
	PolygonProblem,
	Positive,
	PositiveInt,
	PrjDatum,
	PrjNotGeographic,
	PrjNotWkt,
	PrjProjected,
	Radius,
	ReasonRequired,
	RecordProblem,
	RejectNote,
	RelationCode,
	Required,
	RequiredFuture,
	RequiredMaxChars,
	Responsible,
	RingCrosses,
	RingExterior,
	RingFewPositions,
	RingHole,
	RingHoleN,
	RingLatitude,
	RingLongitude,
	RingNotClosed,
	RingOpen,
	RingOuter,
	RingPosition,
	RingPositionShape,
	RingPositions,
	RingRunsBack,
	RingTooShort,
	RingZeroArea,
	RoleName,
	RolePath,
	RoleRename,
	SamePassword,
	SeveralOpen,
	SexCode,
	ShapefileAmbiguous,
	ShpDbfCount,
	ShpHeader,
	ShpTruncated,
	ShpType,
	Spaces,
	TerritoryLevel,
	TextChars,
	Time,
	TimeLimit,
	TimeLimitRequired,
	Together,
	TooLarge,
	TooLargeKind,
	TooLong,
	TooMany,
	TooManyFeatures,
	UniqueLowerName,
	UnitCode,
	UnknownBound,
	UnknownCase,
	UnknownCategory,
	UnknownField,
	UnknownFormField,
	UnknownGrid,
	UnknownPermissions,
	UnknownStaff,
	UnknownStage,
	UnknownUnit,
	UnknownValue,
	UnknownWorkload,
	Unreadable,
	UnreadableDetail,
	UploadFile,
	URL,
	USCC,
	USCCAuthority,
	USCCChar,
	USCCCheck,
	USCCDivision,
	USCCLength,
	USCCOrgCheck,
	UserOrWindow,
	Username,
	Version,
	WeakPassword,
	WhereProblem,
	WindowDays,
	Year,
	ZipManyShp,
	ZipNoDbf,
	ZipNoShp,
	ZipNot,
	ZipOver,
	ZipTooBig,
}
