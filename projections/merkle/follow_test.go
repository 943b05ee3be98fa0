package merkle

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
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
	f := NewFollower(s, tr, FollowerConfig{MaxBatch: 7})
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
