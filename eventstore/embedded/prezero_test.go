package embedded_test

import (
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
)

// copySegments copies the segment files of an open store: what a crash
// (power loss after the last fsync) leaves on disk.
func copySegments(t *testing.T, from, to string) {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(from, "seg-*.log"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no segments in %s: %v", from, err)
	}
	for _, p := range segs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestZeroFilledTail: the writer keeps zeros written ahead of the log in
// the active segment (prezero.go). A crash leaves them as a zeroed tail,
// which Check calls a torn tail with nothing valid after it and Open
// truncates, keeping every acknowledged event; Close and segment rollover
// cut the zeros so that sealed and cleanly closed segments end exactly at
// their last record.
func TestZeroFilledTail(t *testing.T) {
	for _, segSize := range []int64{1 << 30, 1024} {
		t.Run(benchName("segment", int(segSize)), func(t *testing.T) {
			dir, crashed := t.TempDir(), t.TempDir()
			s := openDir(t, dir, embedded.WithSegmentSize(segSize))
			ids := fill(t, s, "zeroed", 40)
			head, err := s.ReadAll(t.Context(), eventstore.ReadAllOptions{Direction: eventstore.Backwards, MaxCount: 1})
			if err != nil || len(head) != 1 {
				t.Fatalf("last event: %v %v", head, err)
			}
			copySegments(t, dir, crashed)
			last := lastSegment(t, crashed)
			lastEnd := fileSize(t, lastSegment(t, dir))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			// The crash copy: a zeroed tail after the last record.
			base := segmentBase(t, last)
			end := int64(head[0].Position.Commit-base) + recordSize(t, last, int64(head[0].Position.Commit-base))
			if lastEnd <= end {
				t.Fatalf("crash copy: last segment is %d bytes, want zeros after the log end %d", lastEnd, end)
			}
			rep, err := embedded.Check(crashed)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 1 || rep.Problems[0].Kind != embedded.ProblemTornTail ||
				rep.Problems[0].Offset != end || rep.Problems[0].Cut != end || rep.Problems[0].ValidAfter != 0 {
				t.Fatalf("Check(crash copy) = %+v, want one torn tail at %d with nothing valid after it", rep.Problems, end)
			}
			logs := &logBuffer{}
			c, err := embedded.Open(crashed, embedded.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
			if err != nil {
				t.Fatalf("Open(crash copy): %v", err)
			}
			if got := streamIDs(t, c, "zeroed"); !equalUUIDs(got, ids) {
				t.Errorf("crash copy: got %d events, want the %d acknowledged", len(got), len(ids))
			}
			if !strings.Contains(logs.String(), "truncating torn tail") {
				t.Errorf("Open(crash copy) did not log the truncation: %s", logs)
			}
			if _, err := c.Append(t.Context(), "zeroed", eventstore.Exact(uint64(len(ids)-1)), event("after", 0)); err != nil {
				t.Fatalf("append after recovery: %v", err)
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}

			// Clean closes leave no zeros: Check finds nothing, sizes end at
			// the last record.
			for _, d := range []string{dir, crashed} {
				rep, err := embedded.Check(d)
				if err != nil || !rep.OK() {
					t.Fatalf("Check(%s) after Close = %+v, %v; want no problem", d, rep.Problems, err)
				}
			}
			if got := fileSize(t, lastSegment(t, dir)); got != end {
				t.Errorf("closed last segment is %d bytes, want %d", got, end)
			}
		})
	}
}

// segmentBase parses the global position of a segment from its name.
func segmentBase(t *testing.T, path string) uint64 {
	t.Helper()
	digits := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "seg-"), ".log")
	base, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		t.Fatalf("segment name %s: %v", path, err)
	}
	return base
}

// recordSize reads the frame size of the record at off in path.
func recordSize(t *testing.T, path string, off int64) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b [4]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		t.Fatal(err)
	}
	return int64(binary.LittleEndian.Uint32(b[:]))
}
