package transfer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

// services is the registry with its import and export service, so that a
// test calls both as f.reg.
type services struct {
	*transferService
	*registryService
}

type (
	transferService = transfer.Service
	registryService = registry.Service
)

// newServices builds the registry and the transfer service over it.
func newServices(d *db.DB, log *audit.Log, clk clock.Clock, sealer *seal.Sealer, opts ...transfer.Option) *services {
	reg := registry.NewService(d, log, clk, sealer, nil)
	return &services{transfer.NewService(d, log, clk, reg, opts...), reg}
}

// peopleFixture is 郑州市 with 金水区 (a street with two communities) and
// 中原区 (one community), a grid in each community, and the services.
type peopleFixture struct {
	d   *db.DB
	reg *services
	clk *clock.Fake
	log *audit.Log
	sys context.Context
}

func newPeopleFixture(t testing.TB, d *db.DB) *peopleFixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	seal, err := seal.NewSealer(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &peopleFixture{d: d, clk: clk, log: log, sys: sys, reg: newServices(d, log, clk, seal)}
}

// with replaces the fixture's services by ones with the same key built
// with opts as well.
func (f *peopleFixture) with(opts ...transfer.Option) {
	f.reg = newServices(f.d, f.log, f.clk, f.reg.Sealer(), opts...)
}

// ppPath builds the org path of a fixture unit.
func ppPath(code string) string { return orgtest.Path(code) }

// The fixture's grids.
const (
	gridJBL = orgtest.GridJBL // 经八路社区
	gridHHL = orgtest.GridHHL // 黄河路社区
	gridLSZ = orgtest.GridLSZ // 林山寨社区 (中原区)
)
