package merkle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/petitionledger/petitionledger/eventstore"
	"golang.org/x/mod/sumdb/tlog"
)

// File names inside a tree directory.
const (
	HashesFile = "hashes" // tlog stored hashes, 32 bytes each, append-only
	LeavesFile = "leaves" // per leaf: $all position (commit, prepare), 16 bytes
	SyncedFile = "synced" // uint64: leaves known durable (written after fsync of both files)
)

const leafRecordSize = 16

// Entry is one leaf to append: its hash and the $all position of its event.
type Entry struct {
	Hash     Hash
	Position eventstore.Position
}

// Tree is the durable RFC 6962 tree: a flat file of every stored hash
// (golang.org/x/mod/sumdb/tlog layout: StoredHashIndex(level, n)) and a file
// of leaf positions. Appends write hashes then positions and fsync both, so
// a crash leaves at most a torn tail, cut on open. Safe for concurrent use:
// one appender, many readers.
type Tree struct {
	mu      sync.RWMutex
	hashes  *os.File
	leaves  *os.File
	synced  *os.File
	size    int64 // leaves visible
	durable int64 // leaves fsynced (recorded in the synced file)
	closed  bool

	front   frontier // compact range of the size leaves
	scratch frontier // the next frontier while an append is in flight
	hbuf    []byte   // stored hashes being appended (reused)
	pbuf    []byte   // positions being appended (reused)
}

// OpenTree opens (or creates) the tree in dir and validates its files: whole
// records, as many stored hashes as the leaf count needs (a torn tail of
// either file is cut back to the last complete leaf), and, for a non-empty
// tree, the stored parents of the last leaf recomputed from their children.
func OpenTree(dir string) (*Tree, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("merkle: open tree: %w", err)
	}
	hf, err := os.OpenFile(filepath.Join(dir, HashesFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("merkle: open tree: %w", err)
	}
	lf, err := os.OpenFile(filepath.Join(dir, LeavesFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		hf.Close()
		return nil, fmt.Errorf("merkle: open tree: %w", err)
	}
	sf, err := os.OpenFile(filepath.Join(dir, SyncedFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		hf.Close()
		lf.Close()
		return nil, fmt.Errorf("merkle: open tree: %w", err)
	}
	t := &Tree{hashes: hf, leaves: lf, synced: sf}
	if err := t.recover(); err != nil {
		hf.Close()
		lf.Close()
		sf.Close()
		return nil, err
	}
	return t, nil
}

// recover sets size from the files, cutting torn tails, then validates.
func (t *Tree) recover() error {
	hs, err := fileSize(t.hashes)
	if err != nil {
		return err
	}
	ls, err := fileSize(t.leaves)
	if err != nil {
		return err
	}
	n := min(ls/leafRecordSize, t.readSynced())
	stored := hs / HashSize
	for n > 0 && tlog.StoredHashCount(n) > stored {
		n--
	}
	if err := t.leaves.Truncate(n * leafRecordSize); err != nil {
		return fmt.Errorf("merkle: cut torn leaves: %w", err)
	}
	if err := t.hashes.Truncate(tlog.StoredHashCount(n) * HashSize); err != nil {
		return fmt.Errorf("merkle: cut torn hashes: %w", err)
	}
	t.size, t.durable = n, n
	if err := t.validateLast(); err != nil {
		return err
	}
	f, err := loadFrontier(n, t.readHashes)
	if err != nil {
		return err
	}
	t.front = f
	return nil
}

// readSynced returns the durable leaf count recorded by Sync (0 when the
// file is empty or short: everything is then re-derived from the log).
func (t *Tree) readSynced() int64 {
	var b [8]byte
	if _, err := t.synced.ReadAt(b[:], 0); err != nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b[:]))
}

// Sync makes every appended leaf durable: fsync the hashes, then the
// positions, then record the count in the synced file and fsync it. Leaves
// appended after the last Sync are cut on open (the Follower re-derives
// them from the log), so a crash never leaves unsynced garbage in the tree.
func (t *Tree) Sync() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	return t.syncLocked()
}

func (t *Tree) syncLocked() error {
	if t.size == t.durable {
		return nil
	}
	if err := t.hashes.Sync(); err != nil {
		return fmt.Errorf("merkle: sync hashes: %w", err)
	}
	if err := t.leaves.Sync(); err != nil {
		return fmt.Errorf("merkle: sync leaves: %w", err)
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.size))
	if _, err := t.synced.WriteAt(b[:], 0); err != nil {
		return fmt.Errorf("merkle: write synced count: %w", err)
	}
	if err := t.synced.Sync(); err != nil {
		return fmt.Errorf("merkle: sync synced count: %w", err)
	}
	t.durable = t.size
	return nil
}

// validateLast recomputes every stored parent of the last leaf from its
// children and compares it with the file.
func (t *Tree) validateLast() error {
	if t.size == 0 {
		return nil
	}
	n := t.size - 1
	want, err := t.readHashes([]int64{tlog.StoredHashIndex(0, n)})
	if err != nil {
		return err
	}
	prev, err := tlog.StoredHashesForRecordHash(n, want[0], tlog.HashReaderFunc(t.readHashes))
	if err != nil {
		return fmt.Errorf("%w: recompute leaf %d: %v", ErrCorrupt, n, err)
	}
	base := tlog.StoredHashIndex(0, n)
	idx := make([]int64, len(prev))
	for i := range prev {
		idx[i] = base + int64(i)
	}
	got, err := t.readHashes(idx)
	if err != nil {
		return err
	}
	for i := range prev {
		if got[i] != prev[i] {
			return fmt.Errorf("%w: %s: stored hash %d (leaf %d) is not the hash of its children", ErrCorrupt, t.hashes.Name(), idx[i], n)
		}
	}
	return nil
}

func fileSize(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("merkle: stat %s: %w", f.Name(), err)
	}
	return st.Size(), nil
}

// Size returns the number of leaves.
func (t *Tree) Size() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.size
}

// Append adds leaves in order. They are visible to readers at once and
// durable after the next Sync.
func (t *Tree) Append(entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	base := tlog.StoredHashCount(t.size)
	next := append(t.scratch[:0], t.front...)
	hs, ps := t.hbuf[:0], t.pbuf[:0]
	for i, e := range entries {
		hs = next.appendLeaf(t.size+int64(i), e.Hash, hs)
		ps = binary.BigEndian.AppendUint64(ps, e.Position.Commit)
		ps = binary.BigEndian.AppendUint64(ps, e.Position.Prepare)
	}
	t.hbuf, t.pbuf = hs, ps
	if _, err := t.hashes.WriteAt(hs, base*HashSize); err != nil {
		return fmt.Errorf("merkle: write hashes: %w", err)
	}
	if _, err := t.leaves.WriteAt(ps, t.size*leafRecordSize); err != nil {
		return fmt.Errorf("merkle: write leaves: %w", err)
	}
	t.front, t.scratch = next, t.front
	t.size += int64(len(entries))
	return nil
}

// readHashes reads stored hashes by index (tlog.HashReader).
func (t *Tree) readHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if _, err := t.hashes.ReadAt(out[i][:], x*HashSize); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: %s: stored hash %d missing", ErrCorrupt, t.hashes.Name(), x)
			}
			return nil, fmt.Errorf("merkle: read hash %d: %w", x, err)
		}
	}
	return out, nil
}

// Close closes the files.
func (t *Tree) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	err := t.syncLocked()
	t.closed = true
	return errors.Join(err, t.hashes.Close(), t.leaves.Close(), t.synced.Close())
}
