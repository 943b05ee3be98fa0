package embedded

import (
	"fmt"
	"os"
)

// Writing into blocks that already hold data lets fdatasync flush only the
// data: when a write extends the file (or fills an unwritten extent), ext4
// must also commit the new size or extent to its journal, which roughly
// doubles the cost of every group-commit fsync. So the writer keeps zeros
// written ahead of the end of the log in the active segment, a chunk at a
// time, and the fsync that follows the chunk pays for the size change once
// per chunk instead of once per batch. The zeros are invisible: reads stop
// at the head, a sealed segment is truncated to its end before the next
// one is created, Close truncates the active one, and after a crash Open
// treats the zeroed tail as a torn tail (a zeroed record) and truncates it.

// zeroChunk is how far ahead of the log the writer zero-fills.
const zeroChunk = 4 << 20

// zeroes is the source of zero-fill writes.
var zeroes = make([]byte, 256<<10)

// zeroAhead makes sure the active segment holds written bytes up to at
// least end (the end of the batch about to be written), zero-filling up to
// a chunk beyond it but not past the segment size limit. It does not sync:
// the batch's fdatasync covers the zeros and the new size.
func (s *Store) zeroAhead(end int64) error {
	w := &s.w
	if end <= w.zeroEnd {
		return nil
	}
	target := max(end, min(end+zeroChunk, s.opts.SegmentSize))
	for off := max(end, w.zeroEnd); off < target; {
		n := min(int64(len(zeroes)), target-off)
		if _, err := w.active.f.WriteAt(zeroes[:n], off); err != nil {
			return fmt.Errorf("embedded: zero-fill %s at %d: %w", w.active.path, off, err)
		}
		off += n
	}
	w.zeroEnd = target
	return nil
}

// sealActive cuts the zero-filled tail off the active segment and makes
// its size durable, so that its size is the next segment's base.
func (s *Store) sealActive() error {
	w := &s.w
	if err := truncateSync(w.active.f, w.activeSize); err != nil {
		return fmt.Errorf("embedded: seal %s at %d: %w", w.active.path, w.activeSize, err)
	}
	w.zeroEnd = w.activeSize
	return nil
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}
