package embedded_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// logBuffer collects slog output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func openDir(tb testing.TB, dir string, opts ...embedded.Option) *embedded.Store {
	tb.Helper()
	s, err := embedded.Open(dir, append([]embedded.Option{embedded.WithLogger(quietLogger())}, opts...)...)
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func event(typ string, i int) eventstore.EventData {
	return eventstore.EventData{ID: uuid.New(), Type: typ, Data: []byte(fmt.Sprintf(`{"i":%d}`, i))}
}

// fill appends n single-event appends to stream and returns their IDs.
func fill(tb testing.TB, s *embedded.Store, stream string, n int) []uuid.UUID {
	tb.Helper()
	var ids []uuid.UUID
	for i := range n {
		e := event("filled", i)
		if _, err := s.Append(context.Background(), stream, eventstore.Any{}, e); err != nil {
			tb.Fatalf("Append: %v", err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

func streamIDs(tb testing.TB, s *embedded.Store, stream string) []uuid.UUID {
	tb.Helper()
	recs, err := s.ReadStream(context.Background(), stream, eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatalf("ReadStream(%s): %v", stream, err)
	}
	var ids []uuid.UUID
	for i, r := range recs {
		if r.Revision != uint64(i) {
			tb.Fatalf("ReadStream(%s): event %d has revision %d", stream, i, r.Revision)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func lastSegment(tb testing.TB, dir string) string {
	tb.Helper()
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.log"))
	if len(segs) == 0 {
		tb.Fatalf("no segment in %s", dir)
	}
	return segs[len(segs)-1]
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

func equalUUIDs(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, embedded.WithSegmentSize(2048))
	ids := fill(t, s, "kept", 50)
	fill(t, s, "soft", 2)
	fill(t, s, "gone", 1)
	ctx := context.Background()
	if _, err := s.Delete(ctx, "soft", eventstore.Any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tombstone(ctx, "gone", eventstore.Any{}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, snapshot := range []string{"WithSnapshot", "WithoutSnapshot"} {
		t.Run(snapshot, func(t *testing.T) {
			if snapshot == "WithoutSnapshot" {
				os.Remove(filepath.Join(dir, "index.snap"))
			}
			s := openDir(t, dir)
			defer s.Close()
			got := streamIDs(t, s, "kept")
			if len(got) < len(ids) || !equalUUIDs(got[:len(ids)], ids) {
				t.Errorf("kept: got %d events, want the %d written first", len(got), len(ids))
			}
			if _, err := s.ReadStream(ctx, "soft", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
				t.Errorf("soft-deleted stream: got %v, want not found", err)
			}
			if _, err := s.Append(ctx, "gone", eventstore.Any{}, event("x", 0)); !errors.Is(err, eventstore.ErrStreamDeleted) {
				t.Errorf("append to tombstoned stream: got %v, want deleted", err)
			}
			res, err := s.Append(ctx, "kept", eventstore.Exact(uint64(len(got)-1)), event("more", 0))
			if err != nil || res.NextRevision != uint64(len(got)) {
				t.Fatalf("append after reopen: %+v %v", res, err)
			}
			after, _ := s.ReadAll(ctx, eventstore.ReadAllOptions{MaxCount: uint64(len(before))})
			for i := range before {
				if after[i].ID != before[i].ID || after[i].Position != before[i].Position {
					t.Fatalf("$all[%d] changed across reopen", i)
				}
			}
		})
	}
}

// TestOpenOnTornWrite damages the tail of the last segment the ways a
// crash can, then reopens: the damage is truncated and logged, every
// complete event is kept.
func TestOpenOnTornWrite(t *testing.T) {
	cases := []struct {
		name string
		// damage changes the file and returns how many of the filled
		// events survive.
		damage func(t *testing.T, path string, size int64) int
	}{
		{"PartialRecordAppended", func(t *testing.T, path string, size int64) int {
			appendBytes(t, path, lastRecord(t, path, size)[:40])
			return 10
		}},
		{"ZeroesAppended", func(t *testing.T, path string, size int64) int {
			appendBytes(t, path, make([]byte, 4096))
			return 10
		}},
		{"CRCBadRecordAppended", func(t *testing.T, path string, size int64) int {
			r := lastRecord(t, path, size)
			r[len(r)/2] ^= 0x10
			appendBytes(t, path, r)
			return 10
		}},
		{"UnfinishedTransactionAppended", func(t *testing.T, path string, size int64) int {
			r := lastRecord(t, path, size)
			r[9] &^= 1 // clear "last record of its transaction", fix the CRC
			binary.LittleEndian.PutUint32(r[4:], crcC(r[8:]))
			appendBytes(t, path, r)
			return 10
		}},
		{"LastRecordZeroed", func(t *testing.T, path string, size int64) int {
			r := lastRecord(t, path, size)
			writeAt(t, path, size-int64(len(r)), make([]byte, len(r)))
			return 9
		}},
		{"LastRecordHalfWritten", func(t *testing.T, path string, size int64) int {
			r := lastRecord(t, path, size)
			if err := os.Truncate(path, size-int64(len(r))/2); err != nil {
				t.Fatal(err)
			}
			return 9
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir)
			ids := fill(t, s, "torn", 10)
			s.Close()
			os.Remove(filepath.Join(dir, "index.snap"))
			path := lastSegment(t, dir)
			size := fileSize(t, path)
			keep := tc.damage(t, path, size)

			rep, err := embedded.Check(dir)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if len(rep.Problems) != 1 || rep.Problems[0].Kind != embedded.ProblemTornTail {
				t.Fatalf("Check: got problems %v, want one torn tail", rep.Problems)
			}
			if err := rep.Problems[0].Err(); !errors.Is(err, embedded.ErrTornTail) || errors.Is(err, eventstore.ErrCorrupt) {
				t.Errorf("torn tail error %v: want ErrTornTail and not ErrCorrupt", err)
			}
			logs := &logBuffer{}
			s, err = embedded.Open(dir, embedded.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
			if err != nil {
				t.Fatalf("Open after a torn write: %v", err)
			}
			defer s.Close()
			if got := streamIDs(t, s, "torn"); !equalUUIDs(got, ids[:keep]) {
				t.Fatalf("after recovery: got %d events, want the first %d", len(got), keep)
			}
			if !strings.Contains(logs.String(), "truncating torn tail") || !strings.Contains(logs.String(), filepath.Base(path)) {
				t.Errorf("recovery log does not report the truncation with the file: %q", logs.String())
			}
			if _, err := s.Append(context.Background(), "torn", eventstore.Exact(uint64(keep-1)), event("after", 0)); err != nil {
				t.Fatalf("append after recovery: %v", err)
			}
			s.Close()
			s = openDir(t, dir)
			if got := len(streamIDs(t, s, "torn")); got != keep+1 {
				t.Errorf("after second reopen: got %d events, want %d", got, keep+1)
			}
		})
	}
}

// TestOpenRefusesCorruption flips a bit in an early record: Open refuses
// with ErrCorrupt naming the file and offset, Check reports it, Repair
// needs the explicit flag and then keeps everything before the damage.
func TestOpenRefusesCorruption(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	ids := fill(t, s, "flip", 10)
	s.Close()
	path := lastSegment(t, dir)
	rec := lastRecord(t, path, fileSize(t, path))
	badOff := int64(16 + 3*len(rec)) // the fourth record (all are the same size)
	flipBit(t, path, badOff+60)

	// With a valid index snapshot Open does not rescan the log it covers:
	// the damage shows on the first read that touches it.
	s = openDir(t, dir)
	_, err := s.ReadStream(context.Background(), "flip", eventstore.ReadStreamOptions{})
	if !errors.Is(err, eventstore.ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("offset %d", badOff)) {
		t.Errorf("read over the damaged record: got %v, want ErrCorrupt at offset %d", err, badOff)
	}
	s.Close()
	os.Remove(filepath.Join(dir, "index.snap"))

	_, err = embedded.Open(dir, embedded.WithLogger(quietLogger()))
	if !errors.Is(err, eventstore.ErrCorrupt) || !errors.Is(err, embedded.ErrCorrupt) {
		t.Fatalf("Open: got %v, want ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fmt.Sprintf("offset %d", badOff)) {
		t.Errorf("Open error %q does not name the file and offset %d", err, badOff)
	}
	rep, err := embedded.Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != embedded.ProblemCorrupt || rep.Problems[0].Offset != badOff || rep.Problems[0].ValidAfter != 6 {
		t.Fatalf("Check: got %+v, want corruption at %d with 6 valid records after", rep.Problems, badOff)
	}
	if err := rep.Problems[0].Err(); !errors.Is(err, eventstore.ErrCorrupt) || errors.Is(err, embedded.ErrTornTail) {
		t.Errorf("corruption error %v: want ErrCorrupt and not ErrTornTail", err)
	}
	if _, err := embedded.Repair(dir, embedded.RepairOptions{Logger: quietLogger()}); !errors.Is(err, embedded.ErrWouldDropRecords) {
		t.Fatalf("Repair without the flag: got %v, want ErrWouldDropRecords", err)
	}
	actions, err := embedded.Repair(dir, embedded.RepairOptions{DropValidRecords: true, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	if len(actions) != 1 || actions[0].Dropped != 6 {
		t.Fatalf("Repair actions: %+v, want one dropping 6 records", actions)
	}
	if b, err := os.ReadFile(actions[0].Backup); err != nil || int64(len(b)) != 16+10*int64(len(rec)) {
		t.Errorf("backup %s: %d bytes, %v; want the whole damaged segment", actions[0].Backup, len(b), err)
	}
	s = openDir(t, dir)
	defer s.Close()
	if got := streamIDs(t, s, "flip"); !equalUUIDs(got, ids[:3]) {
		t.Fatalf("after repair: got %d events, want the first 3", len(got))
	}
}

func TestCorruptionInSealedSegmentRefusesOpen(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, embedded.WithSegmentSize(1024))
	fill(t, s, "sealed", 40)
	s.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.log"))
	if len(segs) < 3 {
		t.Fatalf("want several segments, got %d", len(segs))
	}
	// Damage the tail of a segment that is not the last: not a torn tail.
	first := segs[0]
	size := fileSize(t, first)
	flipBit(t, first, size-20)
	os.Remove(filepath.Join(dir, "index.snap")) // force the full scan
	_, err := embedded.Open(dir, embedded.WithLogger(quietLogger()))
	if !errors.Is(err, embedded.ErrCorrupt) || !strings.Contains(err.Error(), first) {
		t.Fatalf("Open: got %v, want ErrCorrupt naming %s", err, first)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	s, dir := mustOpen(t)
	_, err := embedded.Open(dir, embedded.WithLogger(quietLogger()))
	if !errors.Is(err, embedded.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open: got %v, want ErrLocked naming %s", err, dir)
	}
	if _, err := embedded.Check(dir); !errors.Is(err, embedded.ErrLocked) {
		t.Fatalf("Check of an open store: got %v, want ErrLocked", err)
	}
	s.Close()
	s2 := openDir(t, dir)
	s2.Close()
}

func TestOperationsAfterCloseFail(t *testing.T) {
	s, _ := mustOpen(t)
	s.Close()
	ctx := context.Background()
	if _, err := s.Append(ctx, "x", eventstore.Any{}, event("e", 0)); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("Append after Close: got %v", err)
	}
	if _, err := s.ReadAll(ctx, eventstore.ReadAllOptions{}); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("ReadAll after Close: got %v", err)
	}
	if err := s.Close(); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("second Close: got %v", err)
	}
}

// lastRecord returns a copy of the last record of a segment of size bytes,
// found through its trailer.
func lastRecord(t *testing.T, path string, size int64) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = b[:size]
	n := binary.LittleEndian.Uint32(b[len(b)-4:])
	return bytes.Clone(b[len(b)-int(n):])
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func flipBit(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x04
	writeAt(t, path, off, b[off:off+1])
}

func crcC(b []byte) uint32 { return embedded.CrcForTest(b) }

// TestOpenOnTornSegmentCreation: a crash while a new segment's header was
// being written leaves a short or zeroed header; Open rewrites it.
func TestOpenOnTornSegmentCreation(t *testing.T) {
	cases := []struct {
		name   string
		header func(full []byte) []byte
	}{
		{"Empty", func([]byte) []byte { return nil }},
		{"HalfHeader", func(full []byte) []byte { return full[:9] }},
		{"ZeroedHeader", func([]byte) []byte { return make([]byte, 16) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir)
			ids := fill(t, s, "seg", 3)
			s.Close()
			first := lastSegment(t, dir)
			full, _ := os.ReadFile(first)
			next := filepath.Join(dir, fmt.Sprintf("seg-%020d.log", fileSize(t, first)))
			if err := os.WriteFile(next, tc.header(full[:16]), 0o644); err != nil {
				t.Fatal(err)
			}
			if rep, err := embedded.Check(dir); err != nil || len(rep.Problems) != 1 || rep.Problems[0].Kind != embedded.ProblemTornTail {
				t.Fatalf("Check: %+v, %v; want one torn tail", rep.Problems, err)
			}
			s = openDir(t, dir)
			defer s.Close()
			if got := streamIDs(t, s, "seg"); !equalUUIDs(got, ids) {
				t.Fatalf("got %d events, want %d", len(got), len(ids))
			}
			if _, err := s.Append(context.Background(), "seg", eventstore.Exact(2), event("after", 0)); err != nil {
				t.Fatalf("append into the rewritten segment: %v", err)
			}
		})
	}
}
