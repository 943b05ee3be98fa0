package merkle

import (
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier is the compact range of a tree of size leaves: the roots of its
// perfect subtrees, largest (leftmost) first, one per set bit of size. It
// is all an append needs, so appending never reads the hashes file.
type frontier []Hash

// loadFrontier reads the compact range of the first size leaves from the
// stored hashes (one hash per set bit of size).
func loadFrontier(size int64, read tlog.HashReaderFunc) (frontier, error) {
	var idx []int64
	var start int64
	for level := 62; level >= 0; level-- {
		if size&(1<<level) == 0 {
			continue
		}
		idx = append(idx, tlog.StoredHashIndex(level, start>>level))
		start += 1 << level
	}
	if len(idx) == 0 {
		return frontier{}, nil
	}
	hs, err := read(idx)
	if err != nil {
		return nil, err
	}
	f := make(frontier, len(hs), 64)
	for i, h := range hs {
		f[i] = Hash(h)
	}
	return f, nil
}

// appendLeaf adds leaf n (the tree has n leaves) with hash h. It appends to
// stored the hashes tlog stores for that leaf, in its order: the leaf hash,
// then the root of every subtree the leaf completes, smallest first (the
// same as tlog.StoredHashesForRecordHash).
func (f *frontier) appendLeaf(n int64, h Hash, stored []byte) []byte {
	stored = append(stored, h[:]...)
	s := *f
	for range bits.TrailingZeros64(uint64(n + 1)) {
		h = Hash(tlog.NodeHash(tlog.Hash(s[len(s)-1]), tlog.Hash(h)))
		s = s[:len(s)-1]
		stored = append(stored, h[:]...)
	}
	*f = append(s, h)
	return stored
}
