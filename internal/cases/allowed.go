package cases

import (
	"context"

	"gridgov/internal/actor"
	"gridgov/internal/rbac"
)

// allowed lists the actions the actor may take on a case now. It mirrors
// the checks of the transitions, so the console shows only buttons that
// work; the transitions still decide.
func (s *Service) allowed(ctx context.Context, c caseRow, asgs []Assignment, exts []Extension) []Action {
	a := actor.From(ctx)
	paths := map[string]string{}
	at := func(perm rbac.Permission, code string) bool {
		p, ok := paths[code]
		if !ok {
			p, _ = s.st.unitPath(ctx, code, "unit_code")
			paths[code] = p
		}
		return p != "" && rbac.Can(a, perm, p)
	}
	out := []Action{}
	add := func(ok bool, act Action) {
		if ok {
			out = append(out, act)
		}
	}
	holder := holderOf(c, c.Status, asgs)
	switch c.Status {
	case StatusCollected:
		add(a.UserID == c.ReporterID || at(PermCaseCreate, c.UnitCode), ActReport)
	case StatusReported:
		d := at(PermCaseDispatch, c.CurrentUnitCode)
		for _, act := range []Action{ActAssign, ActEscalate, ActReject, ActMerge, ActSuspend} {
			add(d, act)
		}
	case StatusAssigned, StatusHandling:
		out = append(out, s.handlerActions(asgs, at)...)
		add(at(PermCaseDispatch, holder), ActSuspend)
	case StatusFeedback:
		add(a.UserID == c.ReporterID || at(PermCaseDispatch, holder), ActVerify)
	case StatusSuspended:
		add(at(PermCaseDispatch, holderOf(c, c.ResumeStatus, asgs)), ActResume)
	}
	if c.Status.Open() {
		for _, e := range exts {
			if e.Status != ExtPending {
				continue
			}
			for _, x := range asgs {
				if x.ID == e.AssignmentID && at(PermCaseDispatch, x.FromUnitCode) {
					add(true, ActDecideExtension)
				}
			}
		}
		add(rbac.HasAnywhere(a, PermCaseSupervise) && !c.Supervised, ActSupervise)
	}
	return dedupActions(out)
}

// handlerActions lists what the actor may do on the case's assignments.
func (s *Service) handlerActions(asgs []Assignment, at func(rbac.Permission, string) bool) []Action {
	var out []Action
	for _, x := range asgs {
		if !at(PermCaseHandle, x.UnitCode) {
			if (x.Status == AsgAssigned || x.Status == AsgHandling) && at(PermCaseDispatch, x.UnitCode) {
				out = append(out, ActAssign)
			}
			continue
		}
		switch x.Status {
		case AsgAssigned:
			out = append(out, ActSign, ActReturn, ActRequestExtension)
		case AsgHandling:
			out = append(out, ActFeedback, ActReturn, ActRequestExtension)
		}
		if (x.Status == AsgAssigned || x.Status == AsgHandling) && at(PermCaseDispatch, x.UnitCode) {
			out = append(out, ActAssign)
		}
	}
	return out
}

func dedupActions(in []Action) []Action {
	seen := map[Action]bool{}
	out := make([]Action, 0, len(in))
	for _, a := range in {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
