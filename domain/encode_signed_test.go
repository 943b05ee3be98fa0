package domain

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
)

func signedForEncoding(s string, n int64, nonce []byte, at time.Time, prefixes []PrefixHash) SignatureSigned {
	return SignatureSigned{SignatureID: uuid.NewSHA1(uuid.Nil, []byte(s)), PetitionID: n, SignerKey: s, Kind: SignatureKind(s),
		Location: Location{Constituency: s, Country: "GB", Region: s + "r"}, From: SignatureState(s), To: SigPending,
		NameHash: s, PostcodeHash: "", IPHash: s, IPPrefixHashes: prefixes, EmailDomainHash: s,
		Sealed: Sealed{KeyID: s, Nonce: nonce, Ciphertext: append(nonce, s...)}, NotifyByEmail: n%2 == 0, At: at}
}

// TestAppendSignatureSignedMatchesJSON pins the hand encoder to
// encoding/json's bytes (the golden files, projections' fast decoder and
// every stored event depend on them).
func TestAppendSignatureSignedMatchesJSON(t *testing.T) {
	at := time.Date(2021, 9, 21, 10, 15, 0, 123000000, time.UTC)
	tests := []SignatureSigned{
		{},
		signedForEncoding("abcd", 601932, []byte("nonce-12byte"), at, []PrefixHash{{24, "ab"}, {16, "cd"}}),
		signedForEncoding("<script>&\"\\\n\u2028é\xff", -1, nil, at.In(time.FixedZone("x", 3600)), []PrefixHash{}),
		signedForEncoding("", 0, []byte{}, time.Time{}, nil),
	}
	for i, e := range tests {
		checkSignedEncoding(t, i, e)
	}
	// A time json.Marshal refuses is left to json.Marshal.
	if _, ok := appendSignatureSigned(nil, SignatureSigned{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); ok {
		t.Error("year 10000: encoded, want ok=false")
	}
}

func checkSignedEncoding(t *testing.T, i int, e SignatureSigned) {
	t.Helper()
	want, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("case %d: json.Marshal: %v", i, err)
	}
	got, ok := appendSignatureSigned(nil, e)
	if !ok || !bytes.Equal(got, want) {
		t.Errorf("case %d: appendSignatureSigned = %s, %v\nwant %s", i, got, ok, want)
	}
}

func FuzzEncodeSignatureSigned(f *testing.F) {
	f.Add("abcd", int64(1), []byte("nonce"), int64(1632219300123456789), 2)
	f.Add("<&>\"\\\x00é\xff\u2029", int64(-7), []byte(nil), int64(0), -1)
	f.Fuzz(func(t *testing.T, s string, n int64, nonce []byte, unixNano int64, prefixes int) {
		var ps []PrefixHash
		if prefixes >= 0 {
			ps = make([]PrefixHash, 0, prefixes%4)
			for i := 0; i < prefixes%4; i++ {
				ps = append(ps, PrefixHash{Bits: i * 8, Hash: s})
			}
		}
		checkSignedEncoding(t, 0, signedForEncoding(s, n, nonce, time.Unix(0, unixNano).UTC(), ps))
	})
}

// BenchmarkEncodeSignatureSigned compares EncodeEvent's hand encoder with
// encoding/json on a typical signature.
func BenchmarkEncodeSignatureSigned(b *testing.B) {
	e := signedForEncoding("cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", 601932, []byte("nonce-12byte"),
		time.Now().UTC(), []PrefixHash{{24, "ab"}, {16, "cd"}})
	e.IPPrefixHashes = []PrefixHash{{24, e.IPHash}, {16, e.IPHash}}
	e.Kind, e.From, e.Location = KindSigner, SigNone, Location{Constituency: "E14000639", Country: "GB", Region: "E12000007"}
	if _, err := EncodeEvent(e); err != nil {
		b.Fatal(err)
	}
	b.Run("EncodeEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := EncodeEvent(e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendSignatureSigned", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			appendSignatureSigned(make([]byte, 0, 1024), e)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
