package cases_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
)

// Sizes of the property run: cases filed, actions tried.
const (
	propCases = 8
	propSteps = 160
)

// TestWorkflowProperty drives random cases through random actions by
// random actors of the test territory: every action the case offers the
// actor (allowed_actions) succeeds with some valid input, every other is
// refused without changing the case, and every change is a move of the
// action's rule with the deadline its rule says. GRIDGOV_PROPERTY_SEED
// replays a run.
func TestWorkflowProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("GRIDGOV_PROPERTY_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		t.Logf("seed %d (GRIDGOV_PROPERTY_SEED replays it)", seed)
		p := &prop{f: newFixture(t, d), rng: rand.New(rand.NewPCG(seed, 11)),
			done: map[cases.Action]int{}}
		p.cat = must(p.f.svc.Category(p.f.sys, "E010101"))
		for range propCases {
			p.file(t)
		}
		for i := range propSteps {
			p.step(t, i)
		}
		t.Logf("actions taken: %v", p.done)
		if p.moves < propSteps/5 || len(p.done) < 6 {
			t.Errorf("%d of %d steps moved a case, %d kinds of action; the run explores too little",
				p.moves, propSteps, len(p.done))
		}
	})
}

type prop struct {
	f     *fixture
	rng   *rand.Rand
	cat   cases.Category
	pool  []propCase
	moves int
	done  map[cases.Action]int
}

type propCase struct {
	id       int64
	reporter context.Context
}

// roles an actor may hold over its unit's subtree.
var propRoles = [][]rbac.Permission{platform, handler, dispatcher, worker, allCase,
	{cases.PermCaseRead, cases.PermCaseSupervise}}

// file adds a case in a random grid, reported or kept as a draft.
func (p *prop) file(t *testing.T) {
	g := orgtest.Grids[p.rng.IntN(len(orgtest.Grids))]
	rep := as(g.UnitCode, worker...)
	report := p.rng.IntN(5) > 0
	c := created(p.f.svc.CreateCase(rep, cases.CaseCreate{CategoryCode: "E010101", Description: "暴露垃圾",
		GridCode: g.Code, Report: &report}))
	p.pool = append(p.pool, propCase{c.ID, rep})
}

// actor picks the reporter, or a new user with a random role of a random
// unit: most of the time one of the units the case names (where it is, who
// holds it, its assignments), so that the run gets somewhere.
func (p *prop) actor(pc propCase, c cases.Case) context.Context {
	if p.rng.IntN(6) == 0 {
		return pc.reporter
	}
	code := orgtest.Units[p.rng.IntN(len(orgtest.Units))].Code
	if near := caseUnits(c); p.rng.IntN(4) > 0 {
		code = near[p.rng.IntN(len(near))]
	}
	return as(code, propRoles[p.rng.IntN(len(propRoles))]...)
}

// caseUnits lists the units a case names.
func caseUnits(c cases.Case) []string {
	out := []string{c.UnitCode, c.CurrentUnitCode}
	for _, a := range c.Assignments {
		out = append(out, a.UnitCode, a.FromUnitCode)
	}
	return out
}

// step tries one random action on a random case as a random actor.
func (p *prop) step(t *testing.T, i int) {
	k := p.rng.IntN(len(p.pool))
	pc := p.pool[k]
	before := must(p.f.svc.CaseByID(p.f.sys, pc.id))
	if !before.Status.Open() {
		p.file(t) // keep the pool busy: a finished case makes room
		p.pool[k] = p.pool[len(p.pool)-1]
		p.pool = p.pool[:len(p.pool)-1]
		return
	}
	ctx := p.actor(pc, before)
	var offered []cases.Action
	if view, err := p.f.svc.CaseByID(ctx, pc.id); err == nil {
		offered = view.AllowedActions
	} else {
		wantCode(t, err, apperr.NotFound)
	}
	rules := cases.Workflow()
	for _, act := range offered {
		if r, _ := cases.RuleOf(act); !r.AppliesTo(before.Status) {
			t.Fatalf("step %d: %s offered while %s; its rule does not apply there", i, act, before.Status)
		}
	}
	rule := rules[p.rng.IntN(len(rules))]
	if len(offered) > 0 && p.rng.IntN(3) > 0 {
		rule, _ = cases.RuleOf(offered[p.rng.IntN(len(offered))])
		if ends(rule) && p.rng.IntN(3) > 0 {
			// Let cases live longer, to reach the later stages.
			rule, _ = cases.RuleOf(offered[p.rng.IntN(len(offered))])
		}
	}
	ins := p.inputs(ctx, rule, before)
	if len(ins) == 0 {
		return // merge with no other open case the actor sees
	}
	// Time moves on every step, so a stage entered now starts later than
	// the one before.
	p.f.clk.Advance(time.Duration(1+p.rng.IntN(90)) * time.Minute)
	now := p.f.clk.Now()
	var done bool
	for _, in := range ins {
		_, err := p.f.svc.Do(ctx, rule.Action, pc.id, in)
		if err == nil {
			done = true
			break
		}
		if c := apperr.CodeOf(err); c != apperr.Conflict && c != apperr.Forbidden && c != apperr.NotFound && c != apperr.Invalid {
			t.Fatalf("step %d: %s on a %s case: got %v, want a refusal", i, rule.Action, before.Status, err)
		}
		if after := must(p.f.svc.CaseByID(p.f.sys, pc.id)); after.Version != before.Version {
			t.Fatalf("step %d: refused %s (%v) changed the case to v%d", i, rule.Action, err, after.Version)
		}
	}
	isOffered := slices.Contains(offered, rule.Action)
	switch {
	case isOffered && !done:
		t.Fatalf("step %d: %s offered on a %s case (%s) but every input was refused", i, rule.Action,
			before.Status, actorOf(ctx))
	case !isOffered && done:
		t.Fatalf("step %d: %s not offered on a %s case (%s, offered %v) but it succeeded", i, rule.Action,
			before.Status, actorOf(ctx), offered)
	case done:
		p.moves++
		p.done[rule.Action]++
		after := must(p.f.svc.CaseByID(p.f.sys, pc.id))
		t.Logf("step %d: case %d %s by %s: %s → %s", i, pc.id, rule.Action, actorOf(ctx), before.Status, after.Status)
		p.checkMove(t, i, rule, before, after, now)
	}
}

// ends reports whether the rule can finish a case at intake.
func ends(r cases.Rule) bool {
	return r.Leads(cases.StatusReported, cases.StatusRejected) || r.Leads(cases.StatusReported, cases.StatusMerged)
}

func actorOf(ctx context.Context) string {
	a := actor.From(ctx)
	var perms []string
	for perm := range a.Grants[0].Perms {
		perms = append(perms, perm)
	}
	slices.Sort(perms)
	return a.UnitCode + " " + strings.Join(perms, ",")
}

// inputs lists valid inputs of the action for the case: one for each
// assignment, extension or merge target it could name, with a platform's
// own unit or a unit below it as the lead of an assignment.
func (p *prop) inputs(ctx context.Context, r cases.Rule, c cases.Case) []any {
	note := cases.Transition{Note: "处理意见"}
	var out []any
	switch r.Action {
	case cases.ActMerge:
		for _, o := range p.pool {
			if into, err := p.f.svc.CaseByID(ctx, o.id); err == nil && o.id != c.ID && into.Status.Open() {
				out = append(out, &cases.MergeInput{Transition: note, IntoID: o.id})
			}
		}
	case cases.ActAssign:
		out = append(out, p.assign(0, c.CurrentUnitCode))
		for _, a := range c.Assignments {
			out = append(out, p.assign(a.ID, a.UnitCode))
		}
	case cases.ActSign, cases.ActReturn, cases.ActFeedback, cases.ActRequestExtension:
		ids := []int64{0}
		for _, a := range c.Assignments {
			ids = append(ids, a.ID)
		}
		for _, id := range ids {
			hi := cases.HandlerInput{Transition: note, AssignmentID: id}
			if r.Action == cases.ActRequestExtension {
				out = append(out, &cases.ExtensionRequest{HandlerInput: hi, Limit: "2wd"})
			} else {
				out = append(out, &hi)
			}
		}
	case cases.ActDecideExtension:
		for _, e := range c.Extensions {
			out = append(out, &cases.ExtensionDecision{Transition: note, Approve: p.rng.IntN(2) == 0, ExtensionID: e.ID})
		}
		if len(out) == 0 {
			out = append(out, &cases.ExtensionDecision{Transition: note, Approve: true, ExtensionID: 1})
		}
	case cases.ActVerify:
		out = append(out, &cases.VerifyInput{Transition: note, Pass: p.rng.IntN(3) > 0})
	case cases.ActSupervise:
		out = append(out, &cases.SuperviseInput{SupervisorUnitCode: actor.From(ctx).UnitCode,
			Deadline: p.f.clk.Now().Add(72 * time.Hour), Reason: "群众反映强烈"})
	default:
		out = append(out, &note)
	}
	return out
}

// assign dispatches from an assignment (0: intake) of platform to the
// platform itself or a unit below it, sometimes with a co-handler.
func (p *prop) assign(from int64, platform string) *cases.AssignInput {
	var below []string
	for _, u := range orgtest.Units {
		if u.Code != platform && strings.HasPrefix(orgtest.Path(u.Code), orgtest.Path(platform)) {
			below = append(below, u.Code)
		}
	}
	in := &cases.AssignInput{Transition: cases.Transition{Note: "请处理"}, LeadUnitCode: platform, FromAssignmentID: from}
	p.rng.Shuffle(len(below), func(i, j int) { below[i], below[j] = below[j], below[i] })
	if len(below) > 0 && p.rng.IntN(2) == 0 {
		in.LeadUnitCode, below = below[0], below[1:]
	}
	if len(below) > 0 && p.rng.IntN(3) == 0 {
		in.CoUnitCodes = []string{below[0]}
	}
	return in
}

// checkMove fails unless the change from before to after is a move of the
// rule, with the stage deadline the rule's DeadlineRule gives.
func (p *prop) checkMove(t *testing.T, i int, r cases.Rule, before, after cases.Case, now time.Time) {
	t.Helper()
	if !r.Leads(before.Status, after.Status) {
		t.Fatalf("step %d: %s moved a case from %s to %s; its rule has no such move", i, r.Action, before.Status, after.Status)
	}
	if after.Version != before.Version+1 {
		t.Fatalf("step %d: %s: version %d → %d, want one step", i, r.Action, before.Version, after.Version)
	}
	limit := func(stage string) *time.Time {
		if p.cat.Limits[stage] == "" {
			return nil
		}
		dl := must(calendar.Default().DeadlineFor(now, p.cat.Limits[stage])).UTC().Truncate(time.Microsecond)
		return &dl
	}
	restarted := !after.StageStartedAt.Equal(before.StageStartedAt)
	var want *time.Time
	switch {
	case r.Deadline == cases.DeadlineClear || r.Deadline == cases.DeadlineStop ||
		r.Deadline == cases.DeadlineVerify && after.Status == cases.StatusClosed:
		want = nil
	case !restarted && r.Deadline != cases.DeadlineExtend:
		want = before.Deadline
	case r.Deadline == cases.DeadlineStage || r.Deadline == cases.DeadlineRestart || r.Deadline == cases.DeadlineVerify ||
		r.Deadline == cases.DeadlineAssign:
		want = limit(after.Stage)
	case r.Deadline == cases.DeadlineSign:
		want = after.HandleDeadline
	default:
		return // an extension moves the deadline by the limit it grants
	}
	if !sameTime(after.Deadline, want) {
		t.Fatalf("step %d: %s (%s, stage %s → %s): deadline %v, want %v", i, r.Action, r.Deadline,
			before.Stage, after.Stage, after.Deadline, want)
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
