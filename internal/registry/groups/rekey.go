package groups

import (
	"context"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// ActKindRekey is the audit action of a group kind whose key flag changed
// with a new version of the group-kind code table.
const ActKindRekey = "group_kind.key_changed"

// kindKeys returns the key flag of every group kind of a stored version
// of the group-kind table.
func (s *Service) kindKeys(ctx context.Context, version string) (map[string]bool, error) {
	keys, err := s.st.kindKeys(ctx, version)
	if err != nil {
		return nil, apperr.Wrap(err, "group kinds")
	}
	return keys, nil
}

// rekeyKind applies a kind's new key flag to its open memberships (their
// key_group and version) and re-syncs people.key_group of their people,
// in ctx's transaction, audited once for the kind. A kind that becomes
// key puts its members behind registry.keygroup; one that stops being
// key releases those with no other key-group membership.
func (s *Service) rekeyKind(ctx context.Context, kind string, key bool, version string) error {
	people, n, err := s.st.rekeyMembers(ctx, kind, key, s.now())
	if err != nil {
		return apperr.Wrap(err, "group members")
	}
	for _, id := range people {
		if err := s.syncKeyGroup(ctx, id); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, audit.Entry{Action: ActKindRekey, ObjectType: "group_kind", ObjectID: kind,
		Detail: map[string]any{"key": key, "version": version, "memberships": n, "people": len(people)}})
}
