package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/httpapi"
	"github.com/petitionledger/petitionledger/ledger"
)

// ledgerPort adapts ledger.Service to the HTTP layer's port.
type ledgerPort struct{ svc *ledger.Service }

var _ httpapi.Ledger = ledgerPort{}

func receipt(r ledger.Receipt, err error) (httpapi.Receipt, error) {
	if err != nil {
		return httpapi.Receipt{}, err
	}
	return httpapi.Receipt{PetitionID: r.PetitionID, SignatureID: r.SignatureID, EventID: r.EventID,
		Position: r.Position, AlreadyDone: r.AlreadyDone}, nil
}

func (p ledgerPort) CreatePetition(ctx context.Context, cmd domain.CreatePetition) (httpapi.Receipt, error) {
	return receipt(p.svc.CreatePetition(ctx, cmd))
}

func (p ledgerPort) Sponsor(ctx context.Context, id int64, in domain.SignerInput, eventID uuid.UUID) (httpapi.Receipt, error) {
	return receipt(p.svc.Sponsor(ctx, id, in, eventID))
}

func (p ledgerPort) Sign(ctx context.Context, id int64, in domain.SignerInput, eventID uuid.UUID) (httpapi.Receipt, error) {
	return receipt(p.svc.Sign(ctx, ledger.SignRequest{PetitionID: id, Signer: in, EventID: eventID}))
}

func (p ledgerPort) ValidateSignature(ctx context.Context, l httpapi.SignatureLink) (httpapi.Receipt, error) {
	return receipt(p.svc.ValidateSignature(ctx, ledger.ConfirmLink{PetitionID: l.PetitionID, SignerKey: l.SignerKey,
		SignatureID: l.SignatureID, Token: l.Token}))
}

func (p ledgerPort) Moderate(ctx context.Context, id int64, m domain.Moderation) (httpapi.Receipt, error) {
	return receipt(p.svc.Moderate(ctx, id, m))
}

func (p ledgerPort) Close(ctx context.Context, id int64, reason domain.CloseReason) (httpapi.Receipt, error) {
	return receipt(p.svc.Close(ctx, id, reason))
}

func (p ledgerPort) RespondAsGovernment(ctx context.Context, id int64, r domain.GovernmentResponse) (httpapi.Receipt, error) {
	return receipt(p.svc.RespondAsGovernment(ctx, id, r))
}

func (p ledgerPort) ScheduleDebate(ctx context.Context, id int64, date string) (httpapi.Receipt, error) {
	return receipt(p.svc.ScheduleDebate(ctx, id, date))
}

func (p ledgerPort) RecordDebateOutcome(ctx context.Context, id int64, d domain.DebateOutcome) (httpapi.Receipt, error) {
	return receipt(p.svc.RecordDebateOutcome(ctx, id, d))
}

func (p ledgerPort) AddOtherBusiness(ctx context.Context, id int64, b domain.OtherBusiness) (httpapi.Receipt, error) {
	return receipt(p.svc.AddOtherBusiness(ctx, id, b))
}

func (p ledgerPort) Invalidate(ctx context.Context, req domain.InvalidationRequest) (httpapi.InvalidationReceipt, error) {
	id, res, err := p.svc.Invalidate(ctx, req)
	if err != nil {
		return httpapi.InvalidationReceipt{}, err
	}
	return httpapi.InvalidationReceipt{InvalidationID: id, MatchingCount: res.Matching,
		InvalidatedCount: res.Invalidated, Position: res.Receipt.Position}, nil
}

// logMailer stands in for an email transport: it logs each message's kind
// and petition (never the address or the link) and keeps nothing, so memory
// stays flat under load. serve has no SMTP transport yet.
type logMailer struct{ log *slog.Logger }

func (m logMailer) Send(ctx context.Context, msg ledger.Message) error {
	m.log.DebugContext(ctx, "mail not sent (no transport configured)", slog.String("kind", msg.Kind),
		slog.Int64("petition_id", msg.PetitionID))
	return nil
}

// printMailer is the demo's mail: it prints each confirmation link (which
// holds no personal data) so the person trying the demo can follow it.
type printMailer struct {
	mu sync.Mutex
	w  io.Writer
}

func (m *printMailer) Send(_ context.Context, msg ledger.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := fmt.Fprintf(m.w, "demo mail (%s, petition %d): %s\n", msg.Kind, msg.PetitionID, msg.Link)
	return err
}

// fileMailer appends each message as one JSON line (kind, petition,
// signature, link; never the address) to a file, for running without a
// mail transport (tests, staging). The links validate signatures, so the
// file is created mode 0600.
type fileMailer struct {
	mu sync.Mutex
	f  *os.File
}

type mailLine struct {
	Kind        string `json:"kind"`
	PetitionID  int64  `json:"petition_id"`
	SignatureID string `json:"signature_id"`
	Link        string `json:"link"`
}

func openFileMailer(path string) (*fileMailer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--outbox-file: %w", err)
	}
	return &fileMailer{f: f}, nil
}

func (m *fileMailer) Send(_ context.Context, msg ledger.Message) error {
	b, err := json.Marshal(mailLine{Kind: msg.Kind, PetitionID: msg.PetitionID, SignatureID: msg.SignatureID.String(), Link: msg.Link})
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err = m.f.Write(append(b, '\n'))
	return err
}

func (m *fileMailer) Close() error { return m.f.Close() }
