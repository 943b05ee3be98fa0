package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/ledger"
)

// testPlaces stands in for domain/geo.
type testPlaces struct{}

var postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$`)

func (testPlaces) NormalizePostcode(s string) (string, error) {
	pc := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if !postcodeRE.MatchString(pc) {
		return "", errors.New("bad postcode")
	}
	return pc, nil
}
func (testPlaces) Locate(pc string) (string, string) { return "E14000639", "E12000007" }
func (testPlaces) KnownCountry(code string) bool     { return code == "GB" || code == "FR" }

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type fixture struct {
	svc    *ledger.Service
	store  eventstore.Store
	outbox *ledger.Outbox
	clock  *clock
	logs   *syncBuffer
	rules  domain.Rules
}

func rules(tb testing.TB) domain.Rules {
	tb.Helper()
	h, err := domain.NewHasher(bytes.Repeat([]byte("h"), 32))
	if err != nil {
		tb.Fatal(err)
	}
	k, err := domain.NewKeyring("2021-1", map[string][]byte{"2021-1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		tb.Fatal(err)
	}
	return domain.Rules{Config: domain.DefaultConfig(), Hasher: h, Keys: k, Places: testPlaces{}}
}

// newFixture returns a service on store, at 2021-09-21 09:00 UTC.
func newFixture(tb testing.TB, store eventstore.Store) *fixture {
	tb.Helper()
	f := &fixture{store: store, clock: &clock{now: time.Date(2021, 9, 21, 9, 0, 0, 0, time.UTC)}, logs: &syncBuffer{},
		rules: rules(tb)}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.outbox = ledger.NewOutbox(log)
	svc, err := ledger.New(ledger.Options{Store: store, Rules: f.rules, TokenSecret: bytes.Repeat([]byte("t"), 32),
		Mailer: f.outbox, BaseURL: "https://petitions.example", Now: f.clock.Now, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	f.svc = svc
	return f
}

// otherNode is another API node: a service of its own on f's store, its
// clock at f's time.
func (f *fixture) otherNode(tb testing.TB) *fixture {
	tb.Helper()
	other := newFixture(tb, f.store)
	other.clock.now = f.clock.Now()
	return other
}

func person(i int) domain.SignerInput {
	return domain.SignerInput{Name: "Person " + string(rune('A'+i%26)) + strings.Repeat("x", i/26),
		Email: "person" + itoa(i) + "@example.org", Postcode: "SW1A 1AA", Country: "GB", IP: "198.51.100." + itoa(1+i%250)}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// confirm follows the last confirmation link sent for a receipt.
func (f *fixture) confirm(tb testing.TB, r ledger.Receipt) ledger.Receipt {
	tb.Helper()
	msg, ok := f.outbox.For(r.SignatureID)
	if !ok {
		tb.Fatalf("no mail for signature %s", r.SignatureID)
	}
	link, err := ledger.ParseConfirmURL(msg.Link)
	if err != nil {
		tb.Fatal(err)
	}
	got, err := f.svc.ValidateSignature(context.Background(), link)
	if err != nil {
		tb.Fatalf("ValidateSignature: %v", err)
	}
	return got
}

// openPetition creates, confirms, sponsors and publishes a petition.
func (f *fixture) openPetition(tb testing.TB) int64 {
	tb.Helper()
	ctx := context.Background()
	r, err := f.svc.CreatePetition(ctx, domain.CreatePetition{Action: "Hold a public inquiry", Background: "Because.",
		Creator: domain.SignerInput{Name: "Creator", Email: "creator@example.org", Postcode: "SW1A 1AA", Country: "GB"}})
	if err != nil {
		tb.Fatal(err)
	}
	f.confirm(tb, r)
	for i := 0; i < f.rules.Config.SponsorThreshold; i++ {
		in := person(1000 + i)
		in.IP = ""
		s, err := f.svc.Sponsor(ctx, r.PetitionID, in, uuid.Nil)
		if err != nil {
			tb.Fatalf("sponsor %d: %v", i, err)
		}
		f.confirm(tb, s)
	}
	if _, err := f.svc.Moderate(ctx, r.PetitionID, domain.Moderation{Outcome: domain.OutcomePublish}); err != nil {
		tb.Fatal(err)
	}
	return r.PetitionID
}

// decodeAll decodes every domain event of the store, in log order.
func decodeAll(tb tbLike, store eventstore.Store) []domain.Event {
	tb.Helper()
	recs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{Filter: eventstore.ExcludeSystemEvents})
	if err != nil {
		tb.Fatal(err)
	}
	var out []domain.Event
	for _, r := range recs {
		if !domain.IsKnownEventType(r.Type) {
			continue
		}
		e, err := domain.DecodeEventWithID(r.Type, r.ID.String(), r.Data)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// count recounts a petition's signatures from the log with domain.Counts.
func count(tb tbLike, store eventstore.Store, petitionID int64, grace time.Duration) int {
	tb.Helper()
	sigs := map[string]*domain.CountFacts{}
	var closedAt time.Time
	for _, e := range decodeAll(tb, store) {
		switch e := e.(type) {
		case domain.PetitionClosed:
			if e.PetitionID == petitionID {
				closedAt = e.At
			}
		case domain.SignatureEvent:
			if e.Petition() != petitionID {
				continue
			}
			k := e.Signature().String()
			if sigs[k] == nil {
				sigs[k] = &domain.CountFacts{SignedAt: e.OccurredAt()}
			}
			_, to := e.Transition()
			sigs[k].State = to
			if to == domain.SigValidated {
				sigs[k].ValidatedAt = e.OccurredAt()
			}
		}
	}
	n := 0
	for _, f := range sigs {
		if domain.Counts(*f, closedAt, grace) {
			n++
		}
	}
	return n
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := domain.ErrorCode(err); got != code {
		tb.Fatalf("err = %v (code %q), want code %q", err, got, code)
	}
}

// tbLike is what helpers need from *testing.T and *rapid.T.
type tbLike interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// openEmbedded opens an embedded store in a temporary directory, closed at
// the end of the test.
func openEmbedded(tb testing.TB) eventstore.Store {
	tb.Helper()
	s, err := embedded.Open(tb.TempDir(), embedded.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}
