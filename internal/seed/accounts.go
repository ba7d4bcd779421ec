package seed

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/org"
)

// Character classes of generated passwords; look-alikes (0/O, 1/l/I) are left
// out so the password can be read off a screen.
const (
	lowerChars  = "abcdefghijkmnopqrstuvwxyz"
	upperChars  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	digitChars  = "23456789"
	symbolChars = "#%+-=@^_~"
	// PasswordLength is the length of generated passwords.
	PasswordLength = 20
)

// GeneratePassword returns a random password of PasswordLength characters
// holding every class (lower, upper, digit, symbol), which passes the
// mlps3 policy.
func GeneratePassword() (string, error) {
	classes := []string{lowerChars, upperChars, digitChars, symbolChars}
	all := strings.Join(classes, "")
	for range 100 {
		b := make([]byte, PasswordLength)
		for i := range b {
			set := all
			if i < len(classes) {
				set = classes[i] // one of each class, shuffled below
			}
			c, err := pick(set)
			if err != nil {
				return "", err
			}
			b[i] = c
		}
		if err := shuffle(b); err != nil {
			return "", err
		}
		// A random draw may still contain a blocked word such as "admin".
		if auth.CheckPassword(auth.PolicyMLPS3, "admin", string(b)) == nil {
			return string(b), nil
		}
	}
	return "", apperr.New(apperr.Internal, "could not generate a password")
}

func pick(set string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, apperr.Wrap(err, "random")
	}
	return set[n.Int64()], nil
}

func shuffle(b []byte) error {
	for i := len(b) - 1; i > 0; i-- {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return apperr.Wrap(err, "random")
		}
		j := n.Int64()
		b[i], b[j] = b[j], b[i]
	}
	return nil
}

// AdminName returns the demo administrator account of a unit: "admin" for
// the city, "admin-<code>" for a district.
func AdminName(unitCode string) string {
	if unitCode == CityCode {
		return "admin"
	}
	return "admin-" + unitCode
}

// accounts creates the city administrator and one administrator per
// district, each a staff member of their unit holding the admin role over it.
func (s *seeder) accounts(ctx context.Context, password string) error {
	units := append([]org.UnitInput{s.set.City}, s.set.Districts...)
	for _, u := range units {
		name := AdminName(u.Code)
		// Every account belongs to a person: the platform administrator on
		// the unit's staff.
		person, err := s.deps.Org.CreateStaff(ctx, org.StaffInput{Name: s.names.Name(), Phone: s.names.Phone(),
			Position: "平台管理员", UnitCode: u.Code})
		if err != nil {
			return fmt.Errorf("staff of account %s: %w", name, err)
		}
		s.res.Staff[org.NoTeam]++
		_, err = s.deps.Auth.CreateUser(ctx, auth.UserInput{
			Username: name, DisplayName: u.Name + "管理员", Password: password, UnitCode: u.Code,
			StaffID: &person.ID, Grants: []auth.GrantInput{{Role: auth.RoleAdmin, ScopeCode: u.Code}},
		})
		if err != nil {
			return fmt.Errorf("account %s: %w", name, err)
		}
		s.res.Users = append(s.res.Users, name)
		s.res.Accounts = append(s.res.Accounts, Account{Username: name, UnitCode: u.Code, UnitName: u.Name})
	}
	return nil
}
