package transfer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

// expImport imports n people (numbered from first) into grid g.
func expImport(t *testing.T, f *peopleFixture, first, n int, g string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(impHeader)
	for i := first; i < first+n; i++ {
		_ = w.Write(impRow(i, g))
	}
	w.Flush()
	p := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	job, err := f.reg.ImportPeople(f.sys, p, transfer.ImportOptions{UnitCode: "410105"})
	if err != nil || job.Inserted != n {
		t.Fatalf("import: %+v %v", job, err)
	}
}

// expUser acts as user id of unit code holding perms over the unit.
func expUser(id int64, code string, perms ...rbac.Permission) context.Context {
	m := map[string]bool{}
	for _, p := range perms {
		m[p] = true
	}
	return actor.With(context.Background(), &actor.Actor{UserID: id, Username: "user" + string(rune('0'+id%10)),
		UnitCode: code, Grants: []actor.Grant{{Role: "r", ScopeCode: code, ScopePath: ppPath(code), Perms: m}}})
}

func expCount(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("%s: got %v (%s), want %s", what, err, apperr.CodeOf(err), code)
	}
}

var expPerms = []rbac.Permission{registry.PermRead, registry.PermExport}

func TestExportApprovalFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		expImport(t, f, 0, 1001, gridJBL)
		// The requester also holds export_approve: still not over their own request.
		req := expUser(101, "410105001", append(expPerms, transfer.PermExportApprove)...)
		approver := expUser(102, "410105", append(expPerms, transfer.PermExportApprove)...)
		outsider := expUser(103, "410102", transfer.PermExportApprove)

		var out bytes.Buffer
		_, err := f.reg.ExportPeople(req, registry.PeopleFilter{}, &out, "xlsx")
		wantCode(t, "1001 rows without a reason", err, apperr.Invalid)
		res, err := f.reg.Export(req, transfer.ExportInput{Format: "xlsx", Reason: "社区人口核查"}, &out)
		if err != nil || res.Request == nil || res.Request.Status != transfer.ExportPending || res.Request.Rows != 1001 {
			t.Fatalf("1001 rows: %+v %v", res, err)
		}
		if out.Len() != 0 {
			t.Fatalf("a pending export wrote %d bytes", out.Len())
		}
		id := res.Request.ID
		_, err = f.reg.DownloadExport(req, id, &out, nil)
		wantCode(t, "download while pending", err, apperr.Conflict)
		_, err = f.reg.ApproveExport(req, id, "")
		wantCode(t, "requester approves", err, apperr.Forbidden)
		_, err = f.reg.ApproveExport(outsider, id, "")
		wantCode(t, "approver out of scope", err, apperr.NotFound)
		_, err = f.reg.ExportRequestByID(outsider, id)
		wantCode(t, "outsider reads", err, apperr.NotFound)
		_, err = f.reg.ApproveExport(expUser(104, "410105", expPerms...), id, "")
		wantCode(t, "approve without the permission", err, apperr.Forbidden)

		list, total, err := f.reg.ExportRequests(approver, transfer.ExportListFilter{Status: transfer.ExportPending})
		if err != nil || total != 1 || !list[0].CanApprove {
			t.Fatalf("approver's list: %+v %d %v", list, total, err)
		}
		got, err := f.reg.ApproveExport(approver, id, "同意")
		if err != nil || got.Status != transfer.ExportApproved || got.ExpiresAt == nil ||
			!got.ExpiresAt.Equal(f.clk.Now().Add(24*time.Hour)) {
			t.Fatalf("approve: %+v %v", got, err)
		}
		_, err = f.reg.RejectExport(approver, id, "晚了")
		wantCode(t, "reject after approval", err, apperr.Conflict)
		_, err = f.reg.DownloadExport(approver, id, &out, nil)
		wantCode(t, "download by the approver", err, apperr.NotFound)

		var began transfer.Watermark
		dl, err := f.reg.DownloadExport(req, id, &out, func(m transfer.Watermark) { began = m })
		if err != nil || dl.Rows != 1001 || began.Ref != "export:"+itoa(id) {
			t.Fatalf("download: %+v %+v %v", dl, began, err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows("人员")
		if len(rows) != 1002 {
			t.Fatalf("xlsx rows %d, want 1002 (header + 1001)", len(rows))
		}
		props, err := x.GetDocProps()
		if err != nil || props.Creator != began.User || props.Identifier != began.Ref {
			t.Fatalf("doc props %+v %v, want creator %s identifier %s", props, err, began.User, began.Ref)
		}
		hf, err := x.GetHeaderFooter("人员")
		if err != nil || !strings.Contains(hf.OddHeader, began.Ref) || !strings.Contains(hf.OddFooter, began.User) ||
			!strings.Contains(hf.OddHeader, began.At.In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04")) {
			t.Fatalf("header/footer %+v %v", hf, err)
		}
		if n := expCount(t, d, `SELECT COUNT(DISTINCT person_id) FROM person_access WHERE action = ? AND ref = ? AND user_id = ?`,
			registry.AccessExport, began.Ref, 101); n != 1001 {
			t.Fatalf("person_access export rows %d, want 1001", n)
		}
		_, err = f.reg.DownloadExport(req, id, &bytes.Buffer{}, nil)
		wantCode(t, "second download", err, apperr.Conflict)
		got, _ = f.reg.ExportRequestByID(req, id)
		if got.Status != transfer.ExportDownloaded || got.DownloadedAt == nil {
			t.Fatalf("after download: %+v", got)
		}
		for _, action := range []string{"registry.export_request", "registry.export_approve", "registry.export_download"} {
			if n := expCount(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_id = ? AND result = 'success'`,
				action, itoa(id)); n != 1 {
				t.Fatalf("audit %s: %d entries", action, n)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestExportExpiryRejectAndGrowth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		f.with(transfer.WithApprovalThreshold(10))
		expImport(t, f, 0, 20, gridJBL)
		req := expUser(201, "410105001", expPerms...)
		approver := expUser(202, "410105", transfer.PermExportApprove)
		ask := func() int64 {
			t.Helper()
			res, err := f.reg.Export(req, transfer.ExportInput{Format: "csv", Reason: "月度核查"}, &bytes.Buffer{})
			if err != nil || res.Request == nil || res.Request.Rows != 20 {
				t.Fatalf("request: %+v %v", res, err)
			}
			return res.Request.ID
		}
		res, err := f.reg.Export(req, transfer.ExportInput{Format: "csv", Reason: "短"}, &bytes.Buffer{})
		wantCode(t, "reason too short", err, apperr.Invalid)
		if res.Request != nil {
			t.Fatal("a request with a bad reason was created")
		}

		// Expiry: an approval is valid 24 h.
		expiring := ask()
		if _, err := f.reg.ApproveExport(approver, expiring, ""); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(24*time.Hour + time.Second)
		_, err = f.reg.DownloadExport(req, expiring, &bytes.Buffer{}, nil)
		wantCode(t, "download after 24 h", err, apperr.Conflict)
		list, _, err := f.reg.ExportRequests(req, transfer.ExportListFilter{Status: transfer.ExportExpired})
		if err != nil || len(list) != 1 || list[0].ID != expiring || list[0].CanDownload {
			t.Fatalf("expired list: %+v %v", list, err)
		}

		// A request left undecided for 7 days expires: it cannot be
		// approved and lists as expired, no longer as pending.
		stale := ask()
		f.clk.Advance(transfer.ExportPendingTTL + time.Second)
		_, err = f.reg.ApproveExport(approver, stale, "")
		wantCode(t, "approve after 7 days", err, apperr.Conflict)
		pending, _, err := f.reg.ExportRequests(approver, transfer.ExportListFilter{Status: transfer.ExportPending})
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending list after 7 days: %+v %v", pending, err)
		}
		if got, err := f.reg.ExportRequestByID(req, stale); err != nil || got.Status != transfer.ExportExpired {
			t.Fatalf("stale request: %+v %v", got, err)
		}

		// Rejected: a note is required, and it is not downloadable.
		rejected := ask()
		_, err = f.reg.RejectExport(approver, rejected, " ")
		wantCode(t, "reject without a note", err, apperr.Invalid)
		if got, err := f.reg.RejectExport(approver, rejected, "理由不充分"); err != nil || got.Status != transfer.ExportRejected {
			t.Fatalf("reject: %+v %v", got, err)
		}
		_, err = f.reg.DownloadExport(req, rejected, &bytes.Buffer{}, nil)
		wantCode(t, "download rejected", err, apperr.Conflict)
		if n := expCount(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'registry.export_reject' AND object_id = ?`,
			itoa(rejected)); n != 1 {
			t.Fatalf("reject audited %d times", n)
		}

		// Growth: 20 approved, 23 now (more than 10% above) is refused; 22 passes.
		grown := ask()
		if _, err := f.reg.ApproveExport(approver, grown, ""); err != nil {
			t.Fatal(err)
		}
		expImport(t, f, 20, 3, gridJBL)
		_, err = f.reg.DownloadExport(req, grown, &bytes.Buffer{}, nil)
		wantCode(t, "download of 23 approved for 20", err, apperr.Conflict)
		if _, err := d.Exec(context.Background(), `UPDATE people SET deleted_at = created_at WHERE id IN
			(SELECT id FROM people ORDER BY id DESC LIMIT 1)`); err != nil {
			t.Fatal(err)
		}
		var csvOut bytes.Buffer
		var mark transfer.Watermark
		dl, err := f.reg.DownloadExport(req, grown, &csvOut, func(m transfer.Watermark) { mark = m })
		if err != nil || dl.Rows != 22 {
			t.Fatalf("download of 22 approved for 20: %+v %v", dl, err)
		}
		if name := mark.FileName("csv"); !strings.Contains(name, "export-"+itoa(grown)) || !strings.HasSuffix(name, ".csv") ||
			!strings.Contains(name, mark.User) {
			t.Fatalf("csv file name %q carries no watermark", name)
		}
	})
}

func TestExportUnderThresholdLogsAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		f.with(transfer.WithApprovalThreshold(5))
		expImport(t, f, 0, 5, gridJBL)
		expImport(t, f, 5, 3, gridHHL)
		ctx := expUser(301, "410105001001", expPerms...)
		var out bytes.Buffer
		res, err := f.reg.Export(ctx, transfer.ExportInput{Format: "xlsx"}, &out)
		if err != nil || res.Request != nil || res.Rows != 5 || !strings.HasPrefix(res.Mark.Ref, "audit:") {
			t.Fatalf("export of 5 at threshold 5: %+v %v", res, err)
		}
		if n := expCount(t, d, `SELECT COUNT(*) FROM person_access WHERE action = 'export' AND ref = ? AND user_id = 301`,
			res.Mark.Ref); n != 5 {
			t.Fatalf("person_access rows %d, want 5", n)
		}
		x, err := excelize.OpenReader(&out)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := x.GetDocProps(); p == nil || p.Identifier != res.Mark.Ref {
			t.Fatalf("doc props %+v, want identifier %s", p, res.Mark.Ref)
		}
		// Rows are masked as in lists: the birth date (column 4) is a year.
		rows, _ := x.GetRows("人员")
		if len(rows) != 6 || len(rows[1]) < 4 || !strings.HasSuffix(rows[1][3], "-**-**") {
			t.Fatalf("exported rows %q, want a header, 5 people and birth years", rows)
		}
		// The system actor (CLI) is never bound by the threshold.
		if n, err := f.reg.ExportPeople(f.sys, registry.PeopleFilter{}, &bytes.Buffer{}, "csv"); err != nil || n != 8 {
			t.Fatalf("system export: %d %v", n, err)
		}
		_, err = f.reg.ExportPeople(expUser(302, "410105", expPerms...), registry.PeopleFilter{}, &bytes.Buffer{}, "csv")
		wantCode(t, "8 rows at threshold 5 without a reason", err, apperr.Invalid)
	})
}
