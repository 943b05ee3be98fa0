package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections/merkle"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TestLedgerPipelineMatchesSequential: the pipelined pass (any number of
// workers, any page size, server hashes read one by one or in runs) writes
// the report of the sequential pass byte for byte.
func TestLedgerPipelineMatchesSequential(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	evs, streams = evs[:8000], streams[:8000]
	s := loadRecords(t, evs, streams)
	sv := serve(t, s)
	th, err := OpenTreeHashes(sv.treeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	tests := []struct {
		workers int
		page    uint64
		runs    bool // server hashes read in runs (TreeHashes)
	}{{1, 0, false}, {1, 333, true}, {2, 0, true}, {2, 1, false}, {3, 4096, true}, {8, 97, true}}
	var want []byte
	for _, tt := range tests {
		t.Run(fmt.Sprintf("workers=%d,page=%d,runs=%v", tt.workers, tt.page, tt.runs), func(t *testing.T) {
			o := Options{Store: s, Checkpoint: sv.cp, Verifier: sv.verifier, History: sv.history, Workers: tt.workers, PageSize: tt.page,
				LeafHash: sv.tree.LeafHashAt}
			if tt.runs {
				o.LeafHashes = th.LeafHashes
			}
			rep, err := Ledger(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(rep)
			if want == nil {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Fatalf("report differs from the sequential pass's:\ngot  %.400s\nwant %.400s", got, want)
			}
		})
	}
}

// TestTreeHashesReadsTheServersLeaves: runs of any length and offset read
// what merkle.Tree holds; past the end is an error naming the leaves.
func TestTreeHashesReadsTheServersLeaves(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	s := loadRecords(t, evs[:1000], streams[:1000])
	sv := serve(t, s)
	th, err := OpenTreeHashes(sv.treeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	for _, run := range []struct{ first, n int64 }{{0, 1}, {0, 1000}, {1, 1}, {7, 100}, {511, 2}, {999, 1}, {300, 0}} {
		out := make([]merkle.Hash, run.n)
		if err := th.LeafHashes(run.first, out); err != nil {
			t.Fatalf("leaves %d+%d: %v", run.first, run.n, err)
		}
		for i, got := range out {
			want, err := sv.tree.LeafHashAt(run.first + int64(i))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("leaf %d: got %x, want %x", run.first+int64(i), got, want)
			}
		}
	}
	if _, err := th.LeafHash(1000); err == nil || !strings.Contains(err.Error(), "leaves 1000 to 1000") {
		t.Fatalf("leaf past the end: %v", err)
	}
}

// TestLedgerServerTreeShorterNamesTheLeaf: a server tree with fewer leaves
// than the checkpoint fails at the first leaf it lacks, also when runs are
// read at once.
func TestLedgerServerTreeShorterNamesTheLeaf(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	short := serve(t, loadRecords(t, evs[:700], streams[:700]))
	s := loadRecords(t, evs[:1000], streams[:1000])
	sv := serve(t, s)
	th, err := OpenTreeHashes(short.treeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	for _, workers := range []int{1, 2} {
		_, err := Ledger(context.Background(), Options{Store: s, Checkpoint: sv.cp, Verifier: sv.verifier, Workers: workers,
			PageSize: 256, LeafHash: th.LeafHash, LeafHashes: th.LeafHashes})
		if err == nil || !strings.Contains(err.Error(), "server tree, leaf 700:") {
			t.Fatalf("workers %d: got %v, want the server tree's missing leaf 700", workers, err)
		}
	}
}

// cancellingStore cancels the verification's context after some pages.
type cancellingStore struct {
	eventstore.Store
	pages  int
	cancel context.CancelFunc
}

func (c *cancellingStore) ReadAll(ctx context.Context, o eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if c.pages--; c.pages == 0 {
		c.cancel()
	}
	return c.Store.ReadAll(ctx, o)
}

// TestLedgerCancelledIsAnError: a cancelled verification never reports
// success or a mismatch, whatever the number of workers.
func TestLedgerCancelledIsAnError(t *testing.T) {
	t.Parallel()
	evs, streams := demoEvents(t)
	s := loadRecords(t, evs[:3000], streams[:3000])
	sv := serve(t, s)
	for _, workers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		st := &cancellingStore{Store: s, pages: 3, cancel: cancel}
		_, err := Ledger(ctx, Options{Store: st, Checkpoint: sv.cp, Verifier: sv.verifier, Workers: workers, PageSize: 100})
		cancel()
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrMismatch) {
			t.Fatalf("workers %d: got %v, want context.Canceled", workers, err)
		}
	}
}

// TestNodeHasherIsRFC6962: the allocation-free node hash is the library's
// (for 32-byte children, the only ones the range passes).
func TestNodeHasherIsRFC6962(t *testing.T) {
	var h nodeHasher
	for i := range 3000 {
		l, r := bytes.Repeat([]byte{byte(i)}, 32), bytes.Repeat([]byte{byte(i * 7)}, 32)
		got, want := h.hashChildren(l, r), rfc6962.DefaultHasher.HashChildren(l, r)
		if !bytes.Equal(got, want) || cap(got) != 32 {
			t.Fatalf("pair %d: got %x (cap %d), want %x", i, got, cap(got), want)
		}
	}
}
