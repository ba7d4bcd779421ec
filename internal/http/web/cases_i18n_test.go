package web

import (
	"io/fs"
	"strings"
	"testing"

	"gridgov/internal/cases"
)

// TestCaseCatalogue checks the messages the case pages build from the
// loop's statuses, actions, sources, stages and inbox tasks, which the
// template scan of TestCatalogue cannot see, in both languages.
func TestCaseCatalogue(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range cases.Statuses {
		keys = append(keys, "case.status."+string(s))
	}
	for _, a := range []cases.Action{cases.ActCreate, cases.ActReport, cases.ActEscalate, cases.ActReject,
		cases.ActMerge, cases.ActAssign, cases.ActSign, cases.ActReturn, cases.ActRequestExtension,
		cases.ActDecideExtension, cases.ActFeedback, cases.ActVerify, cases.ActSuspend, cases.ActResume,
		cases.ActSupervise} {
		keys = append(keys, "case.action."+string(a))
		if a != cases.ActCreate {
			keys = append(keys, "flash.case_"+string(a))
		}
	}
	for _, s := range cases.Sources {
		keys = append(keys, "case.source."+string(s))
	}
	for _, o := range []cases.Overdue{cases.Green, cases.Yellow, cases.Red} {
		keys = append(keys, "case.overdue."+string(o))
	}
	for _, st := range []string{cases.StageAccept, cases.StageSign, cases.StageHandle, cases.StageVerify} {
		keys = append(keys, "case.stage."+st)
	}
	for _, s := range []cases.AssignmentStatus{cases.AsgAssigned, cases.AsgHandling, cases.AsgFeedback,
		cases.AsgDispatched, cases.AsgReturned, cases.AsgDone, cases.AsgCancelled} {
		keys = append(keys, "asg.status."+string(s))
	}
	for _, task := range inboxTasks {
		keys = append(keys, "inbox.task."+task)
	}
	for _, l := range languages {
		for _, k := range keys {
			if _, ok := cat[l][k]; !ok {
				t.Errorf("%s: no message for %q", l, k)
			}
		}
	}
}

// TestGroupInbox keeps the task order and drops empty groups.
func TestGroupInbox(t *testing.T) {
	items := []cases.InboxItem{{Task: "verify"}, {Task: "sign"}, {Task: "sign"}, {Task: "later"}}
	got := groupInbox(items)
	want := []struct {
		task string
		n    int
	}{{"sign", 2}, {"verify", 1}, {"later", 1}}
	if len(got) != len(want) {
		t.Fatalf("got %d groups, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Task != w.task || len(got[i].Items) != w.n {
			t.Errorf("group %d: got %s×%d, want %s×%d", i, got[i].Task, len(got[i].Items), w.task, w.n)
		}
	}
}

// TestWorkflowInConsole checks the console against the loop's table: every
// action has a form reader, a form on the case page, a label and a flash
// in both languages, and every step a timeline may show has a label.
func TestWorkflowInConsole(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	page, err := fs.ReadFile(content, "templates/cases_view.html")
	if err != nil {
		t.Fatal(err)
	}
	forms := (&server{}).actionForms()
	rules := cases.Workflow()
	if len(forms) != len(rules) {
		t.Errorf("console forms: got %d, want one per action of the loop (%d)", len(forms), len(rules))
	}
	for _, r := range rules {
		if forms[r.Action] == nil {
			t.Errorf("%s: no console form reader", r.Action)
		}
		if !strings.Contains(string(page), `index $d.Allowed "`+string(r.Action)+`"`) {
			t.Errorf("%s: the case page has no form for it", r.Action)
		}
		for _, l := range languages {
			if _, ok := cat[l]["flash.case_"+string(r.Action)]; !ok {
				t.Errorf("%s: no %s message flash.case_%s", r.Action, l, r.Action)
			}
		}
	}
	for _, act := range cases.StepActions() {
		for _, l := range languages {
			if msg := cat[l]["case.action."+string(act)]; msg == "" {
				t.Errorf("%s: no %s label case.action.%s", act, l, act)
			}
		}
	}
}
