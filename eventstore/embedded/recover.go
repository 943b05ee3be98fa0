package embedded

import (
	"fmt"
	"log/slog"
	"os"
	"time"
)

// segmentScan is the outcome of decoding one segment file.
type segmentScan struct {
	size     int64 // file size
	validEnd int64 // end of the last complete transaction
	badAt    int64 // offset of the first undecodable bytes; -1 when none
	badErr   error // why badAt is bad
	validAft bool  // a CRC-valid record exists after badAt
	records  int   // records up to validEnd
	openTxn  int   // records after validEnd that end no transaction
}

// scanSegment decodes every record of seg from offset start, calling fn
// with each complete transaction's records. It stops at the first bad
// record and then looks for any valid record after it.
func scanSegment(seg *segment, start int64, fn func(txn []txnRecord) error) (segmentScan, error) {
	st, err := seg.f.Stat()
	if err != nil {
		return segmentScan{}, err
	}
	sc := segmentScan{size: st.Size(), validEnd: start, badAt: -1}
	var txn []txnRecord
	buf := make([]byte, scanChunk)
	pos := start
	for pos < sc.size {
		n := min(int64(len(buf)), sc.size-pos)
		if got, err := seg.f.ReadAt(buf[:n], pos); int64(got) < n {
			return sc, fmt.Errorf("embedded: read %s at %d: %w", seg.path, pos, orEOF(err))
		}
		b := buf[:n]
		off := int64(0)
		for off < n {
			r, derr := decodeRecord(b[off:])
			if derr == errTorn && pos+n < sc.size {
				if off == 0 {
					size, _ := peekSize(b)
					buf = make([]byte, max(int(size), len(buf)*2))
				}
				break
			}
			if derr != nil {
				sc.badAt, sc.badErr = pos+off, derr
				sc.openTxn = len(txn)
				sc.validAft = validRecordAfter(seg, sc.badAt+recAlign)
				return sc, nil
			}
			txn = append(txn, txnRecord{pos: seg.base + uint64(pos+off), name: string(r.stream),
				rev: r.revision, flags: r.flags, ticks: r.ticks})
			off += int64(r.size)
			if r.txnEnd() {
				if err := fn(txn); err != nil {
					return sc, err
				}
				sc.records += len(txn)
				txn = txn[:0]
				sc.validEnd = pos + off
			}
		}
		pos += off
	}
	sc.openTxn = len(txn)
	return sc, nil
}

// txnRecord is what the index needs from one record.
type txnRecord struct {
	pos   uint64
	name  string
	rev   uint64
	flags uint8
	ticks int64
}

// validRecordAfter reports whether any 8-aligned offset in [from, size)
// starts a record that passes its CRC: the sign that a bad record is
// corruption inside the log rather than a torn tail.
func validRecordAfter(seg *segment, from int64) bool {
	found := false
	forEachValid(seg, from, func(int64, *record) bool { found = true; return false })
	return found
}

// forEachValid resynchronises on seg from offset from: at every 8-byte
// boundary it tries to decode a record, calls fn for each valid one and
// skips over it, until fn returns false or the file ends.
func forEachValid(seg *segment, from int64, fn func(off int64, r *record) bool) {
	st, err := seg.f.Stat()
	if err != nil {
		return
	}
	size := st.Size()
	const window = 4 << 20
	buf := make([]byte, window)
	var bufStart, bufLen int64 = 0, 0
	pos := (from + recAlign - 1) &^ (recAlign - 1)
	for pos+recMinSize <= size {
		if pos+recHeaderSize > bufStart+bufLen {
			got, _ := seg.f.ReadAt(buf, pos)
			bufStart, bufLen = pos, int64(got)
		}
		b := buf[pos-bufStart : bufLen]
		if sz, err := peekSize(b); err == nil && pos+int64(sz) <= size {
			rb := b
			if int64(len(b)) < int64(sz) {
				rb = make([]byte, sz)
				if got, _ := seg.f.ReadAt(rb, pos); got < len(rb) {
					rb = rb[:got]
				}
			}
			if r, err := decodeRecord(rb); err == nil {
				if !fn(pos, &r) {
					return
				}
				pos += int64(sz)
				continue
			}
		}
		pos += recAlign
	}
}

// openSegments opens every segment file of dir, checking headers and that
// bases are contiguous. A last segment with a torn header is rewritten.
func (s *Store) openSegments() error {
	list, err := listSegments(s.dir)
	if err != nil {
		return fmt.Errorf("embedded: open %s: %w", s.dir, err)
	}
	if len(list) == 0 {
		seg, err := createSegment(s.dir, 0)
		if err != nil {
			return fmt.Errorf("embedded: create first segment in %s: %w", s.dir, err)
		}
		s.segs = []*segment{seg}
		return nil
	}
	for i := range list {
		seg := &list[i]
		if seg.f, err = os.OpenFile(seg.path, os.O_RDWR, 0); err != nil {
			return fmt.Errorf("embedded: open %s: %w", seg.path, err)
		}
		s.segs = append(s.segs, seg)
		h := make([]byte, segHeaderSize)
		n, _ := seg.f.ReadAt(h, 0)
		if herr := checkSegmentHeader(h[:n]); herr != nil {
			if i == len(list)-1 && tornHeader(h[:n]) {
				s.log.Warn("embedded: rewriting torn segment header", slog.String("file", seg.path), slog.Int("bytes", n))
				if err := rewriteHeader(seg); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("%w: %s at offset 0: %v", ErrCorrupt, seg.path, herr)
		}
	}
	return nil
}

// tornHeader reports whether h (the first bytes of a segment, up to 16) is
// what a crash while creating the segment leaves: fewer than 16 bytes that
// are a prefix of a valid header, or zeros.
func tornHeader(h []byte) bool {
	if len(h) >= segHeaderSize {
		return allZero(h)
	}
	return allZero(h) || string(h) == string(segmentHeader()[:len(h)])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func rewriteHeader(seg *segment) error {
	if err := seg.f.Truncate(0); err != nil {
		return err
	}
	if _, err := seg.f.WriteAt(segmentHeader(), 0); err != nil {
		return err
	}
	return seg.f.Sync()
}

// recoverLog scans the log from position from (a transaction boundary),
// feeding complete transactions to the index, truncating a torn tail and
// refusing corruption. It leaves the writer positioned at the end.
func (s *Store) recoverLog(from uint64) error {
	start := 0
	for i, seg := range s.segs {
		if seg.base <= from {
			start = i
		}
	}
	for i := start; i < len(s.segs); i++ {
		seg := s.segs[i]
		off := int64(segHeaderSize)
		if i == start && from > seg.base+segHeaderSize {
			off = int64(from - seg.base)
		}
		sc, err := scanSegment(seg, off, s.replayTxn)
		if err != nil {
			return err
		}
		last := i == len(s.segs)-1
		if !last {
			if err := s.checkSealed(seg, sc, s.segs[i+1].base); err != nil {
				return err
			}
			continue
		}
		if err := s.truncateTail(seg, sc); err != nil {
			return err
		}
		s.w.active, s.w.activeSize, s.w.zeroEnd = seg, sc.validEnd, sc.validEnd
		s.head = seg.base + uint64(sc.validEnd)
	}
	return nil
}

// checkSealed verifies a segment that is not the last one: it must decode
// to its end and end on a transaction boundary.
func (s *Store) checkSealed(seg *segment, sc segmentScan, nextBase uint64) error {
	switch {
	case sc.badAt >= 0:
		return fmt.Errorf("%w: %s at offset %d: %v", ErrCorrupt, seg.path, sc.badAt, sc.badErr)
	case sc.openTxn > 0:
		return fmt.Errorf("%w: %s at offset %d: transaction not closed before the next segment", ErrCorrupt, seg.path, sc.validEnd)
	case seg.base+uint64(sc.size) != nextBase:
		return fmt.Errorf("%w: %s: size %d does not reach the next segment's base %d", ErrCorrupt, seg.path, sc.size, nextBase)
	}
	return nil
}

// truncateTail cuts a torn tail off the last segment, or refuses when the
// bad bytes are followed by valid records (corruption).
func (s *Store) truncateTail(seg *segment, sc segmentScan) error {
	if sc.badAt >= 0 && sc.validAft {
		return fmt.Errorf("%w: %s at offset %d: %v (valid records follow; run petitionledger store check/repair)",
			ErrCorrupt, seg.path, sc.badAt, sc.badErr)
	}
	if sc.validEnd == sc.size {
		return nil
	}
	reason := "incomplete transaction"
	if sc.badErr != nil {
		reason = sc.badErr.Error()
	}
	s.log.Warn("embedded: truncating torn tail",
		slog.String("file", seg.path), slog.Int64("offset", sc.validEnd),
		slog.Int64("bytes", sc.size-sc.validEnd), slog.String("reason", reason))
	if err := seg.f.Truncate(sc.validEnd); err != nil {
		return fmt.Errorf("embedded: truncate %s at %d: %w", seg.path, sc.validEnd, err)
	}
	if err := seg.f.Sync(); err != nil {
		return fmt.Errorf("embedded: sync %s: %w", seg.path, err)
	}
	return nil
}

// replayTxn adds one complete transaction to the index.
func (s *Store) replayTxn(txn []txnRecord) error {
	for _, r := range txn {
		if err := s.replayRecord(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) replayRecord(r txnRecord) error {
	x := s.idx
	h := nameHash(r.name)
	var ioErr error
	i, _ := x.probe(h, func(sl *slot) bool {
		ok, err := s.nameAt(sl.first, r.name)
		if err != nil {
			ioErr = err
			return true
		}
		return ok
	})
	if ioErr != nil {
		return ioErr
	}
	tomb := r.flags&flagTombstone != 0
	if i < 0 {
		state := r.rev
		if tomb {
			state = stateNoEvents | stateTombstoned
		} else if r.rev != 0 {
			return fmt.Errorf("%w: record at position %d: stream %q starts at revision %d", ErrCorrupt, r.pos, r.name, r.rev)
		}
		x.insert(h, r.pos, state)
		return nil
	}
	sl := &x.slots[i]
	if tomb {
		sl.state |= stateTombstoned
		return nil
	}
	if !sl.hasEvents() || r.rev != sl.lastRev()+1 {
		return fmt.Errorf("%w: record at position %d: stream %q revision %d does not follow %d", ErrCorrupt, r.pos, r.name, r.rev, sl.lastRev())
	}
	if sl.lastRev() == 0 {
		x.lists[sl.first] = []uint64{sl.first, r.pos}
	} else {
		x.lists[sl.first] = append(x.lists[sl.first], r.pos)
	}
	sl.state = sl.state&stateTombstoned | r.rev
	return nil
}

// load opens the segments, restores the index (snapshot + replay, or a
// full scan) and recovers the tail.
func (s *Store) load() error {
	if err := s.openSegments(); err != nil {
		return err
	}
	s.w.pending = make(map[string]*wstream)
	start := time.Now()
	from := s.loadSnapshot()
	if err := s.recoverLog(from); err != nil {
		return err
	}
	replayed := s.head - min(from, s.head)
	s.log.Info("embedded: opened", slog.String("dir", s.dir), slog.Int("segments", len(s.segs)),
		slog.Int("streams", s.idx.used), slog.Uint64("replayed_bytes", replayed), slog.Duration("took", time.Since(start)))
	if s.opts.SnapshotEvery > 0 && replayed >= uint64(s.opts.SnapshotEvery) {
		if err := s.writeSnapshot(); err != nil {
			s.log.Error("embedded: index snapshot failed", slog.String("dir", s.dir), slog.Any("error", err))
		}
	}
	return nil
}
