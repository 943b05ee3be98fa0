package domain_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// TestPrepareSignatureWithGeo runs the signing input rules on the real
// reference data.
func TestPrepareSignatureWithGeo(t *testing.T) {
	r := mustRules(t)
	r.Places = domain.DefaultPlaces()
	data := geo.Default()
	cons := data.Constituencies()
	if len(cons) == 0 {
		t.Fatal("no constituencies in the reference data")
	}
	known, ok := data.ExamplePostcode(cons[0].ONSCode)
	if !ok {
		t.Fatalf("no example postcode for %s", cons[0].ONSCode)
	}
	tests := []struct {
		name, postcode, country string
		wantCode, wantField     string
		wantCons                string
	}{
		{"KnownPostcode", known, "GB", "", "", cons[0].ONSCode},
		{"LowerCaseSpaced", " " + lowerSpaced(known) + " ", "gb", "", "", cons[0].ONSCode},
		{"WellFormedUnknown", "ZZ9 9ZZ", "GB", "", "", geo.UnknownConstituency},
		{"Malformed", "NOT A PC", "GB", domain.ECodeInvalidPostcode, "postcode", ""},
		{"MissingForGB", "", "GB", domain.ECodeRequired, "postcode", ""},
		{"Abroad", "", "FR", "", "", ""},
		{"UnknownCountry", "", "ZZ", domain.ECodeInvalidCountry, "country", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := domain.SignerInput{Name: "A", Email: "a@example.org", Postcode: tt.postcode, Country: tt.country}
			sig, err := r.PrepareSignature(in, 1, uuid.New(), domain.KindSigner, t0)
			wantCode(t, err, tt.wantCode, tt.wantField)
			if err == nil && sig.Location.Constituency != tt.wantCons {
				t.Errorf("constituency = %q, want %q", sig.Location.Constituency, tt.wantCons)
			}
			if err == nil && tt.wantCons == cons[0].ONSCode && sig.Location.Region != cons[0].RegionCode {
				t.Errorf("region = %q, want %q", sig.Location.Region, cons[0].RegionCode)
			}
		})
	}
}

// lowerSpaced writes a normalised postcode the way a person might.
func lowerSpaced(pc string) string {
	out := []rune{}
	for i, r := range pc {
		if i == len(pc)-3 {
			out = append(out, ' ')
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		out = append(out, r)
	}
	return string(out)
}
