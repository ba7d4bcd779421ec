package cases_test

import (
	"testing"

	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// BenchmarkCreateCase measures filing a case through the service: grid,
// category, deadline, number, scope unit, step, notice and audit entry.
func BenchmarkCreateCase(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			d := dbtest.Open(b, e)
			benchCreate(b, d, newFixture(b, d))
		})
	}
}

func benchCreate(b *testing.B, _ *db.DB, f *fixture) {
	ctx := as("410105001001", worker...)
	in := cases.CaseCreate{CategoryCode: "E010101", Description: "路边有暴露垃圾", GridCode: "G410105001001"}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := f.svc.CreateCase(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
