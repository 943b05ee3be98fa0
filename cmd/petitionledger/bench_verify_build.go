package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections/merkle"
)

// benchLedger is the layout of a `bench verify` directory:
//
//	manifest.json                  what was built (complete only once all of it is)
//	store/                         the embedded store (the ledger)
//	store/projections/merkle/      the server's tree and checkpoint history, where serve keeps them
//	checkpoint                     the signed checkpoint of the whole ledger
//	checkpoint.key, checkpoint.key.pub
type benchLedger struct{ dir string }

func (l benchLedger) store() string      { return filepath.Join(l.dir, "store") }
func (l benchLedger) treeDir() string    { return filepath.Join(l.dir, "store", "projections", "merkle") }
func (l benchLedger) history() string    { return filepath.Join(l.treeDir(), "checkpoints") }
func (l benchLedger) checkpoint() string { return filepath.Join(l.dir, "checkpoint") }
func (l benchLedger) key() string        { return filepath.Join(l.dir, "checkpoint.key") }
func (l benchLedger) pubKey() string     { return l.key() + ".pub" }
func (l benchLedger) manifest() string   { return filepath.Join(l.dir, "manifest.json") }

// benchLedgerManifest records a built ledger; Complete is written last.
type benchLedgerManifest struct {
	Format       int     `json:"format"`
	Events       int64   `json:"events"`
	Histories    int     `json:"histories"`
	Petitions    int64   `json:"petitions"`
	Checkpoints  int     `json:"checkpoints"`
	Origin       string  `json:"origin"`
	BuildSeconds float64 `json:"build_seconds"`
	Complete     bool    `json:"complete"`
}

const (
	benchLedgerFormat = 1
	benchLedgerOrigin = "bench.petitionledger.local/ledger"
)

// benchDemoNow is the demo's present for every history of the ledger.
var benchDemoNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// errBenchDirForeign reports a --dir that holds something else.
var errBenchDirForeign = errors.New("bench verify: directory is not empty and holds no bench verify manifest")

// openBenchLedger returns the manifest of a complete ledger of exactly
// events events in l, or ok false when it must be (re)built. A directory
// that holds anything but a bench ledger is an error, never removed.
func openBenchLedger(l benchLedger, events int64) (benchLedgerManifest, bool, error) {
	var m benchLedgerManifest
	b, err := os.ReadFile(l.manifest())
	if errors.Is(err, os.ErrNotExist) {
		entries, derr := os.ReadDir(l.dir)
		if derr == nil && len(entries) > 0 {
			return m, false, fmt.Errorf("%w: %s", errBenchDirForeign, l.dir)
		}
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("bench verify: %s: %w", l.manifest(), err)
	}
	if !m.Complete || m.Format != benchLedgerFormat || m.Events != events {
		return m, false, nil
	}
	pub, err := os.ReadFile(l.pubKey())
	if err != nil {
		return m, false, nil
	}
	v, err := merkle.ParseVerifier(string(pub))
	if err != nil {
		return m, false, nil
	}
	cp, err := os.ReadFile(l.checkpoint())
	if err != nil {
		return m, false, nil
	}
	c, err := merkle.OpenCheckpoint(cp, v, benchLedgerOrigin)
	if err != nil || c.Size != events {
		return m, false, nil
	}
	return m, true, nil
}

// buildBenchLedger (re)builds l with events events: demo histories, each
// generated with its own seed and moved to its own petition IDs, loaded one
// after another (the last one cut to make the count exact), then the
// server's tree, ten signed checkpoints in its history and the last one in
// l.checkpoint().
func buildBenchLedger(ctx context.Context, l benchLedger, events int64, progress io.Writer) (benchLedgerManifest, error) {
	start := time.Now()
	m := benchLedgerManifest{Format: benchLedgerFormat, Events: events, Origin: benchLedgerOrigin}
	for _, p := range []string{l.store(), l.checkpoint(), l.key(), l.pubKey()} {
		if err := os.RemoveAll(p); err != nil {
			return m, err
		}
	}
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return m, err
	}
	if err := writeBenchManifest(l, m); err != nil {
		return m, err
	}
	store, err := embedded.Open(l.store(), embedded.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return m, err
	}
	defer store.Close()
	if m.Histories, m.Petitions, err = loadBenchHistories(ctx, store, events, progress); err != nil {
		return m, err
	}
	fmt.Fprintf(progress, "bench verify: %d events appended in %v; building the tree\n", events, time.Since(start).Round(time.Second))
	if err := buildBenchTree(ctx, store, l.treeDir(), events); err != nil {
		return m, err
	}
	if m.Checkpoints, err = signBenchCheckpoints(l, events); err != nil {
		return m, err
	}
	m.BuildSeconds = time.Since(start).Seconds()
	m.Complete = true
	return m, writeBenchManifest(l, m)
}

func writeBenchManifest(l benchLedger, m benchLedgerManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(l.manifest(), append(b, '\n'), 0o644)
}

// benchSecrets are the ledger's fixed hashing secret and sealing key, so
// the same command builds the same ledger.
func benchSecrets() (domain.Rules, *domain.Keyring, demo.Sealer, error) {
	hk := sha256.Sum256([]byte("petitionledger bench verify: hashing secret"))
	sk := sha256.Sum256([]byte("petitionledger bench verify: sealing key"))
	hasher, err := domain.NewHasher(hk[:])
	if err != nil {
		return domain.Rules{}, nil, nil, err
	}
	keys, err := domain.NewKeyring("bench-1", map[string][]byte{"bench-1": sk[:]})
	if err != nil {
		return domain.Rules{}, nil, nil, err
	}
	sealer, err := demo.NewSealer("bench-1", sk[:])
	if err != nil {
		return domain.Rules{}, nil, nil, err
	}
	return domain.Rules{Config: domain.DefaultConfig(), Hasher: hasher, Places: geo.Default()}, keys, sealer, nil
}

// generated is one demo history, or why it could not be made.
type generated struct {
	h   *demo.History
	err error
}

// generateHistories generates the histories of seeds 1, 2, 3, ... two at
// a time ahead of the loader, delivered in order on the returned channel
// (each as a channel of its own result). Cancel ctx to stop.
func generateHistories(ctx context.Context, rules domain.Rules, sealer demo.Sealer) <-chan chan generated {
	out := make(chan chan generated, 2)
	go func() {
		defer close(out)
		for seed := uint64(1); ; seed++ {
			ch := make(chan generated, 1)
			select {
			case out <- ch:
			case <-ctx.Done():
				return
			}
			go func() {
				h, err := demo.Generate(demo.Options{Seed: seed, Now: benchDemoNow, Rules: rules, Sealer: sealer})
				ch <- generated{h, err}
			}()
		}
	}()
	return out
}

// loadBenchHistories appends histories until the store holds events
// events, and returns how many histories and petitions it used.
func loadBenchHistories(ctx context.Context, store eventstore.Store, events int64, progress io.Writer) (int, int64, error) {
	rules, keys, sealer, err := benchSecrets()
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gen := generateHistories(ctx, rules, sealer)
	var done, petitions int64
	histories := 0
	start := time.Now()
	for done < events {
		res := <-<-gen
		if res.err != nil {
			return histories, petitions, res.err
		}
		recs, err := remapHistory(res.h, petitionRemap{offset: petitions, open: keys, seal: sealer}, events-done)
		if err != nil {
			return histories, petitions, err
		}
		if _, err := loadDemoHistory(ctx, store, &demo.History{Records: recs}); err != nil {
			return histories, petitions, err
		}
		done += int64(len(recs))
		petitions += int64(len(res.h.Petitions))
		histories++
		fmt.Fprintf(progress, "bench verify: history %d: %d/%d events (%.0f events/s)\n",
			histories, done, events, float64(done)/time.Since(start).Seconds())
	}
	return histories, petitions, nil
}

// remapHistory returns at most limit records of h moved by m.
func remapHistory(h *demo.History, m petitionRemap, limit int64) ([]demo.Record, error) {
	recs := h.Records
	if int64(len(recs)) > limit {
		recs = recs[:limit]
	}
	out := make([]demo.Record, len(recs))
	for i, r := range recs {
		var err error
		if out[i], err = m.record(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// buildBenchTree appends the leaf of each of the first events events of
// $all to a new tree in dir, as the server's follower does.
func buildBenchTree(ctx context.Context, store eventstore.Store, dir string, events int64) error {
	tr, err := merkle.OpenTree(dir)
	if err != nil {
		return err
	}
	defer tr.Close()
	if tr.Size() != 0 {
		return fmt.Errorf("bench verify: tree in %s is not empty", dir)
	}
	var from eventstore.AllFrom = eventstore.Start{}
	var last *eventstore.Position
	entries := make([]merkle.Entry, 0, 4096)
	var buf []byte
	for tr.Size() < events {
		evs, err := store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, MaxCount: 4096})
		if err != nil {
			return err
		}
		if last != nil && len(evs) > 0 && evs[0].Position == *last {
			evs = evs[1:]
		}
		if len(evs) == 0 {
			return fmt.Errorf("bench verify: the store has %d events, want %d", tr.Size(), events)
		}
		evs = evs[:min(int64(len(evs)), events-tr.Size())]
		entries = entries[:0]
		for i := range evs {
			var h merkle.Hash
			h, buf = merkle.HashEvent(buf, &evs[i])
			entries = append(entries, merkle.Entry{Hash: h, Position: evs[i].Position})
		}
		if err := tr.Append(entries); err != nil {
			return err
		}
		p := evs[len(evs)-1].Position
		from, last = p, &p
	}
	return tr.Sync()
}

// signBenchCheckpoints makes the key, signs checkpoints at a tenth, two
// tenths, ... of the ledger into the tree's history (as a server publishing
// as it grows would have), and writes the last one to l.checkpoint().
func signBenchCheckpoints(l benchLedger, events int64) (int, error) {
	if _, err := merkle.GenerateKey("petitionledger-bench", l.key(), l.pubKey()); err != nil {
		return 0, err
	}
	signer, _, err := merkle.LoadSigner(l.key())
	if err != nil {
		return 0, err
	}
	tr, err := merkle.OpenTree(l.treeDir())
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	hist, err := merkle.OpenHistory(l.history())
	if err != nil {
		return 0, err
	}
	defer hist.Close()
	var msg []byte
	n := 0
	for i := int64(1); i <= 10; i++ {
		size := events * i / 10
		if size == 0 || (msg != nil && size == events*(i-1)/10) {
			continue
		}
		root, err := tr.Root(size)
		if err != nil {
			return n, err
		}
		if msg, err = (merkle.Checkpoint{Origin: benchLedgerOrigin, Size: size, Root: root}).Sign(signer); err != nil {
			return n, err
		}
		if err := hist.Append(msg); err != nil {
			return n, err
		}
		n++
	}
	return n, os.WriteFile(l.checkpoint(), msg, 0o644)
}
