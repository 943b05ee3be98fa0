package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
	"github.com/petitionledger/petitionledger/httpapi"
	"github.com/petitionledger/petitionledger/httpapi/internal/apitest"
	"github.com/petitionledger/petitionledger/projections"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// Tokens used by the tests.
const (
	moderatorToken  = "moderator-token-0123456789"
	governmentToken = "government-token-0123456789"
	committeeToken  = "committee-token-0123456789"
	auditorToken    = "auditor-token-0123456789"
)

// Fixed places for the tests.
var (
	seatA = projections.Constituency{ONSCode: "E14000530", Name: "Camberwell and Peckham", MP: "Harriet Harman", RegionCode: "E12000007"}
	seatB = projections.Constituency{ONSCode: "E14000639", Name: "Holborn and St Pancras", MP: "Keir Starmer", RegionCode: "E12000007"}
	seatC = projections.Constituency{ONSCode: "S14000021", Name: "Edinburgh East", MP: "", RegionCode: "S92000003"}
)

func testPlaces(tb testing.TB) *projections.Places {
	tb.Helper()
	p, err := projections.NewPlaces([]projections.Constituency{seatB, seatA, seatC},
		[]projections.Region{{ONSCode: "E12000007", Name: "London"}, {ONSCode: "S92000003", Name: "Scotland"}},
		[]projections.Country{{Code: "GB", Name: "United Kingdom"}, {Code: "FR", Name: "France"}, {Code: "DE", Name: "Germany"}})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// fixture is a server over an in-memory store, real projections and a
// recording fake ledger.
type fixture struct {
	t      testing.TB
	store  *memstore.Store
	runner *projections.Runner
	ledger *fakeLedger
	api    *httpapi.Server
	srv    *httptest.Server
	now    time.Time
}

type fixtureOption func(*httpapi.Config)

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	store := memstore.New()
	runner, err := projections.NewRunner(projections.Config{Store: store, Dir: t.TempDir(), Places: testPlaces(t),
		Logger: quietLog, BatchSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	tokens := &httpapi.Tokens{}
	for role, tok := range map[httpapi.Role]string{httpapi.RoleModerator: moderatorToken,
		httpapi.RoleGovernment: governmentToken, httpapi.RoleCommittee: committeeToken, httpapi.RoleAuditor: auditorToken} {
		if err := tokens.Add(role, tok); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, store: store, runner: runner, ledger: &fakeLedger{}, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	cfg := httpapi.Config{Ledger: f.ledger, Projections: runner, Places: testPlaces(t),
		Tokens: tokens, Logger: quietLog, LiveInterval: 5 * time.Millisecond, PublicURL: "https://petitions.test",
		Now: func() time.Time { return f.now }}
	for _, o := range opts {
		o(&cfg)
	}
	api, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.api = api
	f.srv = httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		api.Close()
		f.srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	return f
}

// append writes domain events to a stream and waits until the projections
// reflect them.
func (f *fixture) append(stream string, events ...domain.Event) eventstore.Position {
	f.t.Helper()
	return apitest.Append(f.t, f.store, f.runner, stream, events...)
}

var (
	t0      = time.Date(2021, 9, 21, 10, 15, 0, 123_000_000, time.UTC)
	sealed  = domain.Sealed{KeyID: "k1", Nonce: []byte("nonce-12byte"), Ciphertext: []byte("ciphertext")}
	hexKeyA = strings.Repeat("ab", 32)
)

var key = apitest.Key

// createPetition writes a petition through creation, sponsorship and
// publication (open), and returns its publication time.
func (f *fixture) openPetition(id int64, action string) {
	f.t.Helper()
	f.append(domain.PetitionStream(id),
		domain.PetitionCreated{PetitionID: id, Action: action, Background: "Background of " + action,
			AdditionalDetails: "Details.", CreatorKey: hexKeyA, CreatorSignatureID: uuid.New(), CreatorSealed: sealed, At: t0},
		domain.PetitionCreatorConfirmed{PetitionID: id, At: t0.Add(time.Minute)})
	for _, e := range apitest.Sponsors(id, t0) {
		f.append(domain.PetitionStream(id), e)
	}
	f.append(domain.PetitionStream(id), domain.PetitionPublished{PetitionID: id, From: domain.StateSponsored,
		Deadline: "2022-03-21", ClosesAt: time.Date(2022, 3, 22, 0, 0, 0, 0, time.UTC), At: t0.Add(24 * time.Hour)})
}

// createPending writes a petition that stays pending (not public).
func (f *fixture) createPending(id int64, action string) {
	f.t.Helper()
	f.append(domain.PetitionStream(id), domain.PetitionCreated{PetitionID: id, Action: action, Background: "b",
		CreatorKey: hexKeyA, CreatorSignatureID: uuid.New(), CreatorSealed: sealed, At: t0})
}

// sign writes a validated signature from loc and returns the position.
func (f *fixture) sign(id int64, n int, loc domain.Location) eventstore.Position {
	f.t.Helper()
	at := t0.Add(48*time.Hour + time.Duration(n)*time.Second)
	return f.append(domain.SignerStream(id, key(n)), apitest.Signature(id, n, loc, at, sealed)...)
}

// do sends a request and returns the response and its body.
func (f *fixture) do(method, path string, body string, headers ...string) (*http.Response, []byte) {
	f.t.Helper()
	return apitest.Do(f.t, f.srv.Client(), method, f.srv.URL+path, body, headers...)
}

// problem decodes a problem+json body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field"`
}

func mustProblem(t testing.TB, resp *http.Response, body []byte, status int, code, field string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status: got %d, want %d (body %s)", resp.StatusCode, status, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/problem+json" {
		t.Fatalf("content type: got %q, want application/problem+json", got)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %s: %v", body, err)
	}
	if p.Code != code || p.Field != field || p.Status != status || p.Type != "/problems/"+code || p.Title == "" {
		t.Fatalf("problem: got %+v, want code %q field %q status %d", p, code, field, status)
	}
}

// fakeLedger records the commands it receives and answers with scripted
// receipts or errors. It stands for ledger/ in the adapter's tests; the
// real ledger is exercised end to end in cmd/petitionledger.
type fakeLedger struct {
	mu    sync.Mutex
	calls []call
	err   error // returned by every command when set
	pos   uint64
}

type call struct {
	Name string
	ID   int64
	Arg  any
}

func (l *fakeLedger) record(name string, id int64, arg any) (httpapi.Receipt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call{name, id, arg})
	if l.err != nil {
		return httpapi.Receipt{}, l.err
	}
	l.pos += 10
	return httpapi.Receipt{PetitionID: id, EventID: uuid.MustParse("00000000-0000-4000-8000-000000000001"),
		Position: eventstore.Position{Commit: l.pos, Prepare: l.pos}}, nil
}

func (l *fakeLedger) last() call {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.calls) == 0 {
		return call{}
	}
	return l.calls[len(l.calls)-1]
}

func (l *fakeLedger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

func (l *fakeLedger) CreatePetition(_ context.Context, c domain.CreatePetition) (httpapi.Receipt, error) {
	rc, err := l.record("create", 0, c)
	rc.PetitionID = 42
	return rc, err
}
func (l *fakeLedger) Sponsor(_ context.Context, id int64, in domain.SignerInput, eventID uuid.UUID) (httpapi.Receipt, error) {
	return l.withSig(l.record("sponsor", id, signArg{in, eventID}))
}
func (l *fakeLedger) Sign(_ context.Context, id int64, in domain.SignerInput, eventID uuid.UUID) (httpapi.Receipt, error) {
	return l.withSig(l.record("sign", id, signArg{in, eventID}))
}

type signArg struct {
	In      domain.SignerInput
	EventID uuid.UUID
}

func (l *fakeLedger) withSig(rc httpapi.Receipt, err error) (httpapi.Receipt, error) {
	rc.SignatureID = uuid.MustParse("00000000-0000-4000-8000-0000000000aa")
	return rc, err
}
func (l *fakeLedger) ValidateSignature(_ context.Context, link httpapi.SignatureLink) (httpapi.Receipt, error) {
	return l.withSig(l.record("validate", link.PetitionID, link))
}
func (l *fakeLedger) Moderate(_ context.Context, id int64, m domain.Moderation) (httpapi.Receipt, error) {
	return l.record("moderate", id, m)
}
func (l *fakeLedger) Close(_ context.Context, id int64, r domain.CloseReason) (httpapi.Receipt, error) {
	return l.record("close", id, r)
}
func (l *fakeLedger) RespondAsGovernment(_ context.Context, id int64, r domain.GovernmentResponse) (httpapi.Receipt, error) {
	return l.record("respond", id, r)
}
func (l *fakeLedger) ScheduleDebate(_ context.Context, id int64, d string) (httpapi.Receipt, error) {
	return l.record("schedule_debate", id, d)
}
func (l *fakeLedger) RecordDebateOutcome(_ context.Context, id int64, d domain.DebateOutcome) (httpapi.Receipt, error) {
	return l.record("debate_outcome", id, d)
}
func (l *fakeLedger) AddOtherBusiness(_ context.Context, id int64, b domain.OtherBusiness) (httpapi.Receipt, error) {
	return l.record("other_business", id, b)
}
func (l *fakeLedger) Invalidate(_ context.Context, req domain.InvalidationRequest) (httpapi.InvalidationReceipt, error) {
	rc, err := l.record("invalidate", req.PetitionID, req)
	return httpapi.InvalidationReceipt{InvalidationID: uuid.MustParse("00000000-0000-4000-8000-0000000000bb"),
		MatchingCount: 7, InvalidatedCount: 5, Position: rc.Position}, err
}

// syncBuffer is a log sink safe for concurrent writers and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
