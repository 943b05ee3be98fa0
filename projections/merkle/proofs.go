package merkle

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// Root returns the root hash of the first size leaves (RFC 6962 MTH; the
// empty tree hashes to SHA-256("")).
func (t *Tree) Root(size int64) (Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := t.checkSize(size); err != nil {
		return Hash{}, err
	}
	if size == 0 {
		var h Hash
		copy(h[:], rfc6962.DefaultHasher.EmptyRoot())
		return h, nil
	}
	h, err := tlog.TreeHash(size, tlog.HashReaderFunc(t.readHashes))
	return Hash(h), err
}

// InclusionProof returns the RFC 6962 audit path of leaf index in the tree
// of the first size leaves, from the leaf's sibling up.
func (t *Tree) InclusionProof(index, size int64) ([]Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := t.checkSize(size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, fmt.Errorf("%w: leaf %d not in a tree of size %d", ErrRange, index, size)
	}
	p, err := tlog.ProveRecord(size, index, tlog.HashReaderFunc(t.readHashes))
	return toHashes(p), err
}

// ConsistencyProof returns the RFC 6962 consistency proof from the tree of
// size1 leaves to the tree of size2 leaves (empty when size1 is 0 or equal
// to size2).
func (t *Tree) ConsistencyProof(size1, size2 int64) ([]Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := t.checkSize(size2); err != nil {
		return nil, err
	}
	if size1 < 0 || size1 > size2 {
		return nil, fmt.Errorf("%w: size %d is not between 0 and %d", ErrRange, size1, size2)
	}
	if size1 == 0 || size1 == size2 {
		return []Hash{}, nil
	}
	p, err := tlog.ProveTree(size2, size1, tlog.HashReaderFunc(t.readHashes))
	return toHashes(p), err
}

// LeafHashAt returns the stored hash of leaf index.
func (t *Tree) LeafHashAt(index int64) (Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if index < 0 || index >= t.size {
		return Hash{}, fmt.Errorf("%w: leaf %d of %d", ErrRange, index, t.size)
	}
	h, err := t.readHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return Hash{}, err
	}
	return Hash(h[0]), nil
}

// PositionAt returns the $all position of leaf index's event.
func (t *Tree) PositionAt(index int64) (eventstore.Position, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if index < 0 || index >= t.size {
		return eventstore.Position{}, fmt.Errorf("%w: leaf %d of %d", ErrRange, index, t.size)
	}
	return t.positionAt(index)
}

func (t *Tree) positionAt(index int64) (eventstore.Position, error) {
	var b [leafRecordSize]byte
	if _, err := t.leaves.ReadAt(b[:], index*leafRecordSize); err != nil {
		return eventstore.Position{}, fmt.Errorf("merkle: read leaf %d position: %w", index, err)
	}
	return eventstore.Position{Commit: binary.BigEndian.Uint64(b[:8]), Prepare: binary.BigEndian.Uint64(b[8:])}, nil
}

// IndexOf returns the leaf index of the event at pos (binary search over
// the positions file, which strictly increase).
func (t *Tree) IndexOf(pos eventstore.Position) (int64, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var rerr error
	i := sort.Search(int(t.size), func(i int) bool {
		p, err := t.positionAt(int64(i))
		if err != nil {
			rerr = err
			return true
		}
		return p.Compare(pos) >= 0
	})
	if rerr != nil {
		return 0, rerr
	}
	if int64(i) == t.size {
		return 0, fmt.Errorf("%w: no leaf at position %s (tree has %d leaves)", ErrNotFound, pos, t.size)
	}
	p, err := t.positionAt(int64(i))
	if err != nil {
		return 0, err
	}
	if p != pos {
		return 0, fmt.Errorf("%w: no leaf at position %s", ErrNotFound, pos)
	}
	return int64(i), nil
}

func (t *Tree) checkSize(size int64) error {
	if t.closed {
		return ErrClosed
	}
	if size < 0 || size > t.size {
		return fmt.Errorf("%w: size %d, tree has %d leaves", ErrRange, size, t.size)
	}
	return nil
}

func toHashes(p []tlog.Hash) []Hash {
	out := make([]Hash, len(p))
	for i, h := range p {
		out[i] = Hash(h)
	}
	return out
}

// Bytes returns the hashes as [][]byte, the form transparency-dev/merkle's
// verifiers take.
func Bytes(hs []Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
