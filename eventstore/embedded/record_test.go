package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
)

// goldenRecords are the records of testdata/golden.seg.
var goldenRecords = []struct {
	flags  uint8
	stream string
	typ    string
	ctype  uint8
	rev    uint64
	ticks  int64
	id     uuid.UUID
	data   string
	meta   string
}{
	{flagTxnEnd, "petition-1", "PetitionCreated.v1", ctJSON, 0, 638000000000000000,
		uuid.MustParse("00000000-0000-4000-8000-000000000001"), `{"title":"t"}`, `{"m":1}`},
	{0, "petition-1", "SignatureAdded.v1", ctBinary, 1, 638000000000000001,
		uuid.MustParse("00000000-0000-4000-8000-000000000002"), "\x00\x01\xff", ""},
	{flagTxnEnd, "petition-1", "SignatureAdded.v1", ctJSON, 2, 638000000000000001,
		uuid.MustParse("00000000-0000-4000-8000-000000000003"), `{}`, ""},
	{flagTxnEnd | flagTombstone, "petition-2", "$streamDeleted", ctJSON, math.MaxInt64, 638000000000000002,
		uuid.MustParse("00000000-0000-4000-8000-000000000004"), "", ""},
}

func goldenSegment() []byte {
	b := segmentHeader()
	for _, r := range goldenRecords {
		b = appendRecord(b, r.flags, r.stream, r.typ, r.ctype, r.rev, r.ticks, r.id, []byte(r.data), []byte(r.meta))
	}
	return b
}

// TestGoldenSegment pins the on-disk format. Regenerate with
// UPDATE_GOLDEN=1 go test -run TestGoldenSegment (only on a deliberate
// format change, with a version bump).
func TestGoldenSegment(t *testing.T) {
	path := filepath.Join("testdata", "golden.seg")
	got := goldenSegment()
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (regenerate with UPDATE_GOLDEN=1)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding differs from %s: the on-disk format changed", path)
	}
	if err := checkSegmentHeader(want); err != nil {
		t.Fatalf("golden header: %v", err)
	}
	off := segHeaderSize
	for i, w := range goldenRecords {
		r, err := decodeRecord(want[off:])
		if err != nil {
			t.Fatalf("record %d at %d: %v", i, off, err)
		}
		if string(r.stream) != w.stream || string(r.typ) != w.typ || r.revision != w.rev || r.ticks != w.ticks ||
			r.id != w.id || string(r.data) != w.data || string(r.meta) != w.meta || r.flags != w.flags || r.ctype != w.ctype {
			t.Errorf("record %d: got %+v, want %+v", i, r, w)
		}
		off += int(r.size)
	}
	if off != len(want) {
		t.Errorf("records end at %d, file is %d bytes", off, len(want))
	}
}

func TestDecodeRecordRejects(t *testing.T) {
	good := appendRecord(nil, flagTxnEnd, "s", "t", ctJSON, 0, 1, uuid.New(), []byte("data"), nil)
	mutate := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	recrc := func(b []byte) {
		binary.LittleEndian.PutUint32(b[4:], crc32c(b[8:]))
	}
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"Empty", nil, errTorn},
		{"ShortHeader", good[:5], errTorn},
		{"Truncated", good[:len(good)-8], errTorn},
		{"Zeroed", make([]byte, 64), errTorn},
		{"BitFlipInData", mutate(func(b []byte) { b[recHeaderSize+3] ^= 1 }), errBadRecord},
		{"BitFlipInCRC", mutate(func(b []byte) { b[5] ^= 0x80 }), errBadRecord},
		{"SizeNotAligned", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b, 65) }), errBadRecord},
		{"SizeTooSmall", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b, 8) }), errBadRecord},
		{"SizeHuge", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b, 1<<30) }), errBadRecord},
		{"TrailerMismatch", mutate(func(b []byte) { b[len(b)-4] ^= 8; recrc(b) }), errBadRecord},
		{"UnknownKind", mutate(func(b []byte) { b[8] = 7; recrc(b) }), errBadRecord},
		{"UnknownFlag", mutate(func(b []byte) { b[9] = 0x80; recrc(b) }), errBadRecord},
		{"UnknownContentType", mutate(func(b []byte) { b[14] = 9; recrc(b) }), errBadRecord},
		{"LengthsOverflowFrame", mutate(func(b []byte) { binary.LittleEndian.PutUint32(b[48:], 1000); recrc(b) }), errBadRecord},
		{"EmptyStreamName", mutate(func(b []byte) { b[10], b[11] = 0, 0; recrc(b) }), errBadRecord},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeRecord(tc.b)
			if !errors.Is(err, tc.want) {
				t.Fatalf("decodeRecord: got %v, want %v", err, tc.want)
			}
		})
	}
}

func crc32c(b []byte) uint32 {
	return crcOf(b)
}

func TestTicksRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"Truncates100ns", time.Date(2026, 11, 23, 20, 0, 0, 123456789, time.UTC), time.Date(2026, 11, 23, 20, 0, 0, 123456700, time.UTC)},
		{"Exact", time.Date(2000, 1, 1, 0, 0, 0, 100, time.UTC), time.Date(2000, 1, 1, 0, 0, 0, 100, time.UTC)},
		{"NonUTCBecomesUTC", time.Date(2026, 6, 1, 12, 0, 0, 0, time.FixedZone("X", 3600)), time.Date(2026, 6, 1, 11, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ticks := timeToTicks(tc.in)
			got := ticksToTime(ticks)
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if timeToTicks(got) != ticks {
				t.Fatalf("ticks do not round-trip: %d then %d", ticks, timeToTicks(got))
			}
		})
	}
	// 2026-01-01T00:00:00Z in .NET ticks, as DateTime.Ticks gives it.
	if got, want := timeToTicks(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), int64(639028224000000000); got != want {
		t.Errorf("ticks of 2026-01-01: got %d, want %d", got, want)
	}
}

// FuzzDecodeRecord: the decoder never panics, and whatever it accepts
// re-encodes to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	g := goldenSegment()
	f.Add(g[segHeaderSize:])
	f.Add(appendRecord(nil, flagTxnEnd, "s", "t", ctJSON, 3, 5, uuid.New(), nil, nil))
	f.Add(make([]byte, 64))
	f.Add([]byte{64, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err != nil {
			return
		}
		again := appendRecord(nil, r.flags, string(r.stream), string(r.typ), r.ctype, r.revision, r.ticks, r.id, r.data, r.meta)
		if !bytes.Equal(again, b[:r.size]) {
			t.Fatalf("decoded record re-encodes differently:\n got %x\nwant %x", again, b[:r.size])
		}
	})
}

func TestArenaGrowsFromSmallBlocks(t *testing.T) {
	var a arena
	first := a.alloc(100)
	if got, want := cap(first)+len(a.block), arenaFirstBlock; got != want {
		t.Fatalf("first block: got %d bytes, want %d", got, want)
	}
	total := 0
	for total < 4*arenaBlock {
		b := a.alloc(1000)
		if len(b) != 1000 || cap(b) != 1000 {
			t.Fatalf("piece: len %d cap %d, want 1000 1000", len(b), cap(b))
		}
		total += 1000
	}
	if a.next != arenaBlock {
		t.Fatalf("after a long read the next block is %d bytes, want %d", a.next, arenaBlock)
	}
	if big := a.alloc(arenaBlock); len(big) != arenaBlock {
		t.Fatalf("large piece: len %d, want %d", len(big), arenaBlock)
	}
}
