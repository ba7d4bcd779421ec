package registry

import "context"

// LogAccess records that the acting user was shown the people ids in the
// given way (AccessList, AccessSearchHit …) in person_access, with ref
// naming the request or audit entry; another module that discloses
// people (the key-group map layer) calls it so that "who looked at this
// person" stays complete. With no ids it writes nothing.
func (s *Service) LogAccess(ctx context.Context, action string, ids []int64, ref string) error {
	if ref == "" {
		ref = requestRef(ctx)
	}
	return s.logAccess(ctx, action, ids, ref)
}
