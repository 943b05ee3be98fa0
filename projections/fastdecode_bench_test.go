package projections

import (
	"encoding/json"
	"testing"

	"github.com/petitionledger/petitionledger/domain"
)

func sampleValidated(b *testing.B) []byte {
	evs := recorded(b, fill(b, mustHistory(b, genOptions(11, 1, 50))))
	for _, ev := range evs {
		if ev.Type == domain.TypeSignatureValidated {
			return ev.Data
		}
	}
	b.Fatal("no SignatureValidated event")
	return nil
}

// BenchmarkDecodeSigFast and BenchmarkDecodeSigJSON compare the fast path
// with encoding/json on one SignatureValidated body.
func BenchmarkDecodeSigFast(b *testing.B) {
	data := sampleValidated(b)
	places := testPlaces(b)
	var out sigFields
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if err := decodeSigFast(data, &out, places); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSigJSON(b *testing.B) {
	data := sampleValidated(b)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		var v domain.SignatureValidated
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
