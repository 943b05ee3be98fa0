package embedded

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// view is a consistent picture of the log for one read: the segments and
// the durable end. Reads run without holding s.mu.
type view struct {
	segs []*segment
	head uint64
}

func (s *Store) snapshotView() view {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return view{segs: s.segs, head: s.head}
}

// segIndex returns the index of the segment holding pos, or -1.
func (v *view) segIndex(pos uint64) int {
	lo, hi := 0, len(v.segs)
	for lo < hi {
		m := (lo + hi) / 2
		if v.segs[m].base <= pos {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// segEnd is the end position of segment i's readable data.
func (v *view) segEnd(i int) uint64 {
	if i+1 < len(v.segs) {
		return min(v.segs[i+1].base, v.head)
	}
	return v.head
}

const scanChunk = 1 << 20

// firstScanRead is the size of a forward scan's first read; later reads
// double up to scanChunk.
const firstScanRead = 64 << 10

// chunkPool recycles scan buffers of scanChunk bytes.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, scanChunk); return &b }}

// scanForward calls fn for every record at or after from (after from when
// exclusive) up to the head, in log order, until fn returns false. The
// record passed to fn is valid only during the call.
func (s *Store) scanForward(v view, from uint64, exclusive bool, fn func(pos uint64, r *record) bool) error {
	start, err := s.seekForward(v, from)
	if err != nil {
		return err
	}
	pb := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(pb)
	buf := *pb
	// One record for the whole scan: fn gets a pointer to it, so a record
	// per iteration would escape to the heap once per event. fn must not
	// keep the pointer (its slices point into buf anyway).
	var r record
	// Reads start small and double up to the buffer: a caller that stops
	// early (a subscription fill wants subBatch events) does not pay for
	// a whole chunk it never decodes.
	chunk := uint64(firstScanRead)
	for i := v.segIndex(start); i >= 0 && i < len(v.segs); i++ {
		seg := v.segs[i]
		end := v.segEnd(i)
		pos := max(start, seg.base+segHeaderSize)
		for pos < end {
			n := min(chunk, uint64(len(buf)), end-pos)
			got, err := seg.f.ReadAt(buf[:n], int64(pos-seg.base))
			if uint64(got) < n {
				return fmt.Errorf("embedded: read %s at %d: %w", seg.path, pos-seg.base, orEOF(err))
			}
			b := buf[:n]
			off := uint64(0)
			for off < n {
				var derr error
				r, derr = decodeRecord(b[off:])
				if derr == errTorn && off > 0 {
					break // the record continues past this chunk
				}
				if derr == errTorn && uint64(len(b)) < end-pos {
					// The record is larger than this read: read it whole.
					size, _ := peekSize(b[off:])
					if uint64(size) > uint64(len(buf)) {
						buf = make([]byte, max(size, scanChunk))
					}
					chunk = max(chunk, uint64(size))
					break
				}
				if derr != nil {
					return fmt.Errorf("%w: %s at offset %d: %v", ErrCorrupt, seg.path, pos+off-seg.base, derr)
				}
				p := pos + off
				off += uint64(r.size)
				if exclusive && p == from {
					continue
				}
				if !fn(p, &r) {
					return nil
				}
			}
			pos += off
			chunk = min(2*chunk, uint64(len(buf)))
		}
	}
	return nil
}

func orEOF(err error) error {
	if err == nil {
		return io.ErrUnexpectedEOF
	}
	return err
}

// seekForward returns the position of the first record at or after from.
func (s *Store) seekForward(v view, from uint64) (uint64, error) {
	i := v.segIndex(from)
	if i < 0 {
		if len(v.segs) == 0 {
			return from, nil
		}
		return v.segs[0].base + segHeaderSize, nil
	}
	seg := v.segs[i]
	if from <= seg.base+segHeaderSize || from >= v.segEnd(i) {
		return max(from, seg.base+segHeaderSize), nil
	}
	if from%recAlign == 0 {
		if _, err := s.readRecordLocked(from); err == nil {
			return from, nil
		}
	}
	// Not a record boundary: walk the segment from its start.
	found := v.segEnd(i)
	sub := view{segs: []*segment{seg}, head: v.segEnd(i)}
	err := s.scanForward(sub, seg.base+segHeaderSize, false, func(p uint64, r *record) bool {
		if p >= from {
			found = p
			return false
		}
		return true
	})
	return found, err
}

// scanBackward calls fn for every record strictly before from, newest
// first, until fn returns false. The record passed to fn is valid only
// during the call.
func (s *Store) scanBackward(v view, from uint64, fn func(pos uint64, r *record) bool) error {
	from = min(from, v.head)
	if from == 0 {
		return nil
	}
	pb := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(pb)
	buf := *pb
	var r record // one per scan, as in scanForward
	for i := v.segIndex(from - 1); i >= 0; i-- {
		seg := v.segs[i]
		first := seg.base + segHeaderSize
		pos := min(from, v.segEnd(i)) // records end at pos
		for pos > first {
			lo := max(first, pos-min(pos-first, uint64(len(buf))))
			b := buf[:pos-lo]
			if got, err := seg.f.ReadAt(b, int64(lo-seg.base)); got < len(b) {
				return fmt.Errorf("embedded: read %s at %d: %w", seg.path, lo-seg.base, orEOF(err))
			}
			end := pos
			for end > lo {
				if end-lo < 4 {
					break
				}
				size := uint64(binary.LittleEndian.Uint32(b[end-lo-4:]))
				if size < recMinSize || size > end-first {
					return fmt.Errorf("%w: %s: bad trailer before offset %d", ErrCorrupt, seg.path, end-seg.base)
				}
				if end-size < lo {
					if size > uint64(len(buf)) {
						buf = make([]byte, size)
					}
					break
				}
				var err error
				if r, err = decodeRecord(b[end-size-lo:]); err != nil {
					return fmt.Errorf("%w: %s at offset %d: %v", ErrCorrupt, seg.path, end-size-seg.base, err)
				}
				end -= size
				if !fn(end, &r) {
					return nil
				}
			}
			pos = end
		}
		from = seg.base
	}
	return nil
}
