package web

import (
	"io/fs"
	"strings"
	"testing"

	"gridgov/internal/cases"
)

// TestWorkflowInConsole checks the console against the loop's table: every
// action has a form reader, a form on the case page, a label and a flash
// in both languages, and every step a timeline may show has a label.
func TestWorkflowInConsole(t *testing.T) {
	cat, err := loadCatalogues(content)
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
