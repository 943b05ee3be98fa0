package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
)

// Request bodies of the write API. Unknown keys are rejected.

type signerBody struct {
	Name          string `json:"name"`
	Email         string `json:"email"`
	Postcode      string `json:"postcode"`
	Country       string `json:"country"`
	NotifyByEmail bool   `json:"notify_by_email"`
}

type createBody struct {
	Action            string     `json:"action"`
	Background        string     `json:"background"`
	AdditionalDetails string     `json:"additional_details"`
	Creator           signerBody `json:"creator"`
}

type moderationBody struct {
	Outcome string `json:"outcome"`
	Code    string `json:"code"`
	Details string `json:"details"`
	Reason  string `json:"reason"`
}

type closeBody struct {
	Reason string `json:"reason"`
}

type departmentBody struct {
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
	URL     string `json:"url"`
}

type responseBody struct {
	Summary     string         `json:"summary"`
	Details     string         `json:"details"`
	RespondedOn string         `json:"responded_on"`
	Department  departmentBody `json:"department"`
}

type scheduleBody struct {
	DebateDate string `json:"debate_date"`
}

type outcomeBody struct {
	Debated             bool   `json:"debated"`
	DebatedOn           string `json:"debated_on"`
	TranscriptURL       string `json:"transcript_url"`
	VideoURL            string `json:"video_url"`
	DebatePackURL       string `json:"debate_pack_url"`
	PublicEngagementURL string `json:"public_engagement_url"`
	DebateSummaryURL    string `json:"debate_summary_url"`
	Overview            string `json:"overview"`
}

type businessBody struct {
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	OccurredOn string `json:"occurred_on"`
}

type invalidationBody struct {
	PetitionID    int64  `json:"petition_id"`
	Name          string `json:"name"`
	Postcode      string `json:"postcode"`
	IP            string `json:"ip"`
	Email         string `json:"email"`
	EmailDomain   string `json:"email_domain"`
	Constituency  string `json:"constituency"`
	Country       string `json:"country"`
	CreatedAfter  string `json:"created_after"`
	CreatedBefore string `json:"created_before"`
	Reason        string `json:"reason"`
}

// receiptJSON is the body of a successful write.
type receiptJSON struct {
	PetitionID  int64  `json:"petition_id,omitempty"`
	SignatureID string `json:"signature_id,omitempty"`
	EventID     string `json:"event_id,omitempty"`
	Position    string `json:"position"`
	AlreadyDone bool   `json:"already_done,omitempty"`
}

type invalidationJSON struct {
	InvalidationID   string `json:"invalidation_id"`
	MatchingCount    int    `json:"matching_count"`
	InvalidatedCount int    `json:"invalidated_count"`
	Position         string `json:"position"`
}

func (b signerBody) input(ip string) domain.SignerInput {
	return domain.SignerInput{Name: b.Name, Email: b.Email, Postcode: b.Postcode, Country: b.Country,
		IP: ip, NotifyByEmail: b.NotifyByEmail}
}

// writeReceipt answers a durable write: 201 for a new petition, 202 for a
// signature (counted once validated), 200 otherwise.
func (s *Server) writeReceipt(w http.ResponseWriter, command string, status int, rc Receipt) {
	s.metrics.noteAppend(command, rc.Position.Commit)
	out := receiptJSON{PetitionID: rc.PetitionID, Position: formatPosition(rc.Position), AlreadyDone: rc.AlreadyDone}
	if rc.SignatureID != uuid.Nil {
		out.SignatureID = rc.SignatureID.String()
	}
	if rc.EventID != uuid.Nil {
		out.EventID = rc.EventID.String()
	}
	body, _ := marshalJSON(out)
	w.Header().Set("X-Ledger-Position", formatPosition(rc.Position))
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusCreated && rc.PetitionID > 0 {
		w.Header().Set("Location", "/petitions/"+strconv.FormatInt(rc.PetitionID, 10)+".json")
	}
	writeJSONBytes(w, status, body, nil)
}

// failWrite counts and answers a refused or failed write.
func (s *Server) failWrite(w http.ResponseWriter, r *http.Request, command string, err error) {
	s.metrics.writeErrors.WithLabelValues(command, problemFor(err).Code).Inc()
	s.writeProblem(w, r, err)
}

// decodeWrite decodes a write body; it answers the problem itself.
func (s *Server) decodeWrite(w http.ResponseWriter, r *http.Request, command string, v any) bool {
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, v); err != nil {
		s.failWrite(w, r, command, err)
		return false
	}
	return true
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	var b createBody
	if !s.decodeWrite(w, r, "create", &b) {
		return
	}
	rc, err := s.cfg.Ledger.CreatePetition(r.Context(), domain.CreatePetition{Action: b.Action, Background: b.Background,
		AdditionalDetails: b.AdditionalDetails, Creator: b.Creator.input(clientIP(r, s.cfg.TrustProxy))})
	if err != nil {
		s.failWrite(w, r, "create", err)
		return
	}
	s.writeReceipt(w, "create", http.StatusCreated, rc)
}

func (s *Server) handleSponsor(w http.ResponseWriter, r *http.Request) {
	s.handleSignature(w, r, "sponsor", s.cfg.Ledger.Sponsor)
}

func (s *Server) handleSign(w http.ResponseWriter, r *http.Request) {
	s.handleSignature(w, r, "sign", s.cfg.Ledger.Sign)
}

type signFunc = func(ctx context.Context, petitionID int64, in domain.SignerInput, eventID uuid.UUID) (Receipt, error)

// idempotencyKey reads the optional Idempotency-Key header: a UUID the
// client chooses once per signature and repeats on retries.
func idempotencyKey(r *http.Request) (uuid.UUID, error) {
	raw := r.Header.Get("Idempotency-Key")
	if raw == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(raw)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, newProblem(CodeInvalidParameter, "Idempotency-Key", "Send Idempotency-Key as a UUID, the same on every retry.")
	}
	return id, nil
}

func (s *Server) handleSignature(w http.ResponseWriter, r *http.Request, command string, sign signFunc) {
	id, err := petitionIDFrom(r, "id", "")
	if err != nil {
		s.failWrite(w, r, command, err)
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		s.failWrite(w, r, command, err)
		return
	}
	var b signerBody
	if !s.decodeWrite(w, r, command, &b) {
		return
	}
	rc, err := sign(r.Context(), id, b.input(clientIP(r, s.cfg.TrustProxy)), key)
	if err != nil {
		s.failWrite(w, r, command, err)
		return
	}
	if rc.PetitionID == 0 {
		rc.PetitionID = id
	}
	s.writeReceipt(w, command, http.StatusAccepted, rc)
}

// handleVerify validates a signature from its confirmation link:
// GET (the link clicked in the email) or POST, with the link's query.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	sigID, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.failWrite(w, r, "validate", newProblem(domain.ECodeInvalidToken, "signature_id", "This confirmation link is broken. Copy the whole link from the email."))
		return
	}
	q := r.URL.Query()
	link := SignatureLink{SignatureID: sigID, SignerKey: q.Get("signer"), Token: q.Get("token")}
	for _, f := range []struct{ name, value string }{{"petition", q.Get("petition")}, {"signer", link.SignerKey}, {"token", link.Token}} {
		if f.value == "" {
			s.failWrite(w, r, "validate", newProblem(domain.ECodeRequired, f.name, "The confirmation link lacks its "+f.name+"; copy the whole link from the email."))
			return
		}
	}
	link.PetitionID, err = strconv.ParseInt(q.Get("petition"), 10, 64)
	if err != nil || link.PetitionID <= 0 {
		s.failWrite(w, r, "validate", newProblem(domain.ECodeInvalidToken, "petition", "This confirmation link is broken. Copy the whole link from the email."))
		return
	}
	rc, err := s.cfg.Ledger.ValidateSignature(r.Context(), link)
	if err != nil {
		s.failWrite(w, r, "validate", err)
		return
	}
	if rc.SignatureID == uuid.Nil {
		rc.SignatureID = sigID
	}
	s.writeReceipt(w, "validate", http.StatusOK, rc)
}

// adminWrite decodes body, runs do for the petition in the path and answers
// with its receipt.
func adminWrite[B any](s *Server, w http.ResponseWriter, r *http.Request, command string, do func(id int64, b *B) (Receipt, error)) {
	id, err := petitionIDFrom(r, "id", "")
	if err != nil {
		s.failWrite(w, r, command, err)
		return
	}
	var b B
	if !s.decodeWrite(w, r, command, &b) {
		return
	}
	rc, err := do(id, &b)
	if err != nil {
		s.failWrite(w, r, command, err)
		return
	}
	if rc.PetitionID == 0 {
		rc.PetitionID = id
	}
	s.writeReceipt(w, command, http.StatusOK, rc)
}

func (s *Server) handleModerate(w http.ResponseWriter, r *http.Request) {
	adminWrite(s, w, r, "moderate", func(id int64, b *moderationBody) (Receipt, error) {
		if b.Outcome == "" {
			return Receipt{}, newProblem(domain.ECodeRequired, "outcome", "Choose an outcome: publish, reject, hide, flag or dormant.")
		}
		return s.cfg.Ledger.Moderate(r.Context(), id, domain.Moderation{Outcome: b.Outcome, Code: b.Code,
			Details: b.Details, Reason: b.Reason})
	})
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	adminWrite(s, w, r, "close", func(id int64, b *closeBody) (Receipt, error) {
		reason := domain.CloseReason(b.Reason)
		if reason == "" {
			reason = domain.CloseEarly
		}
		if reason != domain.CloseEarly && reason != domain.CloseAtDeadline {
			return Receipt{}, newProblem(domain.EINVALID, "reason", "Choose a close reason: early or deadline.")
		}
		return s.cfg.Ledger.Close(r.Context(), id, reason)
	})
}

func (s *Server) handleRespond(w http.ResponseWriter, r *http.Request) {
	adminWrite(s, w, r, "respond", func(id int64, b *responseBody) (Receipt, error) {
		return s.cfg.Ledger.RespondAsGovernment(r.Context(), id, domain.GovernmentResponse{Summary: b.Summary,
			Details: b.Details, RespondedOn: b.RespondedOn, Department: domain.Department(b.Department)})
	})
}

func (s *Server) handleScheduleDebate(w http.ResponseWriter, r *http.Request) {
	adminWrite(s, w, r, "schedule_debate", func(id int64, b *scheduleBody) (Receipt, error) {
		return s.cfg.Ledger.ScheduleDebate(r.Context(), id, b.DebateDate)
	})
}

func (s *Server) handleDebateOutcome(w http.ResponseWriter, r *http.Request) {
	adminWrite(s, w, r, "debate_outcome", func(id int64, b *outcomeBody) (Receipt, error) {
		return s.cfg.Ledger.RecordDebateOutcome(r.Context(), id, domain.DebateOutcome(*b))
	})
}

func (s *Server) handleOtherBusiness(w http.ResponseWriter, r *http.Request) {
	adminWrite(s, w, r, "other_business", func(id int64, b *businessBody) (Receipt, error) {
		return s.cfg.Ledger.AddOtherBusiness(r.Context(), id, domain.OtherBusiness(*b))
	})
}

func (s *Server) handleInvalidate(w http.ResponseWriter, r *http.Request) {
	var b invalidationBody
	if !s.decodeWrite(w, r, "invalidate", &b) {
		return
	}
	req := domain.InvalidationRequest{PetitionID: b.PetitionID, Name: b.Name, Postcode: b.Postcode, IP: b.IP,
		Email: b.Email, EmailDomain: b.EmailDomain, Constituency: b.Constituency, Country: b.Country, Reason: b.Reason}
	var err error
	if req.CreatedAfter, err = optionalTime("created_after", b.CreatedAfter); err != nil {
		s.failWrite(w, r, "invalidate", err)
		return
	}
	if req.CreatedBefore, err = optionalTime("created_before", b.CreatedBefore); err != nil {
		s.failWrite(w, r, "invalidate", err)
		return
	}
	rc, err := s.cfg.Ledger.Invalidate(r.Context(), req)
	if err != nil {
		s.failWrite(w, r, "invalidate", err)
		return
	}
	s.metrics.noteAppend("invalidate", rc.Position.Commit)
	body, _ := marshalJSON(invalidationJSON{InvalidationID: rc.InvalidationID.String(), MatchingCount: rc.MatchingCount,
		InvalidatedCount: rc.InvalidatedCount, Position: formatPosition(rc.Position)})
	w.Header().Set("X-Ledger-Position", formatPosition(rc.Position))
	w.Header().Set("Cache-Control", "no-store")
	writeJSONBytes(w, http.StatusOK, body, nil)
}

// optionalTime parses an RFC 3339 time; empty is the zero time.
func optionalTime(field, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, newProblem(domain.ECodeInvalidDate, field, "Give "+field+" as an RFC 3339 time, like 2022-03-21T10:15:00Z.")
	}
	return t.UTC(), nil
}
