// Package audit keeps the append-only, SM3 hash-chained audit log. Entries
// are written in the caller's transaction, so a change and its audit record
// commit or roll back together.
package audit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"gridgov/internal/actor"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// Results of an audited action.
const (
	Success = "success"
	Failure = "failure"
)

// genesis is the prev_hash of the first entry.
var genesis = strings.Repeat("0", 64)

// Entry is what a caller records: the action on an object and its result.
// Who, from where and when are filled in from the context and the clock.
type Entry struct {
	Action     string
	ObjectType string
	ObjectID   string
	Result     string
	Detail     map[string]any
	// Username, UserID and UnitCode override the context's actor, for events
	// such as failed logins where no actor exists yet.
	Username string
	UserID   int64
	UnitCode string
}

// Row is a stored audit entry.
type Row struct {
	Seq        int64     `json:"seq"`
	TS         time.Time `json:"ts"`
	UserID     *int64    `json:"user_id,omitempty"`
	Username   string    `json:"username"`
	UnitCode   string    `json:"unit_code"`
	Role       string    `json:"role"`
	IP         string    `json:"ip"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Result     string    `json:"result"`
	Detail     string    `json:"detail,omitempty"`
	RequestID  string    `json:"request_id"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Log writes and reads the audit log.
type Log struct {
	db    *db.DB
	clock clock.Clock
}

// New returns a Log on d using clk for timestamps.
func New(d *db.DB, clk clock.Clock) *Log { return &Log{db: d, clock: clk} }

// Record appends e. Inside a transaction it joins it; otherwise it opens its own.
func (l *Log) Record(ctx context.Context, e Entry) error {
	_, err := l.RecordSeq(ctx, e)
	return err
}

// RecordSeq appends e like Record and returns the entry's sequence number,
// by which another record may refer to it ("audit:<seq>").
func (l *Log) RecordSeq(ctx context.Context, e Entry) (int64, error) {
	var seq int64
	err := l.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		seq, err = l.record(ctx, e)
		return err
	})
	return seq, err
}

func (l *Log) record(ctx context.Context, e Entry) (int64, error) {
	r := Row{
		TS: l.clock.Now().UTC().Truncate(time.Microsecond), Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, Result: e.Result,
		Username: e.Username, UnitCode: e.UnitCode,
	}
	if r.Result == "" {
		r.Result = Success
	}
	if e.UserID != 0 {
		id := e.UserID
		r.UserID = &id
	}
	if a := actor.From(ctx); a != nil {
		if r.Username == "" {
			r.Username = a.Username
		}
		if r.UserID == nil && a.UserID != 0 {
			id := a.UserID
			r.UserID = &id
		}
		if r.UnitCode == "" {
			r.UnitCode = a.UnitCode
		}
		r.Role = a.RoleNames()
	}
	m := actor.MetaFrom(ctx)
	r.IP, r.RequestID = m.IP, m.RequestID
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return 0, fmt.Errorf("audit detail: %w", err)
		}
		r.Detail = string(b)
	}
	if l.db.Dialect == db.Postgres {
		// The chain is serial: one appender at a time, until commit.
		if _, err := l.db.Exec(ctx, `SELECT pg_advisory_xact_lock(7262012)`); err != nil {
			return 0, fmt.Errorf("audit lock: %w", err)
		}
	}
	r.PrevHash = genesis
	err := l.db.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&r.Seq, &r.PrevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	r.Seq++
	r.Hash = r.computeHash()
	if _, err := l.db.Exec(ctx, `INSERT INTO audit_log (seq, ts, user_id, username, unit_code, role, ip, action,
		object_type, object_id, result, detail, request_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.TS, r.UserID, r.Username, r.UnitCode, r.Role, r.IP, r.Action, r.ObjectType, r.ObjectID,
		r.Result, r.Detail, r.RequestID, r.PrevHash, r.Hash); err != nil {
		return 0, fmt.Errorf("audit insert: %w", err)
	}
	// The trigger audit_log_head moves the head to this entry.
	return r.Seq, nil
}

// computeHash is SM3 over the previous hash and every field of the row.
func (r *Row) computeHash() string {
	uid := ""
	if r.UserID != nil {
		uid = strconv.FormatInt(*r.UserID, 10)
	}
	fields := []string{
		strconv.FormatInt(r.Seq, 10), r.TS.UTC().Format(time.RFC3339Nano), uid, r.Username, r.UnitCode,
		r.Role, r.IP, r.Action, r.ObjectType, r.ObjectID, r.Result, r.Detail, r.RequestID, r.PrevHash,
	}
	h := sm3.New()
	for _, f := range fields {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyResult is the outcome of checking the chain.
type VerifyResult struct {
	Entries int64 `json:"entries"`
	OK      bool  `json:"ok"`
	// BrokenSeq is the first entry that fails (0 when OK).
	BrokenSeq int64  `json:"broken_seq,omitempty"`
	Problem   string `json:"problem,omitempty"`
}

const rowColumns = `seq, ts, user_id, username, unit_code, role, ip, action, object_type, object_id,
	result, detail, request_id, prev_hash, hash`

func scanRow(s db.Scanner) (Row, error) {
	var r Row
	var uid sql.NullInt64
	err := s.Scan(&r.Seq, &r.TS, &uid, &r.Username, &r.UnitCode, &r.Role, &r.IP, &r.Action, &r.ObjectType,
		&r.ObjectID, &r.Result, &r.Detail, &r.RequestID, &r.PrevHash, &r.Hash)
	if uid.Valid {
		r.UserID = &uid.Int64
	}
	return r, err
}

// Verify walks the whole chain and reports the first entry that was edited,
// deleted or inserted out of order.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	rows, err := l.db.Query(ctx, `SELECT `+rowColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return VerifyResult{}, err
	}
	defer rows.Close()
	var res VerifyResult
	prevSeq, prevHash := int64(0), genesis
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return res, err
		}
		res.Entries++
		switch {
		case r.Seq != prevSeq+1:
			return broken(res, prevSeq+1, fmt.Sprintf("entry %d is missing (next present is %d)", prevSeq+1, r.Seq)), nil
		case r.PrevHash != prevHash:
			return broken(res, r.Seq, "prev_hash does not match the entry before"), nil
		case r.computeHash() != r.Hash:
			return broken(res, r.Seq, "content does not match its hash"), nil
		}
		prevSeq, prevHash = r.Seq, r.Hash
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	var headSeq int64
	headHash := genesis
	err = l.db.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	if headSeq != prevSeq || headHash != prevHash {
		return broken(res, prevSeq+1, fmt.Sprintf("the chain ends at %d but %d entries were written", prevSeq, headSeq)), nil
	}
	res.OK = true
	return res, nil
}

func broken(res VerifyResult, seq int64, problem string) VerifyResult {
	res.BrokenSeq, res.Problem = seq, problem
	return res
}
