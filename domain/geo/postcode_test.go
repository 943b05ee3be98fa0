package geo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo"
)

func TestNormalizePostcode(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        string // substring of the error; "" for success
	}{
		{"Canonical", "SW1A1AA", "SW1A1AA", ""},
		{"SpaceAndLower", "sw1a 1aa", "SW1A1AA", ""},
		{"ExtraWhitespace", "  M1\t1AE \n", "M11AE", ""},
		{"InnerSpaces", "E C 1 A 1 B B", "EC1A1BB", ""},
		{"ShapeA9", "M11AE", "M11AE", ""},
		{"ShapeA99", "B338TH", "B338TH", ""},
		{"ShapeAA9", "CR26XH", "CR26XH", ""},
		{"ShapeAA99", "DN551PT", "DN551PT", ""},
		{"ShapeA9A", "W1A0AX", "W1A0AX", ""},
		{"ShapeAA9A", "EC1A1BB", "EC1A1BB", ""},
		{"NorthernIreland", "bt16 1xz", "BT161XZ", ""},
		{"Girobank", "GIR 0AA", "GIR0AA", ""},
		{"UnissuedUnitLetters", "SW1A 1CI", "SW1A1CI", ""},
		{"NonBreakingSpace", "SW1A\u00a01AA", "SW1A1AA", ""},
		{"Empty", "", "", "empty"},
		{"OnlySpaces", "   ", "", "empty"},
		{"TooShort", "M1 1A", "", "5 to 7"},
		{"TooLong", "SW1A1 1AA", "", "5 to 7"},
		{"InwardNoDigit", "SW1AAAA", "", "digit and two letters"},
		{"InwardDigitLetter", "SW1A 11A", "", "digit and two letters"},
		{"OutwardStartsWithDigit", "1W1A 1AA", "", "outward code"},
		{"OutwardThreeLetters", "ABC1 1AA", "", "outward code"},
		{"OutwardAA9A9", "AB1A 1AA", "", ""},
		{"Punctuation", "SW1A-1AA", "", "only letters"},
		{"NonASCII", "SW1Å 1AA", "", "only letters"},
		{"BFPO", "BFPO 1234", "", "BFPO"},
		{"Huge", strings.Repeat("A", 100), "", "longer than"},
		{"GIRWrongInward", "GIR 0AB", "", "outward code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := geo.NormalizePostcode(tt.in)
			if tt.wantErr == "" && tt.want == "" { // well-formed shapes with no fixed output
				if err != nil {
					t.Fatalf("NormalizePostcode(%q) error %v, want success", tt.in, err)
				}
				return
			}
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, geo.ErrMalformedPostcode) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizePostcode(%q) = %q, %v; want error wrapping ErrMalformedPostcode containing %q", tt.in, got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.in) && tt.in != "" && strings.TrimSpace(tt.in) != "" {
					t.Errorf("error %q echoes the input", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizePostcode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzNormalizePostcode checks the properties every output must have: it is
// a fixed point, upper case without spaces, 5 to 7 characters (or GIR0AA),
// and failures always wrap ErrMalformedPostcode.
func FuzzNormalizePostcode(f *testing.F) {
	for _, s := range []string{"SW1A 1AA", "sw1a1aa", "GIR 0AA", "BFPO 1", "", " ", "M1 1AE", "EC1A 1BB", "AB1A1AA", "ß", "1234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := geo.NormalizePostcode(s)
		if err != nil {
			if !errors.Is(err, geo.ErrMalformedPostcode) || got != "" {
				t.Fatalf("NormalizePostcode(%q) = %q, %v: error must wrap ErrMalformedPostcode with empty result", s, got, err)
			}
			return
		}
		if len(got) < 5 || len(got) > 7 || strings.ToUpper(got) != got || strings.ContainsAny(got, " \t") {
			t.Fatalf("NormalizePostcode(%q) = %q: not a normalised postcode", s, got)
		}
		again, err := geo.NormalizePostcode(got)
		if err != nil || again != got {
			t.Fatalf("NormalizePostcode(%q) = %q, %v; want fixed point %q", got, again, err, got)
		}
		// Lookups of any well-formed postcode must not panic.
		if _, err := geo.Default().Resolve(got); err != nil {
			t.Fatalf("Resolve(%q) error %v for a well-formed postcode", got, err)
		}
	})
}
