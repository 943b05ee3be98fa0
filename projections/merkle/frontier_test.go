package merkle

import (
	"bytes"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestFrontierStoresWhatTlogStores appends leaves one by one through the
// frontier and checks each leaf's stored hashes against
// tlog.StoredHashesForRecordHash over everything stored before it, and the
// frontier reloaded from those hashes against the one built in memory.
func TestFrontierStoresWhatTlogStores(t *testing.T) {
	const n = 1100
	var stored []byte
	read := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			copy(out[i][:], stored[x*HashSize:])
		}
		return out, nil
	})
	f := frontier{}
	for i := int64(0); i < n; i++ {
		want, err := tlog.StoredHashesForRecordHash(i, tlog.Hash(leafOf(int(i))), read)
		if err != nil {
			t.Fatal(err)
		}
		before := len(stored)
		stored = f.appendLeaf(i, leafOf(int(i)), stored)
		var wantBytes []byte
		for _, h := range want {
			wantBytes = append(wantBytes, h[:]...)
		}
		if got := stored[before:]; !bytes.Equal(got, wantBytes) {
			t.Fatalf("leaf %d: stored %d hashes %x, want %d %x", i, len(got)/HashSize, got, len(want), wantBytes)
		}
		if got, want := int64(len(stored)/HashSize), tlog.StoredHashCount(i+1); got != want {
			t.Fatalf("after leaf %d: %d stored hashes, want %d", i, got, want)
		}
		loaded, err := loadFrontier(i+1, read)
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != len(f) {
			t.Fatalf("size %d: loaded frontier has %d hashes, built %d", i+1, len(loaded), len(f))
		}
		for k := range f {
			if loaded[k] != f[k] {
				t.Fatalf("size %d: frontier hash %d loaded %x, built %x", i+1, k, loaded[k], f[k])
			}
		}
	}
	root, err := tlog.TreeHash(n, read)
	if err != nil {
		t.Fatal(err)
	}
	if got := frontierRoot(f); got != Hash(root) {
		t.Fatalf("frontier root %x, tlog root %x", got, root)
	}
}

// frontierRoot folds a frontier into the tree root (right to left).
func frontierRoot(f frontier) Hash {
	h := f[len(f)-1]
	for i := len(f) - 2; i >= 0; i-- {
		h = Hash(tlog.NodeHash(tlog.Hash(f[i]), tlog.Hash(h)))
	}
	return h
}
