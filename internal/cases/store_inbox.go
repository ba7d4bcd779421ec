package cases

import (
	"context"
	"fmt"

	"gridgov/internal/db"
)

// inList renders "col IN (…)" for codes; nil codes match every row, an
// empty list none.
func inList(col string, codes []string) (string, []any) {
	if codes == nil {
		return "1=1", nil
	}
	if len(codes) == 0 {
		return "1=0", nil
	}
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	return col + " IN (" + placeholders(len(codes)) + ")", args
}

// inbox lists the work waiting for a user: intake and verification at the
// dispatch units, signing and handling at the handle units, own drafts.
func (st store) inbox(ctx context.Context, userID int64, dispatch, handle []string, limit int) ([]InboxItem, error) {
	out := []InboxItem{}
	dIn, dArgs := inList("c.current_unit_code", dispatch)
	hIn, hArgs := inList("a.unit_code", handle)
	queries := []struct {
		task, sql string
		args      []any
	}{
		{"report", `SELECT ` + caseCols + `, 0, c.current_unit_code` + caseFrom +
			` WHERE c.status = 'collected' AND c.reporter_id = ?`, []any{userID}},
		{"accept", `SELECT ` + caseCols + `, 0, c.current_unit_code` + caseFrom +
			` WHERE c.status = 'reported' AND ` + dIn, dArgs},
		{"verify", `SELECT ` + caseCols + `, 0, c.current_unit_code` + caseFrom +
			` WHERE c.status = 'feedback' AND (` + dIn + ` OR c.reporter_id = ?)`, append(append([]any{}, dArgs...), userID)},
		{"sign", `SELECT ` + caseCols + `, a.id, a.unit_code` + caseFrom +
			` JOIN case_assignments a ON a.case_id = c.id WHERE a.status = 'assigned' AND ` + hIn, hArgs},
		{"handle", `SELECT ` + caseCols + `, a.id, a.unit_code` + caseFrom +
			` JOIN case_assignments a ON a.case_id = c.id WHERE a.status = 'handling' AND c.status IN ('assigned', 'handling') AND ` + hIn, hArgs},
	}
	for _, q := range queries {
		items, err := db.Collect(ctx, st.db, func(sc db.Scanner) (InboxItem, error) {
			var it InboxItem
			r, err := scanCase(sc, &it.AssignmentID, &it.ForUnitCode)
			it.Case, it.Task = r.Case, q.task
			return it, err
		}, q.sql+` ORDER BY c.deadline, c.id LIMIT ?`, append(q.args, limit)...)
		if err != nil {
			return nil, fmt.Errorf("inbox %s: %w", q.task, err)
		}
		out = append(out, items...)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
