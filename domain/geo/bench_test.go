package geo_test

import (
	"runtime"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo"
)

// benchPostcodes mixes postcodes in the table (spread over the country)
// with well-formed ones that are not.
var benchPostcodes = []string{
	"SW1A1AA", "M11AE", "EC1A1BB", "AB101AB", "GU147GR", "EH11YZ", "CF101EP",
	"BT161XZ", "WS98UZ", "DE552ZY", "ZZ99ZZ", "LS12AB", "PL48AA", "IV11AA",
}

// BenchmarkLookupPostcode measures one lookup of a normalised postcode.
func BenchmarkLookupPostcode(b *testing.B) {
	d := geo.Default()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.LookupPostcode(benchPostcodes[i%len(benchPostcodes)])
	}
}

// BenchmarkResolve measures normalisation plus lookup of a raw postcode.
func BenchmarkResolve(b *testing.B) {
	d := geo.Default()
	raw := []string{"sw1a 1aa", "M1 1AE", "ec1a 1bb", "AB10 1AB", "zz9 9zz"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := d.Resolve(raw[i%len(raw)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad measures decoding the embedded data (what Default does
// once) and reports the heap it keeps: heap-bytes is the live heap growth
// after load, measured once with a forced GC around it.
func BenchmarkLoad(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := geo.LoadEmbedded()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(d)
	b.ReportAllocs()
	for b.Loop() {
		geo.LoadEmbedded()
	}
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "heap-bytes")
}

// BenchmarkNaiveMapBaseline is the comparison point: the same table as a
// Go map[string]string built from it (what loading the CSV would give).
// heap-bytes is the live heap the map keeps.
func BenchmarkNaiveMapBaseline(b *testing.B) {
	d := geo.Default()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := make(map[string]string)
	d.EachPostcode(func(pc, ons string) bool { m[pc] = ons; return true })
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = m[benchPostcodes[i%len(benchPostcodes)]]
	}
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "heap-bytes")
	runtime.KeepAlive(m)
}
