package merkle

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

func pos(n uint64) eventstore.Position { return eventstore.Position{Commit: n * 10, Prepare: n * 10} }

func leafOf(i int) Hash { return HashLeafBytes([]byte{byte(i), byte(i >> 8), byte(i >> 16)}) }

// libraryRoot computes the root of the first n leaves with compact ranges.
func libraryRoot(t *testing.T, n int) []byte {
	t.Helper()
	if n == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for i := 0; i < n; i++ {
		h := leafOf(i)
		if err := r.Append(h[:], nil); err != nil {
			t.Fatal(err)
		}
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func buildTree(t *testing.T, dir string, n int, batches int) *Tree {
	t.Helper()
	tr, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	i := int(tr.Size())
	for i < n {
		k := 1 + rng.IntN(max(1, n/max(1, batches)))
		var es []Entry
		for ; k > 0 && i < n; k-- {
			es = append(es, Entry{Hash: leafOf(i), Position: pos(uint64(i + 1))})
			i++
		}
		if err := tr.Append(es); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func TestTreeRootsAndProofsMatchLibrary(t *testing.T) {
	const n = 300
	tr := buildTree(t, t.TempDir(), n, 17)
	defer tr.Close()
	roots := make([][]byte, n+1)
	for size := 0; size <= n; size++ {
		got, err := tr.Root(int64(size))
		if err != nil {
			t.Fatal(err)
		}
		roots[size] = libraryRoot(t, size)
		if string(got[:]) != string(roots[size]) {
			t.Fatalf("root(%d) = %x, want %x", size, got, roots[size])
		}
	}
	for size := 1; size <= n; size += 7 {
		for idx := 0; idx < size; idx += 5 {
			p, err := tr.InclusionProof(int64(idx), int64(size))
			if err != nil {
				t.Fatal(err)
			}
			lh := leafOf(idx)
			if err := VerifyInclusion(uint64(idx), uint64(size), lh[:], Bytes(p), roots[size]); err != nil {
				t.Fatalf("inclusion %d/%d: %v", idx, size, err)
			}
		}
		for s1 := 0; s1 <= size; s1 += 11 {
			p, err := tr.ConsistencyProof(int64(s1), int64(size))
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(uint64(s1), uint64(size), Bytes(p), roots[s1], roots[size]); err != nil {
				t.Fatalf("consistency %d→%d: %v", s1, size, err)
			}
		}
	}
}

func TestTreeRangeErrors(t *testing.T) {
	tr := buildTree(t, t.TempDir(), 5, 1)
	defer tr.Close()
	tests := []struct {
		name string
		err  error
	}{
		{"root beyond size", func() error { _, err := tr.Root(6); return err }()},
		{"inclusion index = size", func() error { _, err := tr.InclusionProof(5, 5); return err }()},
		{"consistency size1 > size2", func() error { _, err := tr.ConsistencyProof(4, 3); return err }()},
		{"leaf beyond size", func() error { _, err := tr.LeafHashAt(5); return err }()},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, ErrRange) {
			t.Errorf("%s: got %v, want ErrRange", tt.name, tt.err)
		}
	}
}

func TestTreeReopenAndIndexOf(t *testing.T) {
	dir := t.TempDir()
	tr := buildTree(t, dir, 100, 5)
	want, _ := tr.Root(100)
	tr.Close()
	tr = buildTree(t, dir, 150, 3)
	defer tr.Close()
	got, err := tr.Root(100)
	if err != nil || got != want {
		t.Fatalf("root(100) after reopen = %x, %v; want %x", got, err, want)
	}
	if r, _ := tr.Root(150); string(r[:]) != string(libraryRoot(t, 150)) {
		t.Fatal("root(150) differs from the library's")
	}
	for i := int64(0); i < 150; i += 13 {
		got, err := tr.IndexOf(pos(uint64(i + 1)))
		if err != nil || got != i {
			t.Fatalf("IndexOf(pos of %d) = %d, %v", i, got, err)
		}
	}
	if _, err := tr.IndexOf(eventstore.Position{Commit: 15, Prepare: 15}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("IndexOf(between leaves) = %v, want ErrNotFound", err)
	}
}

func TestTreeCutsTornTail(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(dir string) error
		want   int64
	}{
		{"half a position record", func(dir string) error { return appendBytesTo(filepath.Join(dir, LeavesFile), make([]byte, 7)) }, 40},
		{"hashes of a leaf with no position", func(dir string) error { return appendBytesTo(filepath.Join(dir, HashesFile), make([]byte, 64)) }, 40},
		{"position of a leaf with no hashes", func(dir string) error { return appendBytesTo(filepath.Join(dir, LeavesFile), make([]byte, 16)) }, 40},
		{"last hashes lost", func(dir string) error { return truncateBy(filepath.Join(dir, HashesFile), 32) }, 39},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			buildTree(t, dir, 40, 4).Close()
			if err := tt.tamper(dir); err != nil {
				t.Fatal(err)
			}
			tr, err := OpenTree(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if got := tr.Size(); got != tt.want {
				t.Fatalf("size = %d, want %d", got, tt.want)
			}
			r, _ := tr.Root(tr.Size())
			if string(r[:]) != string(libraryRoot(t, int(tt.want))) {
				t.Fatal("root after recovery differs from the library's")
			}
		})
	}
}

func TestTreeDetectsCorruptParent(t *testing.T) {
	dir := t.TempDir()
	buildTree(t, dir, 8, 1).Close() // leaf 7 completes levels 1..3: its stored parents follow it
	f, err := os.OpenFile(filepath.Join(dir, HashesFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	if _, err := f.WriteAt([]byte{0xff}, st.Size()-1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := OpenTree(dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open = %v, want ErrCorrupt", err)
	}
}

func appendBytesTo(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(b)
	return err
}

func truncateBy(name string, n int64) error {
	st, err := os.Stat(name)
	if err != nil {
		return err
	}
	return os.Truncate(name, st.Size()-n)
}

func TestTreeCutsLeavesAppendedAfterLastSync(t *testing.T) {
	dir := t.TempDir()
	tr := buildTree(t, dir, 10, 1)
	if err := tr.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Append([]Entry{{Hash: leafOf(10), Position: pos(11)}, {Hash: leafOf(11), Position: pos(12)}}); err != nil {
		t.Fatal(err)
	}
	// a crash now: the files hold 12 leaves, the synced count says 10
	again, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Size(); got != 10 {
		t.Fatalf("size after a crash = %d, want the synced 10", got)
	}
	again.Close()
	tr.Close()
}
