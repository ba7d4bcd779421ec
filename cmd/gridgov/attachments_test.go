package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAttachmentsPurge(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		a := cliApp(t, flags)
		ctx := context.Background()
		insert := func(key string, age time.Duration) int64 {
			t.Helper()
			var id int64
			err := a.DB.QueryRow(ctx, `INSERT INTO attachments (blob_key, filename, content_type, kind, size, sha256,
				created_at) VALUES (?, 'x.pdf', 'application/pdf', 'document', 1, '00', ?) RETURNING id`,
				key, time.Now().Add(-age)).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		old := insert("old", 48*time.Hour)
		insert("recent", 2*time.Hour)
		code, out, errs := cli("", append([]string{"attachments", "purge", "--json"}, flags...)...)
		var res struct {
			Purged int     `json:"purged"`
			IDs    []int64 `json:"ids"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Purged != 1 || len(res.IDs) != 1 || res.IDs[0] != old {
			t.Fatalf("purge --json: got %d %q %q, want id %d purged", code, out, errs, old)
		}
		code, out, errs = cli("", append([]string{"attachments", "purge", "--older-than", "1h"}, flags...)...)
		if code != 0 || !strings.Contains(out, "purged 1 unlinked attachment(s)") {
			t.Errorf("purge --older-than 1h: got %d %q %q", code, out, errs)
		}
		for _, args := range [][]string{{"attachments"}, {"attachments", "list"},
			{"attachments", "purge", "--older-than", "0s"}, {"attachments", "purge", "extra"}} {
			if code, _, _ := cli("", append(args, flags...)...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}
