package projections

import (
	"bytes"
	"errors"
	"testing"
)

// sampleCheckpoint returns the checkpoint bytes of a small folded history.
func sampleCheckpoint(tb testing.TB) []byte {
	tb.Helper()
	l := newTestLedger(tb)
	evs := recorded(tb, fill(tb, mustHistory(tb, genOptions(21, 3, 300))))
	for i := range evs {
		l.Apply(&evs[i])
	}
	var b bytes.Buffer
	b.Write(encodeLedger(l))
	pathDir := tb.TempDir()
	if err := writeCheckpointFile(pathDir+"/c", l.pos, l.applied, b.Bytes()); err != nil {
		tb.Fatal(err)
	}
	return mustRead(tb, pathDir+"/c")
}

func TestLedgerStateRoundTrip(t *testing.T) {
	ck := sampleCheckpoint(t)
	cf, err := decodeCheckpoint(ck)
	if err != nil {
		t.Fatal(err)
	}
	l := newTestLedger(t)
	if err := decodeLedger(l, cf.payload); err != nil {
		t.Fatal(err)
	}
	if got := encodeLedger(l); !bytes.Equal(got, cf.payload) {
		t.Fatalf("decode then encode changed the bytes (%d vs %d)", len(got), len(cf.payload))
	}
	if len(l.byOrdinal) != 3 {
		t.Fatalf("petitions: got %d, want 3", len(l.byOrdinal))
	}
}

func TestLedgerStateRefusesOtherRules(t *testing.T) {
	cf, err := decodeCheckpoint(sampleCheckpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLedger(testPlaces(t), DefaultRules, t.TempDir(), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	if err := decodeLedger(l, cf.payload); !errors.Is(err, ErrCheckpointVersion) {
		t.Fatalf("got %v, want ErrCheckpointVersion", err)
	}
}

// FuzzCheckpoint: no input makes the checkpoint or ledger decoders panic
// or allocate without bound; whatever decodes re-encodes to the same bytes.
func FuzzCheckpoint(f *testing.F) {
	f.Add(sampleCheckpoint(f))
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		cf, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		l := newTestLedger(t)
		if err := decodeLedger(l, cf.payload); err != nil {
			if !errors.Is(err, ErrCheckpointCorrupt) && !errors.Is(err, ErrCheckpointVersion) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if got := encodeLedger(l); !bytes.Equal(got, cf.payload) {
			t.Fatalf("accepted state does not re-encode to itself")
		}
	})
}

// FuzzLedgerState feeds arbitrary payloads (after a valid fingerprint) to
// the ledger decoder.
func FuzzLedgerState(f *testing.F) {
	cf, err := decodeCheckpoint(sampleCheckpoint(f))
	if err != nil {
		f.Fatal(err)
	}
	fp := fingerprint(testPlaces(f), testRules)
	f.Add(cf.payload[len(fp):])
	f.Add([]byte{1, 2})
	f.Fuzz(func(t *testing.T, body []byte) {
		l := newTestLedger(t)
		payload := append(append([]byte(nil), fp[:]...), body...)
		if err := decodeLedger(l, payload); err != nil {
			return
		}
		if got := encodeLedger(l); !bytes.Equal(got, payload) {
			t.Fatalf("accepted state does not re-encode to itself")
		}
	})
}

func TestAuditRecordRoundTrip(t *testing.T) {
	r := auditRecord{at: 123, typ: 5, role: 3, delta: -1, cs: 7, ks: 9}
	r.pos.Commit, r.pos.Prepare = 10, 11
	got, err := decodeAuditRecord(r.appendTo(nil))
	if err != nil || got != r {
		t.Fatalf("got %+v, %v; want %+v", got, err, r)
	}
}

// FuzzAuditRecord: no 64-byte input panics; accepted records re-encode to
// the same bytes.
func FuzzAuditRecord(f *testing.F) {
	r := auditRecord{at: 1, typ: 15, role: 2, delta: 1}
	f.Add(r.appendTo(nil))
	f.Add(make([]byte, auditRecordSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeAuditRecord(b)
		if err != nil {
			return
		}
		if enc := got.appendTo(nil); !bytes.Equal(enc, b) {
			t.Fatalf("record does not re-encode to itself")
		}
	})
}
