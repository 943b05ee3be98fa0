package merkle

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

// LeafHashReader reads leaf hashes from a tree directory without opening it
// for writing (a verifier must not repair what it checks).
type LeafHashReader struct {
	f *os.File
}

// OpenLeafHashReader opens dir's hashes file read-only.
func OpenLeafHashReader(dir string) (*LeafHashReader, error) {
	f, err := os.Open(filepath.Join(dir, HashesFile))
	if err != nil {
		return nil, fmt.Errorf("merkle: open tree hashes: %w", err)
	}
	return &LeafHashReader{f: f}, nil
}

// LeafHash returns the stored hash of leaf index.
func (r *LeafHashReader) LeafHash(index int64) (Hash, error) {
	var h Hash
	off := tlog.StoredHashIndex(0, index) * HashSize
	if _, err := r.f.ReadAt(h[:], off); err != nil {
		return h, fmt.Errorf("merkle: %s: leaf %d at offset %d: %w", r.f.Name(), index, off, err)
	}
	return h, nil
}

// Close closes the file.
func (r *LeafHashReader) Close() error { return r.f.Close() }
