package projections

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/internal/golden"
)

var (
	demoOnce    sync.Once
	demoShared  *embedded.Store
	demoHistory *demo.History
	demoErr     error
)

// demoChunk is how many demo records go in one append. The fold reads the
// petition from each event's body, never from the stream name, so the demo
// is appended in order, 1,000 records per append to streams "demo-<k>":
// one append per record, each fsynced by the embedded store, took over a
// minute. (The generated histories keep their real stream names.)
const demoChunk = 1000

// demoStore returns an embedded store holding the full demo history (seed
// 1, fixed secrets and "now"), in the demo's append order. It is generated
// and loaded once per test binary and shared: tests must not append to it.
func demoStore(t *testing.T) (*embedded.Store, *demo.History) {
	t.Helper()
	demoOnce.Do(func() { demoShared, demoHistory, demoErr = loadDemo(sharedDir(t, "demo")) })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoShared, demoHistory
}

func loadDemo(dir string) (*embedded.Store, *demo.History, error) {
	hasher, err := domain.NewHasher(bytes.Repeat([]byte("h"), 32))
	if err != nil {
		return nil, nil, err
	}
	sealer, err := demo.NewSealer("k1", bytes.Repeat([]byte{7}, 32))
	if err != nil {
		return nil, nil, err
	}
	h, err := demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), Sealer: sealer,
		Rules: domain.Rules{Config: domain.DefaultConfig(), Hasher: hasher, Places: geo.Default()}})
	if err != nil {
		return nil, nil, err
	}
	s, err := embedded.Open(dir, embedded.WithLogger(quietLog))
	if err != nil {
		return nil, nil, err
	}
	atExit(func() { _ = s.Close() })
	for i := 0; i < len(h.Records); i += demoChunk {
		var evs []eventstore.EventData
		for _, r := range h.Records[i:min(len(h.Records), i+demoChunk)] {
			data, err := domain.EncodeEvent(r.Event)
			if err != nil {
				return nil, nil, err
			}
			evs = append(evs, eventstore.EventData{ID: r.EventID, Type: r.Event.EventType(), Data: data})
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("demo-%d", i/demoChunk), eventstore.NoStream{}, evs...); err != nil {
			return nil, nil, err
		}
	}
	return s, h, nil
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
	golden.Check(t, filepath.Join("testdata", "golden", "demo.sha256"), []byte(got+"\n"))
}
