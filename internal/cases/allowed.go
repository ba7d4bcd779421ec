package cases

import (
	"context"

	"gridgov/internal/actor"
	"gridgov/internal/rbac"
)

// offerView is what the offer of an action is decided on: the case with its
// assignments and extensions, the actor, and the units looked up so far.
type offerView struct {
	ctx   context.Context
	s     *Service
	a     *actor.Actor
	c     caseRow
	asgs  []Assignment
	exts  []Extension
	units map[string]unitRow
}

// unit loads a unit once; a unit that cannot be loaded has no path.
func (v *offerView) unit(code string) unitRow {
	u, ok := v.units[code]
	if !ok {
		u, _ = v.s.st.unit(v.ctx, code, "unit_code")
		v.units[code] = u
	}
	return u
}

// at reports whether the actor holds perm over the unit code.
func (v *offerView) at(perm rbac.Permission, code string) bool {
	p := v.unit(code).Path
	return p != "" && rbac.Can(v.a, perm, p)
}

// allowed lists the actions the actor may take on a case now: those of
// Workflow whose rule the case and the actor meet. The transitions check
// the same rules, so the console shows only buttons that work.
func (s *Service) allowed(ctx context.Context, c caseRow, asgs []Assignment, exts []Extension) []Action {
	v := &offerView{ctx: ctx, s: s, a: actor.From(ctx), c: c, asgs: asgs, exts: exts, units: map[string]unitRow{}}
	out := []Action{}
	for _, r := range Workflow() {
		if r.offered(v) {
			out = append(out, r.Action)
		}
	}
	return out
}

// offered reports whether the rule lets the actor take its action now.
func (r Rule) offered(v *offerView) bool {
	if !r.AppliesTo(v.c.Status) || (r.Guard == NotSupervised && v.c.Supervised) {
		return false
	}
	if r.Reporter && isReporter(v.a, v.c) {
		return true
	}
	if r.Over == OverSupervisor {
		return rbac.HasAnywhere(v.a, r.Perm)
	}
	for _, code := range r.units(v) {
		if v.at(r.Perm, code) {
			return true
		}
	}
	return false
}

// units lists the units of the case the rule's relation names, where its
// guard holds; the actor needs the permission over one of them.
func (r Rule) units(v *offerView) []string {
	switch r.Over {
	case OverTerritory:
		return []string{v.c.UnitCode}
	case OverHolder:
		st := v.c.Status
		if st == StatusSuspended {
			st = v.c.ResumeStatus
		}
		h := holderOf(v.c, st, v.asgs)
		if r.Guard == HasParent && v.unit(h).Parent == "" {
			return nil
		}
		return []string{h}
	case OverDispatcher:
		if v.c.Status == StatusReported {
			return []string{v.c.CurrentUnitCode}
		}
		return r.assignees(v)
	case OverAssignee:
		return r.assignees(v)
	case OverAssigner:
		var out []string
		for _, e := range v.exts {
			for _, x := range v.asgs {
				if e.Status == ExtPending && x.ID == e.AssignmentID {
					out = append(out, x.FromUnitCode)
				}
			}
		}
		return out
	}
	return nil
}

// assignees lists the units of the assignments the rule works on.
func (r Rule) assignees(v *offerView) []string {
	var out []string
	for _, x := range v.asgs {
		if !r.worksOn(x) {
			continue
		}
		if r.Guard == CoHandlersDone && x.Lead && pendingCoHandler(v.asgs) != nil {
			continue
		}
		if r.Guard == NoPendingExtension && pendingExtension(v.exts, x.ID) {
			continue
		}
		out = append(out, x.UnitCode)
	}
	return out
}

// isReporter reports whether a is the user who filed the case.
func isReporter(a *actor.Actor, c caseRow) bool {
	return a != nil && a.UserID != 0 && a.UserID == c.ReporterID
}

// pendingCoHandler returns a co-handler whose feedback the lead's waits for.
func pendingCoHandler(asgs []Assignment) *Assignment {
	for i, o := range asgs {
		if !o.Lead && (o.Status == AsgAssigned || o.Status == AsgHandling || o.Status == AsgDispatched) {
			return &asgs[i]
		}
	}
	return nil
}

// pendingExtension reports whether assignment asg has an extension request
// waiting for a decision.
func pendingExtension(exts []Extension, asg int64) bool {
	for _, e := range exts {
		if e.AssignmentID == asg && e.Status == ExtPending {
			return true
		}
	}
	return false
}
