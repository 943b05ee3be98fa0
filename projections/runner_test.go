package projections

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/internal/gen"
)

// startRunner runs a Runner over store in dir until the test ends.
func startRunner(t *testing.T, store eventstore.Store, dir string, every uint64) (*Runner, func()) {
	t.Helper()
	r, err := NewRunner(Config{Store: store, Dir: dir, Places: testPlaces(t), Rules: testRules, Logger: quietLog,
		CheckpointEvery: every, BatchSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	return r, stop
}

func lastPosition(t *testing.T, s eventstore.Store) eventstore.Position {
	evs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{Direction: eventstore.Backwards, MaxCount: 1})
	if err != nil || len(evs) != 1 {
		t.Fatalf("last position: %v", err)
	}
	return evs[0].Position
}

// digest is the SHA-256 of the serialized ledger state and every audit
// file, in petition order: the bytes the determinism tests compare.
func digest(t *testing.T, dir string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "projections.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(b)
	names, _ := filepath.Glob(filepath.Join(dir, "audit", "*.audit"))
	sort.Strings(names)
	for _, n := range names {
		a, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.Base(n)))
		h.Write(a)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func buildTo(t *testing.T, store eventstore.Store, dir string, every uint64) *View {
	r, stop := startRunner(t, store, dir, every)
	v, err := r.WaitFor(context.Background(), lastPosition(t, store))
	stop()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRebuildEqualsIncrementalAndCheckpointCatchUp(t *testing.T) {
	h := mustHistory(t, genOptions(7, 10, 3000))
	half := len(h) / 2 / historyChunk * historyChunk

	// A: rebuild from zero over the whole log.
	full := fill(t, h)
	dirA := t.TempDir()
	buildTo(t, full, dirA, 1<<40)

	// B: live, incremental: the runner follows while events are appended.
	live := openStore(t)
	dirB := t.TempDir()
	r, stop := startRunner(t, live, dirB, 500)
	appendHistory(t, live, h, 0, len(h), nil)
	if _, err := r.WaitFor(context.Background(), lastPosition(t, live)); err != nil {
		t.Fatal(err)
	}
	stop()

	// C: a checkpoint at half the log, then a new runner catches up.
	partial := openStore(t)
	appendHistory(t, partial, h, 0, half, nil)
	dirC := t.TempDir()
	buildTo(t, partial, dirC, 1<<40)
	appendHistory(t, partial, h, half, len(h), nil)
	buildTo(t, partial, dirC, 1<<40)

	a, b, c := digest(t, dirA), digest(t, dirB), digest(t, dirC)
	if a != b || a != c {
		t.Fatalf("projection bytes differ: rebuild %x, incremental %x, checkpoint+catch-up %x", a, b, c)
	}
}

func TestCorruptCheckpointRebuildsFromZero(t *testing.T) {
	h := mustHistory(t, genOptions(8, 5, 800))
	store := fill(t, h)
	dir := t.TempDir()
	want := buildTo(t, store, dir, 1<<40)
	good := digest(t, dir)
	ckpt := filepath.Join(dir, "projections.ckpt")
	orig, _ := os.ReadFile(ckpt)
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		want   error
	}{
		{"FlippedPayloadByte", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }, ErrCheckpointCorrupt},
		{"Truncated", func(b []byte) []byte { return b[:len(b)-9] }, ErrCheckpointCorrupt},
		{"BadMagic", func(b []byte) []byte { b[0] = 'X'; return b }, ErrCheckpointCorrupt},
		{"OtherVersion", func(b []byte) []byte { b[11] = 9; return b }, ErrCheckpointVersion},
		{"Empty", func(b []byte) []byte { return nil }, ErrCheckpointCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := tt.mutate(append([]byte(nil), orig...))
			if _, err := decodeCheckpoint(bad); !errors.Is(err, tt.want) && !(tt.want == ErrCheckpointCorrupt && errors.Is(err, ErrCheckpointCorrupt)) {
				t.Fatalf("decodeCheckpoint: got %v, want %v", err, tt.want)
			}
			if err := os.WriteFile(ckpt, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			// Audit files longer than any checkpoint would cover must not survive.
			r, err := NewRunner(Config{Store: store, Dir: dir, Places: testPlaces(t), Rules: testRules, Logger: quietLog})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.View().EventsApplied(); got != 0 {
				t.Fatalf("after a corrupt checkpoint the runner starts at %d events, want 0", got)
			}
			got := buildTo(t, store, dir, 1<<40)
			if got.EventsApplied() != want.EventsApplied() || digest(t, dir) != good {
				t.Fatalf("rebuild after corrupt checkpoint differs")
			}
		})
	}
}

// TestConcurrentReadersNeverSeeTornViews appends while readers check that
// every view is internally consistent: each petition's count equals the sum
// of its per-country counts, and no petition reflects a position beyond the
// view's.
func TestConcurrentReadersNeverSeeTornViews(t *testing.T) {
	h := mustHistory(t, genOptions(9, 8, 2500))
	store := openStore(t)
	r, stop := startRunner(t, store, t.TempDir(), 1000)
	defer stop()
	var changes sync.Map
	remove := r.OnChange(func(c Change) {
		for _, id := range c.Petitions {
			changes.Store(id, true)
		}
	})
	defer remove()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for k := 0; k < 3; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := checkViewConsistent(r.View()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var last eventstore.Position
	appendHistory(t, store, h, 0, len(h), func(res eventstore.AppendResult, end int) {
		last = res.Position
		if end/historyChunk%3 == 0 { // a writer waits until its append is visible
			v, err := r.WaitFor(context.Background(), res.Position)
			if err != nil || v.Position().Compare(res.Position) < 0 {
				t.Fatalf("WaitFor(%s): view at %v, err %v", res.Position, v, err)
			}
		}
	})
	if _, err := r.WaitFor(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	changes.Range(func(any, any) bool { n++; return true })
	if n != r.View().Len() {
		t.Fatalf("OnChange reported %d petitions, view has %d", n, r.View().Len())
	}
}

func checkViewConsistent(v *View) error {
	for o := 0; o < v.Len(); o++ {
		s := v.at(o)
		var sum int64
		for _, c := range s.SignaturesByCountry() {
			sum += c.SignatureCount
		}
		if sum != s.SignatureCount {
			return errors.New("torn view: country counts do not sum to the signature count")
		}
		if s.Position.Compare(v.Position()) > 0 {
			return errors.New("torn view: petition ahead of its view")
		}
	}
	return nil
}

func TestWaitForReturnsWhenContextEnds(t *testing.T) {
	store := fill(t, mustHistory(t, genOptions(10, 1, 10)))
	r, stop := startRunner(t, store, t.TempDir(), 1<<40)
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.WaitFor(ctx, eventstore.Position{Commit: 1 << 60, Prepare: 1 << 60})
	if !errors.Is(err, ErrPositionNotReached) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want ErrPositionNotReached wrapping context.Canceled", err)
	}
}

func TestWaitForGivingUpLeavesNoWaiter(t *testing.T) {
	store := fill(t, mustHistory(t, genOptions(13, 1, 10)))
	r, stop := startRunner(t, store, t.TempDir(), 1<<40)
	defer stop()
	for i := 0; i < 100; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.WaitFor(ctx, eventstore.Position{Commit: 1 << 60}); err == nil {
			t.Fatal("WaitFor for a far position returned no error")
		}
	}
	r.mu.Lock()
	n := len(r.waiters)
	r.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d waiters left parked after their callers gave up", n)
	}
}

// TestStoreFilterEqualsUnfiltered: asking the store to skip the events the
// fold does not read gives the same state and audit trail, and WaitFor on a
// skipped event's position still returns.
func TestStoreFilterEqualsUnfiltered(t *testing.T) {
	h := mustHistory(t, genOptions(15, 6, 1500))
	store := fill(t, h)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := buildTo(t, store, dirA, 1<<40)
	r, err := NewRunner(Config{Store: store, Dir: dirB, Places: testPlaces(t), Rules: testRules, Logger: quietLog, StoreFilter: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	last := lastPosition(t, store)
	b, err := r.WaitFor(context.Background(), last)
	if err != nil {
		t.Fatal(err)
	}
	// A SignatureSigned appended live is skipped by the store, yet visible.
	res, err := store.Append(context.Background(), h[len(h)-1].Stream, eventstore.Any{}, signedCopy(t, h))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.WaitFor(context.Background(), res.Position); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if a.Position() != last || b.Position() != last || b.EventsApplied() >= a.EventsApplied() {
		t.Fatalf("positions %s / %s (want %s); events folded %d filtered vs %d", a.Position(), b.Position(), last, b.EventsApplied(), a.EventsApplied())
	}
	for o := 0; o < a.Len(); o++ {
		x, y := a.at(o), b.at(o)
		if string(encodeState(x)) != string(encodeState(y)) {
			t.Fatalf("petition %d differs with the store filter", x.ID)
		}
	}
}

// signedCopy returns a fresh copy (new ID) of the history's last
// SignatureSigned event.
func signedCopy(t *testing.T, h []gen.Append) eventstore.EventData {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Event.Type == "SignatureSigned.v1" {
			e := h[i].Event
			e.ID = uuid.New()
			return e
		}
	}
	t.Fatal("no SignatureSigned in the history")
	return eventstore.EventData{}
}

// TestRestartFromCheckpointPublishesEveryPetition: a runner that loads a
// checkpoint and has nothing to catch up serves the same view.
func TestRestartFromCheckpointPublishesEveryPetition(t *testing.T) {
	store := fill(t, mustHistory(t, genOptions(16, 5, 600)))
	dir := t.TempDir()
	before := buildTo(t, store, dir, 1<<40)
	r, err := NewRunner(Config{Store: store, Dir: dir, Places: testPlaces(t), Rules: testRules, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	after := r.View()
	if after.Position() != before.Position() || after.Len() != before.Len() {
		t.Fatalf("restarted view at %s with %d petitions, want %s with %d", after.Position(), after.Len(), before.Position(), before.Len())
	}
	for o := 0; o < before.Len(); o++ {
		id := before.at(o).ID
		got, ok := after.Petition(id)
		if !ok || string(encodeState(&got)) != string(encodeState(before.at(o))) {
			t.Fatalf("petition %d differs after restart", id)
		}
	}
}

// TestLastEventsOfABurstBecomeVisible is the regression test for events
// held back while the subscription is idle: append bursts of events in one
// Append and wait for the last of each, with no later write to push them.
func TestLastEventsOfABurstBecomeVisible(t *testing.T) {
	h := mustHistory(t, genOptions(17, 3, 400))
	store := openStore(t)
	r, stop := startRunner(t, store, t.TempDir(), 1<<40)
	defer stop()
	for i := 0; i < len(h); {
		n := 1 + i%5
		var evs []eventstore.EventData
		for j := i; j < min(len(h), i+n); j++ {
			evs = append(evs, h[j].Event)
		}
		res, err := store.Append(context.Background(), "burst", eventstore.Any{}, evs...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err = r.WaitFor(ctx, res.Position)
		cancel()
		if err != nil {
			t.Fatalf("burst ending at %s never became visible: %v", res.Position, err)
		}
		i += len(evs)
	}
}

func TestPlacesAccessors(t *testing.T) {
	p := testPlaces(t)
	if got := len(p.Regions()); got != 3 {
		t.Fatalf("regions: got %d, want 3", got)
	}
	if r, ok := p.RegionOf("E14000004"); !ok || r.ONSCode != "E12000002" {
		t.Fatalf("RegionOf: got %+v, %v", r, ok)
	}
	if _, ok := p.RegionOf("nope"); ok {
		t.Fatal("RegionOf an unknown code succeeded")
	}
}

// TestAuditFilesOutOfStepWithCheckpoint: entries written after the last
// checkpoint (a crash before the next one) are cut back; a trail shorter
// than the checkpoint says (lost data) forces a rebuild from zero. Either
// way the result equals a clean rebuild.
func TestAuditFilesOutOfStepWithCheckpoint(t *testing.T) {
	store := fill(t, mustHistory(t, genOptions(18, 4, 700)))
	clean := t.TempDir()
	buildTo(t, store, clean, 1<<40)
	want := digest(t, clean)
	tests := []struct {
		name        string
		damage      func(path string) error
		fromScratch bool
	}{
		{"ExtraEntries", func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write(make([]byte, 3*auditRecordSize))
			return err
		}, false},
		{"MissingEntries", func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()-auditRecordSize)
		}, true},
		{"MissingFile", os.Remove, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			buildTo(t, store, dir, 1<<40)
			if err := tt.damage(filepath.Join(dir, "audit", "1.audit")); err != nil {
				t.Fatal(err)
			}
			r, err := NewRunner(Config{Store: store, Dir: dir, Places: testPlaces(t), Rules: testRules, Logger: quietLog})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.View().EventsApplied() == 0; got != tt.fromScratch {
				t.Fatalf("started from scratch: %v, want %v", got, tt.fromScratch)
			}
			buildTo(t, store, dir, 1<<40)
			if got := digest(t, dir); got != want {
				t.Fatalf("projection bytes differ from a clean rebuild")
			}
		})
	}
}
