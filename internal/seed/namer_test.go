package seed

import "testing"

// TestNamerDeterministic checks that two demos generate the same people.
func TestNamerDeterministic(t *testing.T) {
	a, b := newNamer(), newNamer()
	for i := range 1000 {
		na, pa := a.Name(), a.Phone()
		nb, pb := b.Name(), b.Phone()
		if na != nb || pa != pb {
			t.Fatalf("person %d: %s %s then %s %s, want the same", i, na, pa, nb, pb)
		}
	}
}

func TestShare(t *testing.T) {
	grids := []string{"a", "b", "c", "d", "e"}
	got := [][]string{share(grids, 0, 2), share(grids, 1, 2)}
	if len(got[0]) != 3 || got[0][2] != "e" || len(got[1]) != 2 || got[1][0] != "b" {
		t.Errorf("shares = %v, want [a c e] and [b d]", got)
	}
}
