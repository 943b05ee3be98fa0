package projections

import (
	"errors"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo"
)

func TestPlacesFromGeo(t *testing.T) {
	p, err := PlacesFromGeo(geo.Default())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(p.constituencies), 650; got != want {
		t.Fatalf("constituencies: got %d, want %d", got, want)
	}
	tests := []struct {
		code string
		want uint16
	}{
		{"", noConstituency},
		{geo.UnknownConstituency, uint16(len(p.constituencies))},
		{"E14001063", 0}, // Aldershot, the first code
	}
	for _, tt := range tests {
		if got := p.constituencySlot(tt.code); got != tt.want {
			t.Errorf("constituencySlot(%q): got %d, want %d", tt.code, got, tt.want)
		}
	}
	gb := p.countrySlot("GB")
	if p.countries[gb].Name != "United Kingdom" {
		t.Fatalf("GB slot names %q", p.countries[gb].Name)
	}
	for i, r := range p.constRegion {
		if p.regions[r].ONSCode != p.constituencies[i].RegionCode {
			t.Fatalf("constituency %s in region %s, want %s", p.constituencies[i].ONSCode, p.regions[r].ONSCode, p.constituencies[i].RegionCode)
		}
	}
}

func TestNewPlacesRejectsBadTables(t *testing.T) {
	r := []Region{{"R1", "Region"}}
	tests := []struct {
		name  string
		cs    []Constituency
		ctrys []Country
	}{
		{"DuplicateConstituency", []Constituency{{ONSCode: "A", RegionCode: "R1"}, {ONSCode: "A", RegionCode: "R1"}}, nil},
		{"UnknownRegion", []Constituency{{ONSCode: "A", RegionCode: "R9"}}, nil},
		{"EmptyCountry", nil, []Country{{Code: "", Name: "Nowhere"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewPlaces(tt.cs, r, tt.ctrys); !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("got %v, want ErrInvalidArgument", err)
			}
		})
	}
}
