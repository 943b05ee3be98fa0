package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/petitionledger/petitionledger/domain"
)

// benchmarkRead measures one read handler in process (no network).
func benchmarkRead(b *testing.B, path string, headers ...string) {
	f := newFixture(b)
	fullPetition(f, 1)
	for i := 10; i < 200; i++ {
		f.sign(1, i, domain.Location{Country: "FR"})
	}
	h := f.api.Handler()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func BenchmarkCountJSON(b *testing.B)    { benchmarkRead(b, "/petitions/1/count.json") }
func BenchmarkPetitionJSON(b *testing.B) { benchmarkRead(b, "/petitions/1.json") }
func BenchmarkPetitionJSONGzip(b *testing.B) {
	benchmarkRead(b, "/petitions/1.json", "Accept-Encoding", "gzip")
}
