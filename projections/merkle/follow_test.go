package merkle

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
)

func openStore(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func appendN(t *testing.T, s eventstore.Store, stream string, n int) {
	t.Helper()
	var evs []eventstore.EventData
	for i := 0; i < n; i++ {
		evs = append(evs, eventstore.EventData{ID: uuid.New(), Type: "Test.v1", Data: []byte(fmt.Sprintf(`{"i":%d}`, i))})
	}
	if _, err := s.Append(context.Background(), stream, eventstore.Any{}, evs...); err != nil {
		t.Fatal(err)
	}
}

// rootOfStore recomputes the root from ReadAll, independently of the tree.
func rootOfStore(t *testing.T, s eventstore.Store) (Hash, int64) {
	t.Helper()
	evs, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTree(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var es []Entry
	for i := range evs {
		es = append(es, Entry{Hash: LeafHash(&evs[i]), Position: evs[i].Position})
	}
	if err := tr.Append(es); err != nil {
		t.Fatal(err)
	}
	r, _ := tr.Root(tr.Size())
	return r, tr.Size()
}

func runFollower(t *testing.T, s eventstore.Store, tr *Tree) (wait func(size int64), stop func() error) {
	t.Helper()
	return runFollowerWith(t, s, tr, FollowerConfig{MaxBatch: 7})
}

func runFollowerWith(t *testing.T, s eventstore.Store, tr *Tree, cfg FollowerConfig) (wait func(size int64), stop func() error) {
	t.Helper()
	f := NewFollower(s, tr, cfg)
	sizes := make(chan int64, 1024)
	f.OnAppend(func(n int64) { sizes <- n })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	wait = func(size int64) {
		t.Helper()
		for tr.Size() < size {
			select {
			case <-sizes:
			case err := <-done:
				t.Fatalf("follower stopped: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatalf("tree stuck at %d leaves, want %d", tr.Size(), size)
			}
		}
	}
	return wait, func() error { cancel(); return <-done }
}

func TestFollowerTracksStoreAcrossRestarts(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	treeDir := t.TempDir()
	appendN(t, s, "a", 30)
	tr, err := OpenTree(treeDir)
	if err != nil {
		t.Fatal(err)
	}
	wait, stop := runFollower(t, s, tr)
	appendN(t, s, "b", 5)
	appendN(t, s, "a", 1)
	wait(36)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	tr.Close()

	appendN(t, s, "c", 9) // written while the follower is down
	tr, err = OpenTree(treeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	wait, stop = runFollower(t, s, tr)
	wait(45)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	want, n := rootOfStore(t, s)
	got, _ := tr.Root(n)
	if tr.Size() != n || got != want {
		t.Fatalf("tree size %d root %x, want %d %x", tr.Size(), got, n, want)
	}
}

func TestFollowerRefusesTreeOfAnotherLog(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendN(t, s, "a", 3)
	tr, err := OpenTree(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	evs, _ := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	// the tree claims the store's last position but holds another hash
	if err := tr.Append([]Entry{{Hash: leafOf(1), Position: evs[2].Position}}); err != nil {
		t.Fatal(err)
	}
	err = NewFollower(s, tr, FollowerConfig{}).Run(context.Background())
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("run = %v, want ErrCorrupt", err)
	}
}

// TestFollowerCoversLiveTraffic runs the follower on each backend through
// catch-up, bursts from concurrent writers while it sleeps between drains,
// a lone event after the log went idle, and a restart, and checks that the
// tree ends equal to a tree built from ReadAll (same size, same root).
func TestFollowerCoversLiveTraffic(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) eventstore.Store
	}{
		{"embedded", func(t *testing.T) eventstore.Store { return openStore(t, t.TempDir()) }},
		{"memstore", func(t *testing.T) eventstore.Store { return memstore.New() }},
	}
	configs := []FollowerConfig{
		{}, // defaults: 5 ms linger, batches of 4096
		{MaxBatch: 5, Linger: 200 * time.Microsecond}, // tiny batches and windows
	}
	for _, be := range backends {
		for _, cfg := range configs {
			t.Run(fmt.Sprintf("%s/batch=%d", be.name, cfg.MaxBatch), func(t *testing.T) {
				s := be.open(t)
				defer s.Close()
				treeDir := t.TempDir()
				appendN(t, s, "history", 50)
				tr, err := OpenTree(treeDir)
				if err != nil {
					t.Fatal(err)
				}
				wait, stop := runFollowerWith(t, s, tr, cfg)
				wait(50)
				var wg sync.WaitGroup
				for w := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range 25 {
							var evs []eventstore.EventData
							for k := range 1 + i%3 {
								evs = append(evs, eventstore.EventData{ID: uuid.New(), Type: "Test.v1", Data: []byte(fmt.Sprintf(`{"k":%d}`, k))})
							}
							if _, err := s.Append(context.Background(), fmt.Sprintf("w%d-%d", w, i), eventstore.NoStream{}, evs...); err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				_, n := rootOfStore(t, s)
				wait(n)
				time.Sleep(20 * time.Millisecond) // idle: the follower blocks in Next
				appendN(t, s, "lone", 1)
				wait(n + 1)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				tr.Close()
				appendN(t, s, "after", 3)
				if tr, err = OpenTree(treeDir); err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				wait, stop = runFollowerWith(t, s, tr, cfg)
				want, n := rootOfStore(t, s)
				wait(n)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				got, err := tr.Root(n)
				if err != nil {
					t.Fatal(err)
				}
				if tr.Size() != n || got != want {
					t.Fatalf("tree size %d root %x, want %d %x", tr.Size(), got, n, want)
				}
			})
		}
	}
}
