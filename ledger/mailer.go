package ledger

import (
	"context"
	"log/slog"
	"sync"

	"github.com/google/uuid"
)

// Message kinds.
const (
	MailConfirmSignature = "confirm_signature"
	MailConfirmPetition  = "confirm_petition"
	MailConfirmSponsor   = "confirm_sponsor"
)

// Message is an email to send. To is the only plaintext personal datum; it
// is held only as long as the mail is queued and never logged.
type Message struct {
	Kind        string
	To          string
	PetitionID  int64
	SignatureID uuid.UUID
	Link        string // the confirmation link
}

// Mailer sends email.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Outbox is an in-memory Mailer: it keeps every message for tests and
// demos, and logs each one without personal data.
type Outbox struct {
	log  *slog.Logger
	mu   sync.Mutex
	sent []Message // guarded by mu
}

var _ Mailer = (*Outbox)(nil)

// NewOutbox returns an empty outbox that logs to log (nil: slog.Default()).
func NewOutbox(log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.Default()
	}
	return &Outbox{log: log}
}

// Send queues m.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	o.mu.Lock()
	o.sent = append(o.sent, m)
	o.mu.Unlock()
	o.log.InfoContext(ctx, "mail queued", slog.String("kind", m.Kind), slog.Int64("petition_id", m.PetitionID),
		slog.String("signature_id", m.SignatureID.String()))
	return nil
}

// Messages returns a copy of every message sent, in order.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.sent...)
}

// For returns the last message about a signature.
func (o *Outbox) For(signatureID uuid.UUID) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if o.sent[i].SignatureID == signatureID {
			return o.sent[i], true
		}
	}
	return Message{}, false
}
