package citizen

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/cases"
)

// Reporter notifications: when the public status of a citizen's case
// changes, one SMS for the reporter's phone goes to the case loop's
// outbox, in the same transaction as the transition. The outbox holds no
// phone number: the message names its recipient RecipientReporter, and
// the sender opens the sealed contact of the report when it sends.

// TrackPath is the path of the public tracking page of a code.
const TrackPath = "/public/t/"

// Public phases a reporter is told about; the other statuses (draft,
// waiting for verification, merged, suspended) send nothing.
const (
	PhaseHandling = "handling" // accepted and assigned, or being worked
	PhaseFeedback = "feedback" // the responsible unit reported back
	PhaseClosed   = "closed"
	PhaseRejected = "rejected"
)

// phaseOf maps a loop status to the public phase a reporter hears about.
func phaseOf(st cases.Status) string {
	switch st {
	case cases.StatusAssigned, cases.StatusHandling:
		return PhaseHandling
	case cases.StatusFeedback:
		return PhaseFeedback
	case cases.StatusClosed:
		return PhaseClosed
	case cases.StatusRejected:
		return PhaseRejected
	}
	return ""
}

// smsText is the reporter's SMS of a phase: fixed text, the tracking code
// and the tracking path; never a note of the case.
func smsText(phase, token string) string {
	what := map[string]string{
		PhaseHandling: "已受理，正在办理",
		PhaseFeedback: "已有处理反馈",
		PhaseClosed:   "已办结，欢迎评价",
		PhaseRejected: "经核实不予立案",
	}[phase]
	return fmt.Sprintf("【网格化服务】您反映的问题（查询码%s）%s。查看进度：%s%s", token, what, TrackPath, token)
}

// smsPayload is the payload of a reporter's status SMS.
type smsPayload struct {
	Phase string `json:"phase"`
	Token string `json:"token"`
	Path  string `json:"path"`
	Text  string `json:"text"`
}

// onStatusChange queues the reporter's SMS for a status change of a
// citizen case: only when the report has a phone, the public phase
// changed, and the last SMS of the case was not about the same phase (a
// case returned and assigned again does not tell the reporter twice). At
// most one SMS per transition (the dedup key names the case version); in
// the quiet hours it waits for 08:00 Beijing time.
func (s *Service) onStatusChange(ctx context.Context, c cases.Case, from, to cases.Status) error {
	phase := phaseOf(to)
	if phase == "" || phase == phaseOf(from) {
		return nil
	}
	token, hasPhone, ok, err := s.st.reporterOf(ctx, c.ID)
	if err != nil || !ok || !hasPhone {
		return err
	}
	last, ok, err := s.cases.LatestMessage(ctx, c.ID, cases.OutboxCitizenStatus, cases.ChannelSMS)
	if err != nil {
		return err
	}
	if ok {
		var p smsPayload
		if json.Unmarshal(last.Payload, &p) == nil && p.Phase == phase {
			return nil
		}
	}
	payload, _ := json.Marshal(smsPayload{Phase: phase, Token: token, Path: TrackPath + token,
		Text: smsText(phase, token)})
	_, err = s.cases.EnqueueMessage(ctx, cases.OutboxMessage{Channel: cases.ChannelSMS,
		RecipientRef: cases.RecipientReporter, Kind: cases.OutboxCitizenStatus, CaseID: c.ID,
		Payload: payload, CreatedAt: c.UpdatedAt, NotBefore: cases.QuietUntil(c.UpdatedAt)},
		"citizen/"+strconv.FormatInt(c.ID, 10)+"/v"+strconv.Itoa(c.Version))
	return err
}

// SMSSender hands one text message to a gateway (SMPP, a cloud SMS API).
type SMSSender interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// opener opens sealed values; *seal.Sealer satisfies it.
type opener interface {
	Open(field string, sealed []byte) (string, error)
}

// SendReporterSMS sends the due reporter SMS of the outbox (at most limit)
// through sender, opening each reporter's sealed phone only now, and
// marks each sent. A message whose reporter has no phone any more is
// marked dropped. It stops at the first gateway error, leaving that
// message and the rest for the next run: delivery is at least once (a
// crash between sending and marking sends that message again). It returns
// how many were sent.
func (s *Service) SendReporterSMS(ctx context.Context, sender SMSSender, limit int) (int, error) {
	op, ok := s.sealer.(opener)
	if !ok {
		return 0, apperr.New(apperr.Internal, "contact sealing is not configured")
	}
	sys := actor.With(ctx, actor.SystemActor("citizen-sms"))
	due, err := s.cases.DueMessages(sys, cases.ChannelSMS, cases.OutboxCitizenStatus, limit)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		var p smsPayload
		_ = json.Unmarshal(m.Payload, &p)
		phone, err := s.reporterPhone(ctx, op, m.CaseID)
		if err != nil {
			return sent, err
		}
		if phone == "" || p.Text == "" {
			if err := s.cases.MarkSent(sys, m.ID, "no phone"); err != nil {
				return sent, err
			}
			continue
		}
		if err := sender.SendSMS(ctx, phone, p.Text); err != nil {
			return sent, fmt.Errorf("send sms %d: %w", m.ID, err)
		}
		if err := s.cases.MarkSent(sys, m.ID, ""); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// reporterPhone opens the sealed phone of a case's report ("" when none).
func (s *Service) reporterPhone(ctx context.Context, op opener, caseID int64) (string, error) {
	sealed, err := s.st.contactOf(ctx, caseID)
	if err != nil || sealed == nil {
		return "", err
	}
	plain, err := op.Open("citizen_contact", sealed)
	if err != nil {
		return "", err
	}
	var c contact
	if err := json.Unmarshal([]byte(plain), &c); err != nil {
		return "", fmt.Errorf("reporter contact: %w", err)
	}
	return c.Phone, nil
}

// reporterOf returns the tracking code of a case's citizen report and
// whether the reporter left a phone; ok is false for other cases.
func (st store) reporterOf(ctx context.Context, caseID int64) (token string, hasPhone, ok bool, err error) {
	err = st.db.QueryRow(ctx, `SELECT token, phone_bidx IS NOT NULL FROM citizen_reports WHERE case_id = ?`,
		caseID).Scan(&token, &hasPhone)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, false, nil
	}
	if err != nil {
		return "", false, false, fmt.Errorf("load citizen report: %w", err)
	}
	return token, hasPhone, true, nil
}

// contactOf returns the sealed contact of a case's report (nil: none).
func (st store) contactOf(ctx context.Context, caseID int64) ([]byte, error) {
	var b []byte
	err := st.db.QueryRow(ctx, `SELECT contact_enc FROM citizen_reports WHERE case_id = ?`, caseID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}
