package demo_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/internal/golden"
)

// testNow is the demo's present in tests.
var testNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

var (
	testHashSecret = bytes.Repeat([]byte("h"), 32)
	testSealKey    = bytes.Repeat([]byte{7}, 32)
)

func testOptions(t testing.TB, seed uint64) demo.Options {
	t.Helper()
	h, err := domain.NewHasher(testHashSecret)
	if err != nil {
		t.Fatal(err)
	}
	s, err := demo.NewSealer("k1", testSealKey)
	if err != nil {
		t.Fatal(err)
	}
	return demo.Options{Seed: seed, Now: testNow, Sealer: s,
		Rules: domain.Rules{Config: domain.DefaultConfig(), Hasher: h, Places: geo.Default()}}
}

var (
	fullOnce    sync.Once
	fullHistory *demo.History
	fullErr     error
)

// full generates the full-size history once per test binary (seed 1).
func full(t *testing.T) *demo.History {
	t.Helper()
	fullOnce.Do(func() { fullHistory, fullErr = demo.Generate(testOptions(t, 1)) })
	if fullErr != nil {
		t.Fatal(fullErr)
	}
	return fullHistory
}

var (
	encodedOnce  sync.Once
	encodedBytes []byte
	encodedErr   error
)

// encoded is the canonical encoding of the full history (History.WriteTo).
func encoded(t *testing.T) []byte {
	t.Helper()
	h := full(t)
	encodedOnce.Do(func() {
		var buf bytes.Buffer
		_, encodedErr = h.WriteTo(&buf)
		encodedBytes = buf.Bytes()
	})
	if encodedErr != nil {
		t.Fatal(encodedErr)
	}
	return encodedBytes
}

// TestGoldenDigest pins the SHA-256 of the full history for seed 1. After
// an intended change to the story, regenerate with UPDATE_GOLDEN=1.
func TestGoldenDigest(t *testing.T) {
	sum := sha256.Sum256(encoded(t))
	got := hex.EncodeToString(sum[:]) + "\n"
	if d, err := full(t).Digest(); err != nil || d != sum {
		t.Fatalf("Digest() = %x, %v; want the SHA-256 of WriteTo, %x", d, err, sum)
	}
	golden.Check(t, filepath.Join("testdata", "history-seed1.sha256"), []byte(got))
}

// TestSameSeedSameBytes generates small histories twice per seed: equal
// bytes for equal seeds, different bytes for different seeds.
func TestSameSeedSameBytes(t *testing.T) {
	gen := func(seed uint64) string {
		h, err := demo.Generate(demo.WithScale(testOptions(t, seed), 0.02))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	a, b, c := gen(7), gen(7), gen(8)
	if a != b {
		t.Fatal("two histories for seed 7 differ")
	}
	if a == c {
		t.Fatal("seeds 7 and 8 gave the same history")
	}
}

func TestOptionsRejected(t *testing.T) {
	good := testOptions(t, 1)
	tests := []struct {
		name   string
		mutate func(*demo.Options)
	}{
		{"NoHasher", func(o *demo.Options) { o.Rules.Hasher = nil }},
		{"NoSealer", func(o *demo.Options) { o.Sealer = nil }},
		{"NowTooEarly", func(o *demo.Options) { o.Now = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.mutate(&o)
			if _, err := demo.Generate(o); !errors.Is(err, demo.ErrBadOptions) {
				t.Fatalf("Generate error %v, want ErrBadOptions", err)
			}
		})
	}
	for _, key := range [][]byte{nil, make([]byte, 16), make([]byte, 33)} {
		if _, err := demo.NewSealer("k1", key); !errors.Is(err, demo.ErrBadKey) {
			t.Errorf("NewSealer(%d-byte key) error %v, want ErrBadKey", len(key), err)
		}
	}
	if _, err := demo.NewSealer("", testSealKey); !errors.Is(err, demo.ErrBadKey) {
		t.Errorf("NewSealer with empty id: error %v, want ErrBadKey", err)
	}
}

// TestSealedDataOpensWithServerKeyring checks that the server's Keyring,
// holding the same key, opens what the demo sealed.
func TestSealedDataOpensWithServerKeyring(t *testing.T) {
	keys, err := domain.NewKeyring("k1", map[string][]byte{"k1": testSealKey})
	if err != nil {
		t.Fatal(err)
	}
	opened := 0
	for _, r := range full(t).Records {
		sig, ok := r.Event.(domain.SignatureSigned)
		if !ok {
			continue
		}
		p, err := keys.OpenPersonal(sig.Sealed, domain.SignatureAAD(sig.PetitionID, sig.SignatureID))
		if err != nil {
			t.Fatalf("%s: open sealed data: %v", r.Stream, err)
		}
		if p.Name == "" || !strings.Contains(p.Email, "@") {
			t.Fatalf("%s: opened %+v", r.Stream, p)
		}
		if opened++; opened == 200 {
			break
		}
	}
	if opened == 0 {
		t.Fatal("no signature found")
	}
}

// TestNoPlaintextPersonalData scans the encoded history for email
// addresses, the bots' IP addresses and signer names.
func TestNoPlaintextPersonalData(t *testing.T) {
	text := string(encoded(t))
	for _, needle := range []string{"@example.", "@mail.example", "203.0.113.", "Olivia ", " Smith\""} {
		if strings.Contains(text, needle) {
			t.Errorf("encoded history contains %q", needle)
		}
	}
}
