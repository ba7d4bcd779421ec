package server

import (
	"context"
	"strconv"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/cases"
	"gridgov/internal/clock"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
)

// TestScheduledJobRunsOnceOnTwoNodes: two servers on one database, each
// with its own jobs runner, poll at the same moment when a case is past
// its limit: the overdue scan runs on one of them, and the case gets one
// overdue notice per channel, not two.
func TestScheduledJobRunsOnceOnTwoNodes(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			nodes := newNodes(t, engine, 2)
			sys := actor.With(context.Background(), actor.SystemActor("test"))
			orgtest.Build(t, sys, nodes[0].app.Org)
			c, _, err := nodes[0].app.Cases.CreateCase(orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseCreate),
				cases.CaseCreate{CategoryCode: "E010101", Description: "路边有暴露垃圾", GridCode: orgtest.GridJBL,
					Address: "经八路与黄河路交叉口", Source: cases.SourcePatrol})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range nodes {
				if err := n.app.Jobs.Sync(sys); err != nil {
					t.Fatal(err)
				}
			}
			nodes[0].app.Clock.(*clock.Fake).Advance(7 * 24 * time.Hour) // past any accept limit
			clk := nodes[0].app.Clock.(*clock.Fake)
			poll := func() int {
				gate, got := make(chan struct{}), make(chan int, len(nodes))
				for _, n := range nodes {
					go func() {
						<-gate
						k, err := n.app.Jobs.RunDue(context.Background())
						if err != nil {
							t.Error(err)
						}
						got <- k
					}()
				}
				close(gate)
				return <-got + <-got
			}
			if runs := poll(); runs != 3 {
				t.Fatalf("runs %d on two nodes, want each of the 3 jobs once", runs)
			}
			clk.Advance(time.Minute)
			if runs := poll(); runs != 1 {
				t.Fatalf("the next minute: %d runs, want the overdue scan once", runs)
			}
			byChannel := map[string]int{}
			msgs, err := nodes[1].app.Cases.Outbox(sys, c.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Kind == cases.OutboxOverdue {
					byChannel[m.Channel]++
				}
			}
			if byChannel[cases.ChannelInApp] != 1 || byChannel[cases.ChannelSMS] != 1 {
				t.Fatalf("overdue notices %v, want one in-app and one SMS", byChannel)
			}
			var audited int
			if err := nodes[1].app.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
				WHERE action = 'case.overdue' AND object_id = ?`, strconv.FormatInt(c.ID, 10)).Scan(&audited); err != nil || audited != 1 {
				t.Fatalf("case.overdue audit entries %d (%v), want 1", audited, err)
			}
			runs, err := nodes[1].app.Jobs.Runs(sys, "cases.overdue", 0)
			if err != nil || len(runs) != 2 || runs[1].Summary["red"] != 1 || runs[0].Summary["red"] != 0 {
				t.Fatalf("overdue runs %+v (%v), want the first to turn the case red, the second nothing", runs, err)
			}
		})
	}
}
