package verify

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/internal/memstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"golang.org/x/mod/sumdb/note"
)

var (
	demoOnce sync.Once
	demoHist *demo.History
	demoErr  error
)

// demoHistory generates the seeded demo history once per test binary.
func demoHistory(t testing.TB) *demo.History {
	t.Helper()
	demoOnce.Do(func() {
		hasher, err := domain.NewHasher(bytes.Repeat([]byte("h"), 32))
		if err != nil {
			demoErr = err
			return
		}
		sealer, err := demo.NewSealer("k1", bytes.Repeat([]byte{7}, 32))
		if err != nil {
			demoErr = err
			return
		}
		demoHist, demoErr = demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), Sealer: sealer,
			Rules: domain.Rules{Config: domain.DefaultConfig(), Hasher: hasher, Places: geo.Default()}})
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoHist
}

// loadRecords appends records (possibly tampered) to a fresh memstore.
func loadRecords(t testing.TB, recs []eventstore.EventData, streams []string) *memstore.Store {
	t.Helper()
	s := memstore.New()
	for i, ev := range recs {
		if _, err := s.Append(context.Background(), streams[i], eventstore.Any{}, ev); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func demoEvents(t testing.TB) ([]eventstore.EventData, []string) {
	t.Helper()
	h := demoHistory(t)
	evs := make([]eventstore.EventData, len(h.Records))
	streams := make([]string, len(h.Records))
	for i, r := range h.Records {
		data, err := domain.EncodeEvent(r.Event)
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = eventstore.EventData{ID: r.EventID, Type: r.Event.EventType(), Data: data}
		streams[i] = r.Stream
	}
	return evs, streams
}

// served is what a server would hold for a store: its tree, key and a
// signed checkpoint of the whole log (plus one at half size in History).
type served struct {
	tree     *merkle.Tree
	treeDir  string
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	cp       []byte
	history  [][]byte
}

func serve(t testing.TB, s eventstore.Store) *served {
	t.Helper()
	dir := t.TempDir()
	tr, err := merkle.OpenTree(filepath.Join(dir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	evs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	es := make([]merkle.Entry, len(evs))
	for i := range evs {
		es[i] = merkle.Entry{Hash: merkle.LeafHash(&evs[i]), Position: evs[i].Position}
	}
	if err := tr.Append(es); err != nil {
		t.Fatal(err)
	}
	sv := &served{tree: tr, treeDir: filepath.Join(dir, "tree")}
	sv.signer, sv.vkey = newKey(t, filepath.Join(dir, "k"))
	sv.verifier, _ = merkle.ParseVerifier(sv.vkey)
	for _, size := range []int64{tr.Size() / 2, tr.Size()} {
		root, _ := tr.Root(size)
		msg, err := merkle.Checkpoint{Origin: "test.example/ledger", Size: size, Root: root}.Sign(sv.signer)
		if err != nil {
			t.Fatal(err)
		}
		sv.history = append(sv.history, msg)
		sv.cp = msg
	}
	return sv
}

func newKey(t testing.TB, file string) (note.Signer, string) {
	t.Helper()
	if _, err := merkle.GenerateKey("ledger-test", file, ""); err != nil {
		t.Fatal(err)
	}
	s, vkey, err := merkle.LoadSigner(file)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}
