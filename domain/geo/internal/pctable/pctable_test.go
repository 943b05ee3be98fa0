package pctable_test

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo/internal/pctable"
)

var sample = []pctable.Entry{
	{"SW1A1AA", "E14001172"},
	{"SW1A1AB", "E14001172"},
	{"SW1A2AA", "E14001172"},
	{"M11AE", "E14001363"},
	{"EC1A1BB", "E14001172"},
	{"BT161XZ", "N05000001"},
	{"AB101AB", "S14000061"},
	{"AB101AF", "S14000061"},
	{"AB101ZZ", "S14000062"},
	{"W1A0AX", "E14001172"},
}

func mustEncode(t testing.TB, entries []pctable.Entry) []byte {
	t.Helper()
	b, err := pctable.Encode(entries)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	tab, err := pctable.Decode(mustEncode(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sample {
		if got, ok := tab.Lookup(e.Postcode); !ok || got != e.Code {
			t.Errorf("Lookup(%q) = %q, %v; want %q", e.Postcode, got, ok, e.Code)
		}
	}
	for _, pc := range []string{"SW1A1AD", "SW1A3AA", "M11AF", "AB101AA", "BT11AA", "ZZ99ZZ", "SW1A1CI", "", "SW1A"} {
		if got, ok := tab.Lookup(pc); ok {
			t.Errorf("Lookup(%q) = %q, true; want not found", pc, got)
		}
	}
	if got, want := tab.Len(), len(sample); got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	seen := 0
	tab.Each(func(pc, code string) bool {
		seen++
		if got, _ := tab.Lookup(pc); got != code {
			t.Errorf("Each gave %q → %q, Lookup gives %q", pc, code, got)
		}
		return true
	})
	if seen != len(sample) {
		t.Errorf("Each visited %d postcodes, want %d", seen, len(sample))
	}
}

func TestEncodeIsOrderIndependent(t *testing.T) {
	a := mustEncode(t, sample)
	rev := make([]pctable.Entry, len(sample))
	for i, e := range sample {
		rev[len(sample)-1-i] = e
	}
	if b := mustEncode(t, rev); string(a) != string(b) {
		t.Fatal("encoding depends on input order")
	}
}

func TestEncodeRejects(t *testing.T) {
	tests := []struct {
		name    string
		entries []pctable.Entry
	}{
		{"Duplicate", []pctable.Entry{{"M11AE", "A"}, {"M11AE", "B"}}},
		{"BadPostcode", []pctable.Entry{{"M1-1AE", "A"}}},
		{"UnissuedLetter", []pctable.Entry{{"M11AC", "A"}}},
		{"EmptyCode", []pctable.Entry{{"M11AE", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pctable.Encode(tt.entries); !errors.Is(err, pctable.ErrInvalidInput) {
				t.Fatalf("Encode error %v, want ErrInvalidInput", err)
			}
		})
	}
}

func TestKeyRoundTrip(t *testing.T) {
	tests := []struct {
		pc     string
		wantOK bool
	}{
		{"SW1A1AA", true}, {"M11AE", true}, {"EC1A1BB", true}, {"GIR0AA", true}, {"ZZ99ZZ", true},
		{"M11AC", false}, {"M1", false}, {"SW1A11AA", false}, {"sw1a1aa", false}, {"SW1AXAA", false},
	}
	for _, tt := range tests {
		s, u, ok := pctable.Key(tt.pc)
		if ok != tt.wantOK {
			t.Errorf("Key(%q) ok = %v, want %v", tt.pc, ok, tt.wantOK)
			continue
		}
		if ok {
			if got := pctable.PostcodeOf(s, u); got != tt.pc {
				t.Errorf("PostcodeOf(Key(%q)) = %q", tt.pc, got)
			}
		}
	}
}

// reseal recomputes the CRC so a corruption reaches the structural checks.
func reseal(b []byte) []byte {
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.Checksum(b[:n], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

func TestDecodeRejectsCorruption(t *testing.T) {
	good := mustEncode(t, sample)
	le := binary.LittleEndian
	// Offsets for the sample: header 24, then codes.
	codesLen := 0
	for _, c := range []string{"E14001172", "E14001363", "N05000001", "S14000061", "S14000062"} {
		codesLen += 1 + len(c)
	}
	sectors := 24 + codesLen
	nSectors := int(le.Uint32(good[12:]))
	ranks := sectors + 4*nSectors
	bitmaps := ranks + 4*nSectors
	runs := bitmaps + 56*nSectors
	tests := []struct {
		name    string
		mutate  func(b []byte) []byte
		wantErr error
	}{
		{"Empty", func(b []byte) []byte { return nil }, pctable.ErrCorrupt},
		{"Truncated", func(b []byte) []byte { return b[:len(b)-1] }, pctable.ErrCorrupt},
		{"BadMagic", func(b []byte) []byte { b[0] = 'X'; return b }, pctable.ErrCorrupt},
		{"FutureVersion", func(b []byte) []byte { le.PutUint16(b[4:], 2); return b }, pctable.ErrVersion},
		{"BitFlip", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, pctable.ErrCorrupt},
		{"Reserved", func(b []byte) []byte { le.PutUint16(b[6:], 1); return reseal(b) }, pctable.ErrCorrupt},
		{"TooManyRuns", func(b []byte) []byte { le.PutUint32(b[20:], le.Uint32(b[20:])+1); return reseal(b) }, pctable.ErrCorrupt},
		{"CodesUnsorted", func(b []byte) []byte { b[25] = 'Z'; return reseal(b) }, pctable.ErrCorrupt},
		{"SectorsUnsorted", func(b []byte) []byte { le.PutUint32(b[sectors+4:], 0); return reseal(b) }, pctable.ErrCorrupt},
		{"BadRank", func(b []byte) []byte { le.PutUint32(b[ranks+4:], 99); return reseal(b) }, pctable.ErrCorrupt},
		{"EmptySector", func(b []byte) []byte { clear(b[bitmaps : bitmaps+56]); return reseal(b) }, pctable.ErrCorrupt},
		{"BitPastUnits", func(b []byte) []byte { b[bitmaps+55] = 0x80; return reseal(b) }, pctable.ErrCorrupt},
		{"RunCodeOutOfRange", func(b []byte) []byte { le.PutUint32(b[runs:], 1023); return reseal(b) }, pctable.ErrCorrupt},
		{"FirstRunNotZero", func(b []byte) []byte { le.PutUint32(b[runs:], 1<<10); return reseal(b) }, pctable.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(append([]byte(nil), good...))
			if _, err := pctable.Decode(b); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decode error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to Decode: it must return an error or a
// table whose every listed postcode looks itself up, without panicking.
func FuzzDecode(f *testing.F) {
	good := mustEncode(f, sample)
	f.Add(good)
	f.Add(good[:30])
	f.Add(reseal(append([]byte(nil), good...)))
	f.Add(mustEncode(f, sample[:1]))
	f.Add([]byte("PLPC"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := pctable.Decode(b)
		if err != nil {
			if !errors.Is(err, pctable.ErrCorrupt) && !errors.Is(err, pctable.ErrVersion) {
				t.Fatalf("Decode error %v is neither ErrCorrupt nor ErrVersion", err)
			}
			return
		}
		n := 0
		tab.Each(func(pc, code string) bool {
			n++
			if got, ok := tab.Lookup(pc); !ok || got != code {
				t.Fatalf("Lookup(%q) = %q, %v; Each says %q", pc, got, ok, code)
			}
			return n < 10_000
		})
		tab.Lookup("SW1A1AA")
		for i := 0; i < min(tab.Len(), 100); i++ {
			pc, ok := tab.PostcodeAt(i)
			if _, found := tab.Lookup(pc); !ok || !found {
				t.Fatalf("PostcodeAt(%d) = %q, %v is not in the table", i, pc, ok)
			}
		}
		tab.SpansByCode()
	})
}

func TestPostcodeAtAndSpans(t *testing.T) {
	tab, err := pctable.Decode(mustEncode(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	tab.Each(func(pc, _ string) bool { order = append(order, pc); return true })
	for i, want := range order {
		if got, ok := tab.PostcodeAt(i); !ok || got != want {
			t.Errorf("PostcodeAt(%d) = %q, %v; want %q", i, got, ok, want)
		}
	}
	if _, ok := tab.PostcodeAt(len(order)); ok {
		t.Error("PostcodeAt(Len) succeeded")
	}
	codes, total := tab.Codes(), 0
	for ci, spans := range tab.SpansByCode() {
		for _, s := range spans {
			for o := s.Start; o < s.Start+s.Len; o++ {
				total++
				pc, _ := tab.PostcodeAt(o)
				if got, _ := tab.Lookup(pc); got != codes[ci] {
					t.Errorf("span of %s holds %s → %s", codes[ci], pc, got)
				}
			}
		}
	}
	if total != tab.Len() {
		t.Errorf("spans cover %d postcodes, want %d", total, tab.Len())
	}
}
