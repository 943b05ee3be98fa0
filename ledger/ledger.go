package ledger

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
)

// Sentinel errors of the ledger.
var (
	ErrBadOptions = errors.New("ledger: bad options")
)

// Options configures a Service. Store, Rules and TokenSecret are required.
type Options struct {
	Store       eventstore.Store
	Rules       domain.Rules
	TokenSecret []byte // ≥ 32 bytes; signs confirmation links
	Mailer      Mailer // nil: an Outbox logging to Logger
	BaseURL     string // prefix of confirmation links
	Now         func() time.Time
	Logger      *slog.Logger
	MaxRetries  int // attempts on a wrong expected revision; 0: 20
	// Limiter applies the per-IP rate limits; nil: one built from
	// Rules.Config.Rate. It is per process (see docs/privacy.md).
	Limiter *domain.RateLimiter
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Mailer == nil {
		o.Mailer = NewOutbox(o.Logger)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 20
	}
	if o.Limiter == nil {
		o.Limiter = domain.NewRateLimiter(o.Rules.Config.Rate)
	}
	if o.BaseURL == "" {
		o.BaseURL = "http://localhost:8080"
	}
}

// Service runs petition and signature commands against a store. It is safe
// for concurrent use, and several Services (on several nodes) may share one
// store: nothing it decides depends on memory except the rate limiter and
// the petition-id hint.
type Service struct {
	opts   Options
	store  eventstore.Store
	rules  domain.Rules
	log    *slog.Logger
	nextID atomic.Int64 // hint: the next petition id to try
	cache  petitionCache
	due    deadlineIndex
}

// New returns a Service.
func New(opts Options) (*Service, error) {
	switch {
	case opts.Store == nil:
		return nil, errors.Join(ErrBadOptions, errors.New("ledger: Store is required"))
	case opts.Rules.Hasher == nil || opts.Rules.Keys == nil || opts.Rules.Places == nil:
		return nil, errors.Join(ErrBadOptions, errors.New("ledger: Rules needs Hasher, Keys and Places"))
	case len(opts.TokenSecret) < 32:
		return nil, errors.Join(ErrBadOptions, errors.New("ledger: TokenSecret must be at least 32 bytes"))
	}
	opts.setDefaults()
	return &Service{opts: opts, store: opts.Store, rules: opts.Rules, log: opts.Logger}, nil
}

// Receipt acknowledges a command: the (first) event written, or found for
// a retry, and the log position of the last event the command wrote.
type Receipt struct {
	Stream      string
	EventID     uuid.UUID
	Position    eventstore.Position
	PetitionID  int64
	SignatureID uuid.UUID // for signature commands
	// Fraudulent is set when the signature was recorded but marked
	// fraudulent (e.g. over the rate limit).
	Fraudulent bool
	// AlreadyDone is set when nothing new was written because the fact was
	// already in the log (a retry, a second click, a racing node).
	AlreadyDone bool
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }
