package geo_test

import (
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo"
)

// TestNthPostcodeCoversEveryConstituency checks that every postcode
// NthPostcode returns resolves back to its constituency, and that the
// counts add up to the whole table.
func TestNthPostcodeCoversEveryConstituency(t *testing.T) {
	d := geo.Default()
	total := 0
	for _, c := range d.Constituencies() {
		n := d.PostcodeCount(c.ONSCode)
		if n == 0 {
			t.Errorf("%s has no postcodes", c.ONSCode)
			continue
		}
		total += n
		for _, i := range []int{0, n / 3, n / 2, n - 1} {
			pc, ok := d.NthPostcode(c.ONSCode, i)
			if got, _ := d.LookupPostcode(pc); !ok || got != c.ONSCode {
				t.Errorf("NthPostcode(%s, %d) = %q, %v; resolves to %q", c.ONSCode, i, pc, ok, got)
			}
		}
		if _, ok := d.NthPostcode(c.ONSCode, n); ok {
			t.Errorf("NthPostcode(%s, %d) past the end succeeded", c.ONSCode, n)
		}
	}
	if got, want := total, d.Stats().Postcodes; got != want {
		t.Errorf("sum of PostcodeCount = %d, want %d", got, want)
	}
	tests := []struct {
		ons  string
		n    int
		want string
	}{
		{"N05000001", 0, "BT161XZ"}, // Northern Ireland: the example postcode only
		{"X", 0, ""},
		{"E14001063", -1, ""},
	}
	for _, tt := range tests {
		if got, _ := d.NthPostcode(tt.ons, tt.n); got != tt.want {
			t.Errorf("NthPostcode(%q, %d) = %q, want %q", tt.ons, tt.n, got, tt.want)
		}
	}
}
