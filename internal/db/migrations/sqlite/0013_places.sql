-- Roster entries carry a data source, a field verification time and an
-- optimistic-lock version like every other base-data record; components and
-- houses get the indexes the map's bounding-box queries use.
ALTER TABLE roster_entries ADD COLUMN source TEXT NOT NULL DEFAULT 'own' CHECK (source IN ('base','shared','own'));
ALTER TABLE roster_entries ADD COLUMN verified_at TIMESTAMP;
ALTER TABLE roster_entries ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX components_latlng ON components(lat, lng);
CREATE INDEX houses_latlng ON houses(lat, lng);
