package domain_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

func BenchmarkDecodeSignatureSigned(b *testing.B) {
	var data []byte
	for _, e := range sampleEvents() {
		if e.EventType() == domain.TypeSignatureSigned {
			data, _ = domain.EncodeEvent(e)
		}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := domain.DecodeEvent(domain.TypeSignatureSigned, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrepareSignature measures validation, canonicalisation, the six
// keyed hashes and the AES-GCM seal of one signature.
func BenchmarkPrepareSignature(b *testing.B) {
	r := mustRules(b)
	in := creator()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.PrepareSignature(in, 1, uuid.New(), domain.KindSigner, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanonicalEmail(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := domain.CanonicalEmail("A.D.A+petitions@GoogleMail.com"); err != nil {
			b.Fatal(err)
		}
	}
}
