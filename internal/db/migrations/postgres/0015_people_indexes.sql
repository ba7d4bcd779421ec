-- Most people are in no recorded household or house and many have no
-- phone: index those columns only where they are set, so that bulk
-- imports do not write an index entry per person for nothing.
DROP INDEX people_household;
DROP INDEX people_house;
DROP INDEX people_phone;
CREATE INDEX people_household ON people(household_id) WHERE household_id IS NOT NULL;
CREATE INDEX people_house ON people(house_id) WHERE house_id IS NOT NULL;
CREATE INDEX people_phone ON people(phone_bidx) WHERE phone_bidx IS NOT NULL;
