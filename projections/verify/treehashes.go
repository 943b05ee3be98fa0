package verify

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/petitionledger/petitionledger/projections/merkle"
	"golang.org/x/mod/sumdb/tlog"
)

// TreeHashes reads leaf hashes from a server's tree directory (its
// merkle.HashesFile, golang.org/x/mod/sumdb/tlog's stored-hash layout),
// read-only: a verifier must not repair what it checks. LeafHashes reads a
// run of leaves with one read, where merkle.LeafHashReader reads one leaf
// per call.
type TreeHashes struct {
	f *os.File
}

// OpenTreeHashes opens dir's hashes file read-only.
func OpenTreeHashes(dir string) (*TreeHashes, error) {
	f, err := os.Open(filepath.Join(dir, merkle.HashesFile))
	if err != nil {
		return nil, fmt.Errorf("verify: open tree hashes: %w", err)
	}
	return &TreeHashes{f: f}, nil
}

// LeafHash returns the stored hash of leaf index.
func (t *TreeHashes) LeafHash(index int64) (merkle.Hash, error) {
	var h [1]merkle.Hash
	err := t.LeafHashes(index, h[:])
	return h[0], err
}

// LeafHashes fills out with the stored hashes of leaves first, first+1, ...
// In the tlog layout they lie in one region of the file, between the
// stored hashes of the tree's interior nodes; it reads the region at once.
// Safe for concurrent use.
func (t *TreeHashes) LeafHashes(first int64, out []merkle.Hash) error {
	if len(out) == 0 {
		return nil
	}
	lastLeaf := first + int64(len(out)) - 1
	lo, hi := tlog.StoredHashIndex(0, first), tlog.StoredHashIndex(0, lastLeaf)
	buf := make([]byte, (hi-lo+1)*merkle.HashSize)
	if _, err := t.f.ReadAt(buf, lo*merkle.HashSize); err != nil {
		return fmt.Errorf("verify: %s: leaves %d to %d at offset %d: %w", t.f.Name(), first, lastLeaf, lo*merkle.HashSize, err)
	}
	for i := range out {
		at := (tlog.StoredHashIndex(0, first+int64(i)) - lo) * merkle.HashSize
		copy(out[i][:], buf[at:])
	}
	return nil
}

// Close closes the file.
func (t *TreeHashes) Close() error { return t.f.Close() }
