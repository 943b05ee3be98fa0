package embedded

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
)

// opKind is what a request asks the writer to do.
type opKind uint8

const (
	opAppend opKind = iota
	opDelete
	opTombstone
)

// request is one append, delete or tombstone waiting for the writer.
type request struct {
	op       opKind
	stream   string
	expected eventstore.ExpectedRevision
	events   []eventstore.EventData
	ctypes   []uint8
	size     int // bytes the request may add to a batch (requestSize)
	result   eventstore.AppendResult
	err      error
	done     chan struct{} // buffered (1): the writer sends once per use
	// ctypesBuf holds ctypes for appends of a few events.
	ctypesBuf [4]uint8
}

// maxBatchBytes bounds one group commit.
const maxBatchBytes = 8 << 20

// writer is the state of the single writer goroutine.
type writer struct {
	err           error // sticky: set after a failed write or fsync
	buf           []byte
	batchStart    uint64 // global position of buf[0]
	active        *segment
	activeSize    int64 // bytes in the active segment
	zeroEnd       int64 // the active segment holds written bytes up to here (prezero.go)
	lastTicks     int64
	pending       map[string]*wstream
	wsAll         []*wstream // recycled by newWstream; the first wsNext are in use
	wsNext        int
	warmSink      uint64 // keeps warmIndex's loads from being optimised away
	records       int
	sinceSnapshot int64
}

// wstream is the writer's view of one stream during a batch: its state in
// the index plus what the batch adds.
type wstream struct {
	name    string
	hash    uint64 // nameHash(name)
	found   bool   // the stream has a slot or got a record in this batch
	inIndex bool
	first   uint64
	state   uint64
	basePos []uint64 // positions of the revisions in the index
	added   []uint64 // positions of the revisions this batch adds
	dirty   bool
}

// cur is the last revision, or -1 when the stream has no event.
func (ws *wstream) cur() int64 {
	if !ws.found || ws.state&stateNoEvents != 0 {
		return -1
	}
	return int64(ws.state & stateRevMask)
}

func (ws *wstream) tombstoned() bool { return ws.state&stateTombstoned != 0 }

func (ws *wstream) positionOf(rev uint64) uint64 {
	if rev < uint64(len(ws.basePos)) {
		return ws.basePos[rev]
	}
	return ws.added[rev-uint64(len(ws.basePos))]
}

// writeLoop drains the request queue: each round takes every request
// waiting (group commit), applies them in order, writes them with one
// write and one fsync, then publishes and acknowledges them.
//
// Writers whose appends were just acknowledged usually append again at
// once, but waking them takes a moment; a round that starts with fewer
// requests than the largest of the last 8 rounds waits a little for them
// (at most a quarter of the last round's duration, capped at 1 ms), so
// that concurrent writers keep sharing one fsync instead of splitting into
// alternating partial batches.
func (s *Store) writeLoop() {
	defer close(s.done)
	batch := make([]*request, 0, 256)
	var timer *time.Timer
	prev := 0
	var recent [8]int // sizes of the last rounds; the target is their max
	round := 0
	var lastSync time.Duration
	for first := range s.reqs {
		batch = append(batch[:0], first)
		size := first.size
		open := true
		size, open = s.drain(&batch, size, nil)
		if open && len(batch) < prev && prev > 1 {
			wait := min(lastSync/4, time.Millisecond)
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			for open && len(batch) < prev && size < maxBatchBytes {
				var more bool
				size, open, more = s.drainOne(&batch, size, timer.C)
				if !more {
					break
				}
			}
			timer.Stop()
		}
		start := time.Now()
		s.commitBatch(batch)
		lastSync = time.Since(start)
		recent[round%len(recent)] = len(batch)
		round++
		prev = slices.Max(recent[:])
		for i := range batch {
			batch[i] = nil
		}
	}
}

// drain moves every request already queued into batch.
func (s *Store) drain(batch *[]*request, size int, _ <-chan time.Time) (int, bool) {
	for size < maxBatchBytes {
		select {
		case r, ok := <-s.reqs:
			if !ok {
				return size, false
			}
			*batch = append(*batch, r)
			size += r.size
		default:
			return size, true
		}
	}
	return size, true
}

// drainOne waits for one more request until deadline fires.
func (s *Store) drainOne(batch *[]*request, size int, deadline <-chan time.Time) (int, bool, bool) {
	select {
	case r, ok := <-s.reqs:
		if !ok {
			return size, false, false
		}
		*batch = append(*batch, r)
		return size + r.size, true, true
	case <-deadline:
		return size, true, false
	}
}

// requestOverhead is what a request counts for in a batch besides its
// records' frames.
const requestOverhead = 128

// requestSize is what r may add to a batch.
func requestSize(r *request) int {
	n := requestOverhead
	for i := range r.events {
		n += frameSize(r.stream, r.events[i].Type, len(r.events[i].Data), len(r.events[i].Metadata))
	}
	return n
}

func (s *Store) commitBatch(batch []*request) {
	w := &s.w
	defer func() {
		for _, r := range batch {
			r.done <- struct{}{}
		}
	}()
	if w.err != nil {
		for _, r := range batch {
			r.err = w.err
		}
		return
	}
	if err := s.rollIfFull(); err != nil {
		s.failBatch(batch, err)
		return
	}
	w.buf = w.buf[:0]
	w.batchStart = w.active.base + uint64(w.activeSize)
	w.records = 0
	clear(w.pending)
	w.wsNext = 0
	now := timeToTicks(time.Now())
	if now > w.lastTicks {
		w.lastTicks = now
	}
	s.warmIndex(batch)
	for _, r := range batch {
		s.apply(r)
	}
	if len(w.buf) == 0 {
		return
	}
	start := time.Now()
	if err := s.zeroAhead(w.activeSize + int64(len(w.buf))); err != nil {
		s.failBatch(batch, err)
		return
	}
	if _, err := w.active.f.WriteAt(w.buf, w.activeSize); err != nil {
		s.failBatch(batch, err)
		return
	}
	if err := syncData(w.active.f); err != nil {
		s.failBatch(batch, err)
		return
	}
	if s.opts.OnSync != nil {
		s.opts.OnSync(time.Since(start), w.records)
	}
	w.activeSize += int64(len(w.buf))
	w.sinceSnapshot += int64(len(w.buf))
	s.publish()
	if s.opts.SnapshotEvery > 0 && w.sinceSnapshot >= s.opts.SnapshotEvery {
		s.snapshotInBackground()
	}
}

// failBatch makes a write failure sticky and fails every request.
func (s *Store) failBatch(batch []*request, err error) {
	w := &s.w
	w.err = fmt.Errorf("%w: %v", ErrWriteFailed, err)
	s.log.Error("embedded: write failed; refusing further appends",
		slog.String("dir", s.dir), slog.Any("error", err))
	for _, r := range batch {
		r.err = w.err
	}
}

// publish makes the batch visible: index, head, then a broadcast.
func (s *Store) publish() {
	w := &s.w
	s.warmInserts()
	s.mu.Lock()
	for _, ws := range w.pending {
		if ws.dirty {
			s.idx.applyStream(ws)
		}
	}
	s.head = w.active.base + uint64(w.activeSize)
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
}

// rollIfFull starts a new segment when the active one is full.
func (s *Store) rollIfFull() error {
	w := &s.w
	if w.activeSize < s.opts.SegmentSize {
		return nil
	}
	if err := s.sealActive(); err != nil {
		return err
	}
	seg, err := createSegment(s.dir, w.active.base+uint64(w.activeSize))
	if err != nil {
		return fmt.Errorf("embedded: new segment: %w", err)
	}
	s.mu.Lock()
	s.segs = append(s.segs, seg)
	s.mu.Unlock()
	w.active = seg
	w.activeSize, w.zeroEnd = segHeaderSize, segHeaderSize
	return nil
}

// wstate returns the writer's view of stream for this batch.
func (s *Store) wstate(name string) (*wstream, error) {
	w := &s.w
	if ws := w.pending[name]; ws != nil {
		return ws, nil
	}
	h := nameHash(name)
	sl, ok, err := s.lookupHashLocked(name, h) // the writer is the only mutator
	if err != nil {
		return nil, err
	}
	ws := w.newWstream(name)
	ws.hash = h
	if ok {
		ws.found, ws.inIndex, ws.first, ws.state = true, true, sl.first, sl.state
		ws.basePos = s.idx.positions(&sl)
	}
	w.pending[name] = ws
	return ws, nil
}

// newWstream returns a blank wstream for name, reusing one from an
// earlier batch (and its added slice) when it can.
func (w *writer) newWstream(name string) *wstream {
	if w.wsNext == len(w.wsAll) {
		w.wsAll = append(w.wsAll, &wstream{})
	}
	ws := w.wsAll[w.wsNext]
	w.wsNext++
	added := ws.added[:0]
	if cap(added) > 64 {
		added = nil // don't keep a large append's list for ever
	}
	*ws = wstream{name: name, added: added}
	return ws
}

// wrecord reads the record at pos from the batch buffer or the disk.
func (s *Store) wrecord(pos uint64) (record, error) {
	w := &s.w
	if pos >= w.batchStart {
		return decodeRecord(w.buf[pos-w.batchStart:])
	}
	return s.readRecord(pos)
}

// add encodes one record of ws into the batch and returns its position.
func (s *Store) add(ws *wstream, flags uint8, typ string, ctype uint8, rev uint64, id uuid.UUID, data, meta []byte) uint64 {
	w := &s.w
	pos := w.batchStart + uint64(len(w.buf))
	w.buf = appendRecord(w.buf, flags, ws.name, typ, ctype, rev, w.lastTicks, id, data, meta)
	w.records++
	if !ws.found {
		ws.found, ws.first, ws.state = true, pos, stateNoEvents
	}
	if flags&flagTombstone != 0 {
		ws.state |= stateTombstoned
	} else {
		ws.added = append(ws.added, pos)
		ws.state = ws.state&stateTombstoned | rev
	}
	ws.dirty = true
	return pos
}

// endTxn marks the last record in the buffer as the end of its transaction.
func (s *Store) endTxn(lastPos uint64) {
	w := &s.w
	b := w.buf[lastPos-w.batchStart:]
	size := binary.LittleEndian.Uint32(b)
	b[9] |= flagTxnEnd
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(b[8:size], castagnoli))
}

// applyStream folds a batch's changes to one stream into the index.
// Caller holds s.mu exclusively.
func (x *streamIndex) applyStream(ws *wstream) {
	h := ws.hash
	if !ws.inIndex {
		x.insert(h, ws.first, ws.state)
		if len(ws.added) > 1 {
			x.lists[ws.first] = append([]uint64(nil), ws.added...)
		}
		return
	}
	i, _ := x.probe(h, func(sl *slot) bool { return sl.first == ws.first })
	x.slots[i].state = ws.state
	if len(ws.added) == 0 {
		return
	}
	if len(ws.basePos) == 1 {
		l := make([]uint64, 0, 1+len(ws.added))
		x.lists[ws.first] = append(append(l, ws.basePos...), ws.added...)
		return
	}
	if len(ws.basePos) == 0 {
		if len(ws.added) > 1 {
			x.lists[ws.first] = append([]uint64(nil), ws.added...)
		}
		return
	}
	x.lists[ws.first] = append(x.lists[ws.first], ws.added...)
}
