package domain_test

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// tb is what the helpers need from *testing.T and *rapid.T.
type tbLike interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// fakePlaces is a small, independent stand-in for domain/geo.
type fakePlaces struct{}

var postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$`)

func (fakePlaces) NormalizePostcode(s string) (string, error) {
	pc := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if !postcodeRE.MatchString(pc) {
		return "", errors.New("bad postcode")
	}
	return pc, nil
}

func (fakePlaces) Locate(pc string) (string, string) {
	switch pc {
	case "SW1A1AA":
		return "E14000639", "E12000007"
	case "EH11YZ":
		return "S14000024", "S92000003"
	}
	return "UNKNOWN", ""
}

func (fakePlaces) KnownCountry(code string) bool {
	switch code {
	case "GB", "FR", "US", "IE", "DE":
		return true
	}
	return false
}

// mustRules returns rules with fixed test keys.
func mustRules(tb tbLike) domain.Rules {
	tb.Helper()
	h, err := domain.NewHasher(bytes.Repeat([]byte("s"), 32))
	if err != nil {
		tb.Fatal(err)
	}
	k, err := domain.NewKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		tb.Fatal(err)
	}
	return domain.Rules{Config: domain.DefaultConfig(), Hasher: h, Keys: k, Places: fakePlaces{}}
}

var t0 = time.Date(2021, 9, 21, 9, 0, 0, 0, time.UTC)

func creator() domain.SignerInput {
	return domain.SignerInput{Name: "Ada Lovelace", Email: "ada@example.org", Postcode: "SW1A 1AA", Country: "GB", IP: "198.51.100.7"}
}

func signer(name, email, postcode string) domain.SignerInput {
	country := "GB"
	if postcode == "" {
		country = "FR"
	}
	return domain.SignerInput{Name: name, Email: email, Postcode: postcode, Country: country, IP: "203.0.113.9"}
}

// apply folds events into p or fails the test.
func apply(tb tbLike, p *domain.Petition, events []domain.Event, err error) {
	tb.Helper()
	applyEvents(tb, p, events, err)
}

func applyEvents(tb tbLike, p *domain.Petition, events []domain.Event, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("decision failed: %v", err)
	}
	for _, e := range events {
		if err := p.Apply(e); err != nil {
			tb.Fatal(err)
		}
	}
}

// newPetition returns a petition driven to the wanted state.
func newPetition(tb tbLike, r domain.Rules, want domain.PetitionState) *domain.Petition {
	tb.Helper()
	p, _ := newPetitionLog(tb, r, want)
	return p
}

// newPetitionLog is newPetition that also returns the events.
func newPetitionLog(tb tbLike, r domain.Rules, want domain.PetitionState) (*domain.Petition, []domain.Event) {
	tb.Helper()
	p := &domain.Petition{}
	var log []domain.Event
	apply := func(tb tbLike, p *domain.Petition, events []domain.Event, err error) {
		tb.Helper()
		applyEvents(tb, p, events, err)
		log = append(log, events...)
	}
	created, _, err := r.CreatePetition(domain.CreatePetition{Action: "Do a thing", Background: "Because.", Creator: creator()},
		7, uuid.New(), t0)
	apply(tb, p, []domain.Event{created}, err)
	steps := map[domain.PetitionState]func(){
		domain.StateValidated: func() { ev, err := p.ConfirmCreator(t0); apply(tb, p, ev, err) },
		domain.StateSponsored: func() {
			for i := 0; i < r.Config.SponsorThreshold; i++ {
				ev, err := p.SupportSponsor(r.Config, keyN(i), domain.SignatureValidated{SignatureID: uuid.New()}, t0)
				apply(tb, p, ev, err)
			}
		},
		domain.StateOpen: func() {
			ev, err := p.Moderate(r.Config, domain.Moderation{Outcome: domain.OutcomePublish}, t0)
			apply(tb, p, ev, err)
		},
		domain.StateClosed: func() { ev, err := p.Close(domain.CloseEarly, t0.Add(time.Hour)); apply(tb, p, ev, err) },
	}
	for _, s := range []domain.PetitionState{domain.StateValidated, domain.StateSponsored, domain.StateOpen, domain.StateClosed} {
		if p.State == want {
			break
		}
		steps[s]()
	}
	if p.State != want {
		tb.Fatalf("could not drive petition to %s (got %s)", want, p.State)
	}
	return p, log
}

func keyN(i int) string {
	return strings.Repeat("0", 62) + string(rune('a'+i/16)) + string("0123456789abcdef"[i%16])
}

// wantCode fails unless err is a *domain.Error with this code (and field,
// when given).
func wantCode(tb tbLike, err error, code, field string) {
	tb.Helper()
	if code == "" {
		if err != nil {
			tb.Fatalf("err = %v, want nil", err)
		}
		return
	}
	if !errors.Is(err, &domain.Error{Code: code, Field: field}) {
		tb.Fatalf("err = %v, want code %q field %q", err, code, field)
	}
	if domain.ErrorMessage(err) == "" {
		tb.Fatalf("err %v has no message", err)
	}
}

func newID() uuid.UUID { return uuid.New() }
