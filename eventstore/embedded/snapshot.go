package embedded

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Index snapshot file (DIR/index.snap), little endian:
//
//	off size field
//	0   8    magic "PLIDXSNP"
//	8   4    version (snapshotVersion)
//	12  4    reserved, zero
//	16  8    covered: the log position the snapshot reflects (end of a
//	         transaction); the log after it is replayed on open
//	24  8    position of the record that ends at covered (0 if none)
//	32  4    that record's CRC, so a rewritten log invalidates the snapshot
//	36  4    reserved, zero
//	40  8    number of slots (a power of two)
//	48  8    number of used slots
//	56  8    number of position lists
//	64  ...  slots: hash u64, first u64, state u64 each
//	...      lists: first u64, count u64, count × position u64
//	end-4 4  CRC-32C of every byte before it
//
// It is written to index.snap.tmp, fsynced, renamed over index.snap, and
// the directory fsynced. Any mismatch on open means a full rescan.
const (
	snapshotFileName   = "index.snap"
	snapshotMagic      = "PLIDXSNP"
	snapshotVersion    = 1
	snapshotHeaderSize = 64
)

var errBadSnapshot = errors.New("embedded: invalid index snapshot")

// loadSnapshot restores the index from the snapshot and returns the log
// position it covers. On any problem it logs why, starts an empty index and
// returns 0 (full rescan).
func (s *Store) loadSnapshot() uint64 {
	path := filepath.Join(s.dir, snapshotFileName)
	start := time.Now()
	idx, covered, err := s.readSnapshot(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("embedded: index snapshot rejected; rescanning the whole log",
				slog.String("file", path), slog.Any("error", err))
		}
		s.idx = newStreamIndex(0)
		return 0
	}
	s.idx = idx
	s.snapCovered.Store(covered)
	s.log.Info("embedded: index snapshot loaded", slog.String("file", path),
		slog.Int("streams", idx.used), slog.Uint64("covers", covered), slog.Duration("took", time.Since(start)))
	return covered
}

func (s *Store) readSnapshot(path string) (*streamIndex, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	crc := crc32.New(castagnoli)
	r := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, st.Size()-4), crc), 1<<20)
	h := make([]byte, snapshotHeaderSize)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, 0, fmt.Errorf("%w: header: %v", errBadSnapshot, err)
	}
	le := binary.LittleEndian
	nslots, used, nlists := le.Uint64(h[40:]), le.Uint64(h[48:]), le.Uint64(h[56:])
	switch {
	case string(h[:8]) != snapshotMagic:
		return nil, 0, fmt.Errorf("%w: bad magic", errBadSnapshot)
	case le.Uint32(h[8:]) != snapshotVersion:
		return nil, 0, fmt.Errorf("%w: version %d", errBadSnapshot, le.Uint32(h[8:]))
	case bits.OnesCount64(nslots) != 1 || nslots*24 > uint64(st.Size()) || used > nslots || nlists > used:
		return nil, 0, fmt.Errorf("%w: impossible sizes", errBadSnapshot)
	}
	covered, lastPos, lastCRC := le.Uint64(h[16:]), le.Uint64(h[24:]), le.Uint32(h[32:])
	if err := s.checkCovered(covered, lastPos, lastCRC); err != nil {
		return nil, 0, err
	}
	idx := &streamIndex{slots: make([]slot, nslots), used: int(used), lists: make(map[uint64][]uint64, nlists)}
	chunk := make([]byte, 24*8192)
	for i := 0; i < len(idx.slots); {
		n := min(len(idx.slots)-i, 8192)
		b := chunk[:24*n]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, 0, fmt.Errorf("%w: slots: %v", errBadSnapshot, err)
		}
		for j := range n {
			o := 24 * j
			idx.slots[i+j] = slot{hash: le.Uint64(b[o:]), first: le.Uint64(b[o+8:]), state: le.Uint64(b[o+16:])}
		}
		i += n
	}
	buf := make([]byte, 24)
	for range nlists {
		if _, err := io.ReadFull(r, buf[:16]); err != nil {
			return nil, 0, fmt.Errorf("%w: lists: %v", errBadSnapshot, err)
		}
		first, n := le.Uint64(buf), le.Uint64(buf[8:])
		if n > uint64(st.Size())/8 {
			return nil, 0, fmt.Errorf("%w: impossible list length", errBadSnapshot)
		}
		l := make([]uint64, n)
		for j := range l {
			if _, err := io.ReadFull(r, buf[:8]); err != nil {
				return nil, 0, fmt.Errorf("%w: lists: %v", errBadSnapshot, err)
			}
			l[j] = le.Uint64(buf)
		}
		idx.lists[first] = l
	}
	if _, err := r.Peek(1); err != io.EOF {
		return nil, 0, fmt.Errorf("%w: trailing bytes", errBadSnapshot)
	}
	var tail [4]byte
	if _, err := f.ReadAt(tail[:], st.Size()-4); err != nil {
		return nil, 0, fmt.Errorf("%w: checksum: %v", errBadSnapshot, err)
	}
	if le.Uint32(tail[:]) != crc.Sum32() {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", errBadSnapshot)
	}
	return idx, covered, nil
}

// checkCovered verifies that the log still holds, unchanged, the record
// that ends where the snapshot stops.
func (s *Store) checkCovered(covered, lastPos uint64, lastCRC uint32) error {
	if lastPos == 0 {
		if covered != segHeaderSize {
			return fmt.Errorf("%w: covers %d without a last record", errBadSnapshot, covered)
		}
		return nil
	}
	r, err := s.readRecord(lastPos)
	if err != nil {
		return fmt.Errorf("%w: its last record at %d: %v", errBadSnapshot, lastPos, err)
	}
	end := lastPos + uint64(r.size)
	rolled := covered == end+segHeaderSize && s.segmentFor(covered) != nil && s.segmentFor(covered).base == end
	if (end != covered && !rolled) || !r.txnEnd() {
		return fmt.Errorf("%w: the record at %d does not end a transaction at %d", errBadSnapshot, lastPos, covered)
	}
	b := make([]byte, 8)
	if _, err := s.readAt(b, lastPos); err != nil || binary.LittleEndian.Uint32(b[4:]) != lastCRC {
		return fmt.Errorf("%w: the record at %d changed", errBadSnapshot, lastPos)
	}
	return nil
}

// writeSnapshot persists the index as of the current head, synchronously.
// It runs on the writer goroutine or while the writer is not running.
func (s *Store) writeSnapshot() error {
	s.snapWG.Wait() // never two writers of index.snap.tmp
	covered := s.w.active.base + uint64(s.w.activeSize)
	lastPos, lastCRC, err := s.lastRecordBefore(covered)
	if err != nil {
		return err
	}
	s.w.sinceSnapshot = 0
	return s.writeSnapshotFile(s.idx, covered, lastPos, lastCRC)
}

// snapshotInBackground copies the index (the writer pauses only for the
// copy) and writes the snapshot from another goroutine. At most one runs at
// a time; Close waits for it. Runs on the writer goroutine.
func (s *Store) snapshotInBackground() {
	if !s.snapBusy.CompareAndSwap(false, true) {
		return
	}
	covered := s.w.active.base + uint64(s.w.activeSize)
	lastPos, lastCRC, err := s.lastRecordBefore(covered)
	if err != nil {
		s.snapBusy.Store(false)
		s.log.Error("embedded: index snapshot failed", slog.String("dir", s.dir), slog.Any("error", err))
		return
	}
	idx := s.idx.clone()
	s.w.sinceSnapshot = 0
	s.snapWG.Add(1)
	go func() {
		defer s.snapWG.Done()
		defer s.snapBusy.Store(false)
		if err := s.writeSnapshotFile(idx, covered, lastPos, lastCRC); err != nil {
			s.log.Error("embedded: index snapshot failed", slog.String("dir", s.dir), slog.Any("error", err))
		}
	}()
}

// clone copies the index for a background snapshot. Position lists are
// shared: their elements below len never change.
func (x *streamIndex) clone() *streamIndex {
	c := &streamIndex{slots: slices.Clone(x.slots), used: x.used, lists: make(map[uint64][]uint64, len(x.lists))}
	for k, v := range x.lists {
		c.lists[k] = v[:len(v):len(v)]
	}
	return c
}

// writeSnapshotFile writes idx, which covers the log up to covered, with
// temp file, fsync, rename and directory fsync.
func (s *Store) writeSnapshotFile(idx *streamIndex, covered, lastPos uint64, lastCRC uint32) error {
	start := time.Now()
	tmp := filepath.Join(s.dir, snapshotFileName+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("embedded: snapshot: %w", err)
	}
	crc := crc32.New(castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	err = encodeSnapshot(w, idx, covered, lastPos, lastCRC)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = binary.Write(f, binary.LittleEndian, crc.Sum32())
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, snapshotFileName))
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("embedded: snapshot: %w", err)
	}
	s.snapCovered.Store(covered)
	s.log.Info("embedded: index snapshot written", slog.String("dir", s.dir),
		slog.Int("streams", idx.used), slog.Uint64("covers", covered), slog.Duration("took", time.Since(start)))
	return nil
}

func encodeSnapshot(w io.Writer, idx *streamIndex, covered, lastPos uint64, lastCRC uint32) error {
	le := binary.LittleEndian
	h := make([]byte, snapshotHeaderSize)
	copy(h, snapshotMagic)
	le.PutUint32(h[8:], snapshotVersion)
	le.PutUint64(h[16:], covered)
	le.PutUint64(h[24:], lastPos)
	le.PutUint32(h[32:], lastCRC)
	le.PutUint64(h[40:], uint64(len(idx.slots)))
	le.PutUint64(h[48:], uint64(idx.used))
	le.PutUint64(h[56:], uint64(len(idx.lists)))
	if _, err := w.Write(h); err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	flush := func(force bool) error {
		if len(buf) > 60<<10 || force {
			_, err := w.Write(buf)
			buf = buf[:0]
			return err
		}
		return nil
	}
	for i := range idx.slots {
		sl := &idx.slots[i]
		buf = le.AppendUint64(buf, sl.hash)
		buf = le.AppendUint64(buf, sl.first)
		buf = le.AppendUint64(buf, sl.state)
		if err := flush(false); err != nil {
			return err
		}
	}
	for first, l := range idx.lists {
		buf = le.AppendUint64(buf, first)
		buf = le.AppendUint64(buf, uint64(len(l)))
		for _, p := range l {
			buf = le.AppendUint64(buf, p)
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	return flush(true)
}

// lastRecordBefore returns the position and CRC of the record ending at
// end (0, 0 when the log is empty).
func (s *Store) lastRecordBefore(end uint64) (uint64, uint32, error) {
	var pos uint64
	var crc uint32
	v := view{segs: s.segs, head: end}
	err := s.scanBackward(v, end, func(p uint64, r *record) bool {
		pos = p
		return false
	})
	if err != nil || pos == 0 {
		return 0, 0, err
	}
	b := make([]byte, 8)
	if _, err := s.readAt(b, pos); err != nil {
		return 0, 0, err
	}
	crc = binary.LittleEndian.Uint32(b[4:])
	return pos, crc, nil
}
