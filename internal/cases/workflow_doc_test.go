package cases_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"gridgov/internal/cases"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the loop's table in docs/cases.md")

const (
	docPath  = "../../docs/cases.md"
	docBegin = "<!-- workflow table: written from internal/cases/workflow.go by `go test ./internal/cases -run TestWorkflowDoc -update-docs` -->\n"
	docEnd   = "<!-- end of workflow table -->"
)

// TestWorkflowDoc checks that docs/cases.md shows the loop's table as
// workflow.go declares it.
func TestWorkflowDoc(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, docBegin), strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no workflow table between %q and %q", docPath, docBegin, docEnd)
	}
	want := workflowTable()
	if got := doc[i+len(docBegin) : j]; got != want {
		if !*updateDocs {
			t.Fatalf("docs/cases.md shows another loop than workflow.go; run with -update-docs. Want:\n%s", want)
		}
		if err := os.WriteFile(docPath, []byte(doc[:i+len(docBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// workflowTable renders Workflow as a Markdown table.
func workflowTable() string {
	var sb strings.Builder
	sb.WriteString("| action | moves | who may take it | also needs | note | deadline | API |\n")
	sb.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range cases.Workflow() {
		var moves []string
		for _, m := range r.Moves {
			s := string(m.From) + " → " + string(m.To)
			if m.When != "" {
				s += " (" + m.When + ")"
			}
			moves = append(moves, s)
		}
		who := fmt.Sprintf("`%s` over the %s", r.Perm, r.Over)
		if len(r.Asg) > 0 {
			var sts []string
			for _, st := range r.Asg {
				sts = append(sts, string(st))
			}
			who += " (assignments " + strings.Join(sts, ", ") + ")"
		}
		if r.Reporter {
			who += ", or the reporter"
		}
		guard := "—"
		if r.Guard != cases.NoGuard {
			guard = string(r.Guard)
		}
		body := r.InputType().Name()
		if r.Body {
			body += ", required"
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s | %s | %s | `POST /cases/{id}/%s` (%s) |\n", r.Action,
			strings.Join(moves, "; "), who, guard, r.Note, r.Deadline, r.Route, body)
	}
	return sb.String()
}
