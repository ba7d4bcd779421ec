package registry

import "gridgov/internal/seal"

// MaskForList reduces a person to what lists, search answers and exports
// show (PRIV-3): birth date as the year only, current and household
// registration addresses cut at building level. The identifiers stay
// masked as stored. The detail view and the edit form do not use it.
func (p *Person) MaskForList() {
	p.BirthDate = seal.MaskBirthDate(p.BirthDate)
	p.Address = seal.MaskAddress(p.Address)
	p.HukouAddress = seal.MaskAddress(p.HukouAddress)
}
