package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/httpapi"
	"github.com/petitionledger/petitionledger/httpapi/internal/apitest"
	"github.com/petitionledger/petitionledger/httpapi/web"
	"github.com/petitionledger/petitionledger/projections"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture serves the pages and the JSON API over a real embedded store and
// real projections; the write port is never called by these tests.
type fixture struct {
	t      testing.TB
	store  *embedded.Store
	runner *projections.Runner
	places *projections.Places
	srv    *httptest.Server
}

// readOnlyLedger is the write port of a read-only server: every write fails.
type readOnlyLedger struct{ httpapi.Ledger }

func geoPlaces(tb testing.TB) *projections.Places {
	tb.Helper()
	g := geo.Default()
	seen := map[string]bool{}
	var regions []projections.Region
	var seats []projections.Constituency
	for _, c := range g.Constituencies() {
		if c.ONSCode == "" || c.ONSCode == geo.UnknownConstituency {
			continue
		}
		if !seen[c.RegionCode] {
			seen[c.RegionCode] = true
			regions = append(regions, projections.Region{ONSCode: c.RegionCode, Name: c.Region})
		}
		seats = append(seats, projections.Constituency{ONSCode: c.ONSCode, Name: c.Name, MP: c.MP, RegionCode: c.RegionCode})
	}
	p, err := projections.NewPlaces(seats, regions, []projections.Country{{Code: "GB", Name: "United Kingdom"}})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func newFixture(t testing.TB, opts ...func(*web.Config)) *fixture {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.WithLogger(quietLog))
	if err != nil {
		t.Fatal(err)
	}
	places := geoPlaces(t)
	runner, err := projections.NewRunner(projections.Config{Store: store, Dir: t.TempDir(), Places: places, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	api, err := httpapi.New(httpapi.Config{Ledger: readOnlyLedger{}, Projections: runner, Places: places, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{Views: runner, Places: places, Logger: quietLog}
	for _, o := range opts {
		o(&cfg)
	}
	pages, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pages.Register(api)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		srv.Close()
		api.Close()
		cancel()
		<-done
		_ = store.Close()
	})
	return &fixture{t: t, store: store, runner: runner, places: places, srv: srv}
}

var (
	t0     = time.Date(2025, 9, 21, 10, 15, 0, 0, time.UTC)
	sealed = domain.Sealed{KeyID: "k1", Nonce: []byte("nonce-12byte"), Ciphertext: []byte("ciphertext")}
)

var key = apitest.Key

// append writes events to a stream and waits until the projections show them.
func (f *fixture) append(stream string, events ...domain.Event) {
	f.t.Helper()
	apitest.Append(f.t, f.store, f.runner, stream, events...)
}

// openPetition writes a petition through creation, sponsorship and publication.
func (f *fixture) openPetition(id int64, action, background string) {
	f.t.Helper()
	evs := []domain.Event{
		domain.PetitionCreated{PetitionID: id, Action: action, Background: background,
			CreatorKey: key(900), CreatorSignatureID: uuid.New(), CreatorSealed: sealed, At: t0},
		domain.PetitionCreatorConfirmed{PetitionID: id, At: t0.Add(time.Minute)},
	}
	evs = append(evs, apitest.Sponsors(id, t0)...)
	evs = append(evs, domain.PetitionPublished{PetitionID: id, From: domain.StateSponsored,
		Deadline: "2026-03-21", ClosesAt: time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC), At: t0.Add(24 * time.Hour)})
	f.append(domain.PetitionStream(id), evs...)
}

// sign writes signature n, validated, from constituency code.
func (f *fixture) sign(id int64, n int, code string) {
	f.t.Helper()
	at := t0.Add(48*time.Hour + time.Duration(n)*time.Second)
	loc := domain.Location{Constituency: code, Country: "GB"}
	f.append(domain.SignerStream(id, key(n)), apitest.Signature(id, n, loc, at, sealed)...)
}

// get fetches path and returns the response and body.
func (f *fixture) get(path string) (*http.Response, string) {
	f.t.Helper()
	resp, b := apitest.Do(f.t, f.srv.Client(), "GET", f.srv.URL+path, "")
	return resp, string(b)
}

func mustContain(t testing.TB, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// createPending writes a petition that stays pending (not public).
func (f *fixture) createPending(id int64, action string) {
	f.t.Helper()
	f.append(domain.PetitionStream(id), domain.PetitionCreated{PetitionID: id, Action: action, Background: "b",
		CreatorKey: key(900), CreatorSignatureID: uuid.New(), CreatorSealed: sealed, At: t0})
}
