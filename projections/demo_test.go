package projections

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/internal/memstore"
)

// demoStore loads the full demo history (seed 1, fixed secrets and "now")
// into a memstore, in the demo's append order.
func demoStore(t *testing.T) (*memstore.Store, *demo.History) {
	t.Helper()
	hasher, err := domain.NewHasher(bytes.Repeat([]byte("h"), 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := demo.NewSealer("k1", bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	h, err := demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), Sealer: sealer,
		Rules: domain.Rules{Config: domain.DefaultConfig(), Hasher: hasher, Places: geo.Default()}})
	if err != nil {
		t.Fatal(err)
	}
	s := memstore.New()
	for _, r := range h.Records {
		data, err := domain.EncodeEvent(r.Event)
		if err != nil {
			t.Fatal(err)
		}
		ev := eventstore.EventData{ID: r.EventID, Type: r.Event.EventType(), Data: data}
		if _, err := s.Append(context.Background(), r.Stream, eventstore.Any{}, ev); err != nil {
			t.Fatal(err)
		}
	}
	return s, h
}

// TestDemoHistory folds the demo history (written by another engineer's
// generator, from the domain's own decisions) and checks every petition's
// count and state against the generator's own summary, the threshold
// timestamps of the seed petition, and pins the SHA-256 of the projection
// bytes (testdata/golden/demo.sha256; UPDATE_GOLDEN=1 regenerates).
func TestDemoHistory(t *testing.T) {
	t.Parallel() // generating the demo is the slowest step of the package's tests
	t0 := time.Now()
	store, h := demoStore(t)
	t.Logf("demo generated and loaded in %s", time.Since(t0))
	t0 = time.Now()
	defer func() { t.Logf("folded and checked in %s", time.Since(t0)) }()
	places, err := PlacesFromGeo(geo.Default())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	v, err := Rebuild(context.Background(), Config{Store: store, Dir: dir, Places: places, Logger: quietLog}, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, sum := range h.Petitions {
		got, ok := v.Petition(sum.ID)
		if !ok {
			t.Fatalf("petition %d missing", sum.ID)
		}
		if got.SignatureCount != int64(sum.Counted) || got.State != string(sum.State) {
			t.Errorf("petition %d (%s): count %d state %q; the generator says %d, %q",
				sum.ID, sum.Action, got.SignatureCount, got.State, sum.Counted, sum.State)
		}
	}
	seed, _ := v.Petition(1)
	if seed.SignatureCount != 44_150 || seed.State != "closed" || seed.ResponseThresholdReachedAt.IsZero() ||
		!seed.DebateThresholdReachedAt.IsZero() || seed.GovernmentResponse == nil || seed.GovernmentResponse.RespondedOn != "2022-03-21" ||
		len(seed.OtherBusiness) != 1 || seed.OtherBusiness[0].OccurredOn != "2022-05-25" {
		t.Errorf("seed petition: %+v", seed)
	}
	if n := len(seed.SignaturesByConstituency()); n != 650 {
		t.Errorf("seed petition has signatures in %d constituencies, want all 650", n)
	}
	var abroad int64
	for _, c := range seed.SignaturesByCountry() {
		if c.Code != "GB" {
			abroad += c.SignatureCount
		}
	}
	if abroad == 0 || seed.UnknownConstituencyCount() == 0 {
		t.Errorf("seed petition: %d from abroad, %d in unknown constituencies; the demo has both", abroad, seed.UnknownConstituencyCount())
	}

	sum := digest(t, dir)
	got := hex.EncodeToString(sum[:])
	path := filepath.Join("testdata", "golden", "demo.sha256")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("demo projection bytes: got sha256 %s, want %s", got, strings.TrimSpace(string(want)))
	}
}
