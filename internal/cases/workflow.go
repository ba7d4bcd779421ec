package cases

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"gridgov/internal/rbac"
)

// Rule declares one action of the loop: the statuses it applies to and
// where each leads (Moves), who may take it (Perm over the unit Over names,
// or the case's reporter), what further condition it needs (Guard), its
// input, whether a note is required, how it sets the stage deadline
// (deadline.go) and its API route. The transitions check their status and
// permission through it, the allowed-actions list is computed from it, and
// the API and console handlers are built from it.
type Rule struct {
	Action Action
	// Moves lists, for every status the action applies to, the statuses
	// the case may be in afterwards (the same status when it stays).
	Moves []Move
	// Perm is the permission the actor needs over a unit Over names.
	Perm rbac.Permission
	Over Relation
	// Asg are the statuses of the assignments the action works on, for
	// OverAssignee and OverDispatcher.
	Asg []AssignmentStatus
	// Reporter lets the case's reporter take the action without Perm.
	Reporter bool
	Guard    Guard
	Note     NoteRule
	Deadline DeadlineRule
	// Route is the API endpoint, POST /api/v1/cases/{id}/<Route>; Body
	// says whether it needs a request body.
	Route string
	Body  bool
	input input
}

// Move is one status change an action may make; When says when it does.
type Move struct {
	From, To Status
	When     string
}

// Relation names the unit of a case over which an action's permission is
// checked.
type Relation string

// The relations of the actor's unit to a case.
const (
	// OverTerritory is the unit where the case happened (its grid's unit).
	OverTerritory Relation = "territory"
	// OverHolder is the platform holding the case: the intake platform
	// while it is collected or reported, else the platform that assigned
	// the lead (for a suspended case, as in the status it was suspended
	// from); see holderOf.
	OverHolder Relation = "holder"
	// OverAssignee is the unit of one of the case's assignments in Asg.
	OverAssignee Relation = "assignee"
	// OverDispatcher is the intake platform while the case is reported,
	// else the unit of an assignment in Asg (dispatching further down).
	OverDispatcher Relation = "dispatcher"
	// OverAssigner is the platform that gave the assignment an extension
	// is pending on.
	OverAssigner Relation = "assigner"
	// OverSupervisor is the supervising unit the input names; the action
	// is offered to an actor holding Perm anywhere.
	OverSupervisor Relation = "supervisor"
)

// Guard is a further condition of an action, beyond status and permission.
type Guard string

// The guards.
const (
	NoGuard Guard = ""
	// HasParent: the holding platform has a platform above it.
	HasParent Guard = "has_parent"
	// CoHandlersDone: the lead's feedback waits for every co-handler's.
	CoHandlersDone Guard = "co_handlers_done"
	// NoPendingExtension: one extension request at a time per assignment.
	NoPendingExtension Guard = "no_pending_extension"
	// NotSupervised: one open supervision at a time.
	NotSupervised Guard = "not_supervised"
)

// NoteRule says when an action's note is required.
type NoteRule string

// The note rules.
const (
	NoteOptional NoteRule = "optional"
	NoteRequired NoteRule = "required"
	// NoteOnRefusal: required when the verification fails or the extension
	// is refused.
	NoteOnRefusal NoteRule = "on_refusal"
)

// openStatuses lists the statuses of a case still being worked.
var openStatuses = []Status{StatusCollected, StatusReported, StatusAssigned, StatusHandling,
	StatusFeedback, StatusSuspended}

// stays lists a move to the same status for each of sts.
func stays(when string, sts ...Status) []Move {
	out := make([]Move, len(sts))
	for i, st := range sts {
		out[i] = Move{st, st, when}
	}
	return out
}

// Workflow is the loop: every action a case offers (Case.AllowedActions).
// The steps written elsewhere — create, meeting_assign (a concluded joint
// meeting) and accountability (a supervision's 问责 record) — are in
// otherRules.
func Workflow() []Rule {
	return []Rule{
		{Action: ActReport, Moves: []Move{{StatusCollected, StatusReported, ""}},
			Perm: PermCaseCreate, Over: OverTerritory, Reporter: true, Note: NoteOptional,
			Deadline: DeadlineStage, Route: "report", input: takes((*Service).Report)},
		{Action: ActEscalate, Moves: stays("to the parent platform", StatusReported),
			Perm: PermCaseDispatch, Over: OverHolder, Guard: HasParent, Note: NoteRequired,
			Deadline: DeadlineStage, Route: "escalate", input: takes((*Service).Escalate)},
		{Action: ActReject, Moves: []Move{{StatusReported, StatusRejected, ""}},
			Perm: PermCaseDispatch, Over: OverHolder, Note: NoteRequired,
			Deadline: DeadlineClear, Route: "reject", input: takes((*Service).Reject)},
		{Action: ActMerge, Moves: []Move{{StatusReported, StatusMerged, ""}},
			Perm: PermCaseDispatch, Over: OverHolder, Note: NoteOptional,
			Deadline: DeadlineClear, Route: "merge", input: takes((*Service).Merge)},
		{Action: ActAssign, Moves: []Move{{StatusReported, StatusAssigned, "at intake"},
			{StatusAssigned, StatusAssigned, "further down"}, {StatusHandling, StatusAssigned, "further down the lead's chain"},
			{StatusHandling, StatusHandling, "further down a co-handler's share"}},
			Perm: PermCaseDispatch, Over: OverDispatcher, Asg: []AssignmentStatus{AsgAssigned, AsgHandling},
			Note: NoteOptional, Deadline: DeadlineAssign, Route: "assign", input: takes((*Service).Assign)},
		{Action: ActSign, Moves: []Move{{StatusAssigned, StatusHandling, "the lead signs"},
			{StatusAssigned, StatusAssigned, "a co-handler signs"}, {StatusHandling, StatusHandling, "a co-handler signs"}},
			Perm: PermCaseHandle, Over: OverAssignee, Asg: []AssignmentStatus{AsgAssigned}, Note: NoteOptional,
			Deadline: DeadlineSign, Route: "sign", input: takes((*Service).Sign)},
		{Action: ActReturn, Moves: append([]Move{{StatusAssigned, StatusReported, "the lead returns"},
			{StatusHandling, StatusReported, "the lead returns"}},
			stays("a co-handler returns", StatusAssigned, StatusHandling)...),
			Perm: PermCaseHandle, Over: OverAssignee, Asg: []AssignmentStatus{AsgAssigned, AsgHandling},
			Note: NoteRequired, Deadline: DeadlineStage, Route: "return", input: takes((*Service).Return)},
		{Action: ActRequestExtension, Moves: stays("", StatusAssigned, StatusHandling),
			Perm: PermCaseHandle, Over: OverAssignee, Asg: []AssignmentStatus{AsgAssigned, AsgHandling},
			Guard: NoPendingExtension, Note: NoteRequired, Deadline: DeadlineNone,
			Route: "extension", Body: true, input: takes((*Service).RequestExtension)},
		{Action: ActDecideExtension, Moves: stays("", openStatuses...),
			Perm: PermCaseDispatch, Over: OverAssigner, Note: NoteOnRefusal, Deadline: DeadlineExtend,
			Route: "extension/{ext}/decision", Body: true, input: takes(decideExtension)},
		{Action: ActFeedback, Moves: []Move{{StatusHandling, StatusFeedback, "the lead feeds back"},
			{StatusAssigned, StatusAssigned, "a co-handler feeds back"}, {StatusHandling, StatusHandling, "a co-handler feeds back"}},
			Perm: PermCaseHandle, Over: OverAssignee, Asg: []AssignmentStatus{AsgHandling}, Guard: CoHandlersDone,
			Note: NoteRequired, Deadline: DeadlineStage, Route: "feedback", input: takes((*Service).Feedback)},
		{Action: ActVerify, Moves: []Move{{StatusFeedback, StatusClosed, "pass"}, {StatusFeedback, StatusHandling, "fail: rework"}},
			Perm: PermCaseDispatch, Over: OverHolder, Reporter: true, Note: NoteOnRefusal,
			Deadline: DeadlineVerify, Route: "verify", input: takes((*Service).Verify)},
		{Action: ActSuspend, Moves: []Move{{StatusReported, StatusSuspended, ""}, {StatusAssigned, StatusSuspended, ""},
			{StatusHandling, StatusSuspended, ""}},
			Perm: PermCaseDispatch, Over: OverHolder, Note: NoteRequired, Deadline: DeadlineStop,
			Route: "suspend", input: takes((*Service).Suspend)},
		{Action: ActResume, Moves: []Move{{StatusSuspended, StatusReported, "as suspended"},
			{StatusSuspended, StatusAssigned, "as suspended"}, {StatusSuspended, StatusHandling, "as suspended"}},
			Perm: PermCaseDispatch, Over: OverHolder, Note: NoteOptional, Deadline: DeadlineRestart,
			Route: "resume", input: takes((*Service).Resume)},
		{Action: ActSupervise, Moves: stays("", openStatuses...),
			Perm: PermCaseSupervise, Over: OverSupervisor, Guard: NotSupervised, Note: NoteOptional,
			Deadline: DeadlineNone, Route: "supervise", input: takes((*Service).Supervise)},
	}
}

// otherRules are the steps other flows write through the same machinery
// (mutate): they are never offered as actions of the case itself.
func otherRules() []Rule {
	return []Rule{
		{Action: ActMeetingAssign, Moves: []Move{{StatusReported, StatusAssigned, "a joint meeting decided"}},
			Perm: PermCaseDispatch, Over: OverHolder, Note: NoteOptional, Deadline: DeadlineAssign},
		{Action: ActAccountability, Moves: stays("", Statuses...),
			Perm: PermCaseSupervise, Over: OverSupervisor, Note: NoteRequired, Deadline: DeadlineNone},
	}
}

// StepActions lists every action a case's history may show: create, the
// actions of Workflow and the steps of other flows.
func StepActions() []Action {
	out := []Action{ActCreate}
	for _, r := range append(Workflow(), otherRules()...) {
		out = append(out, r.Action)
	}
	return out
}

// rulesByAction indexes Workflow and otherRules.
func rulesByAction() map[Action]Rule {
	m := map[Action]Rule{}
	for _, r := range append(Workflow(), otherRules()...) {
		m[r.Action] = r
	}
	return m
}

// RuleOf returns the rule of an action the case may offer.
func RuleOf(act Action) (Rule, bool) {
	for _, r := range Workflow() {
		if r.Action == act {
			return r, true
		}
	}
	return Rule{}, false
}

// AppliesTo reports whether the action may be taken in status st.
func (r Rule) AppliesTo(st Status) bool {
	return slices.ContainsFunc(r.Moves, func(m Move) bool { return m.From == st })
}

// Leads reports whether the action may move a case from one status to
// another.
func (r Rule) Leads(from, to Status) bool {
	return slices.ContainsFunc(r.Moves, func(m Move) bool { return m.From == from && m.To == to })
}

// worksOn reports whether the action works on assignment a (Asg).
func (r Rule) worksOn(a Assignment) bool { return slices.Contains(r.Asg, a.Status) }

// input is how an action's input is made and run: the API decodes a body
// into NewInput's value, the console fills it from a form, and Service.Do
// hands it to the transition.
type input struct {
	typ reflect.Type
	run func(s *Service, ctx context.Context, id int64, in any) (any, error)
}

// takes adapts a transition method with input T.
func takes[T, R any](m func(*Service, context.Context, int64, T) (R, error)) input {
	return input{typ: reflect.TypeFor[T](), run: func(s *Service, ctx context.Context, id int64, in any) (any, error) {
		return m(s, ctx, id, *in.(*T))
	}}
}

// decideExtension is DecideExtension with the extension named in the input.
func decideExtension(s *Service, ctx context.Context, id int64, in ExtensionDecision) (Case, error) {
	return s.DecideExtension(ctx, id, in.ExtensionID, in)
}

// InputType is the Go type of the action's input.
func (r Rule) InputType() reflect.Type { return r.input.typ }

// NewInput returns a pointer to a fresh input of the action, for Do.
func (r Rule) NewInput() any { return reflect.New(r.input.typ).Interface() }

// Do takes action act on case id with in, a pointer from the rule's
// NewInput. It answers what the transition returns: the case as changed,
// or the record the action created (an extension request).
func (s *Service) Do(ctx context.Context, act Action, id int64, in any) (any, error) {
	r, ok := RuleOf(act)
	if !ok || reflect.TypeOf(in) != reflect.PointerTo(r.input.typ) {
		return nil, fmt.Errorf("cases: no action %s taking %T", act, in)
	}
	return r.input.run(s, ctx, id, in)
}
