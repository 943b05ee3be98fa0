package geo_test

import (
	"errors"
	"sort"
	"testing"

	"github.com/petitionledger/petitionledger/domain/geo"
)

func TestResolve(t *testing.T) {
	d := geo.Default()
	tests := []struct {
		name, in            string
		wantCode, wantName  string
		wantRegion, wantNat string
	}{
		{"Westminster", "SW1A 1AA", "E14001172", "Cities of London and Westminster", "E12000007", "England"},
		{"Aldershot example", "gu14 7gr", "E14001063", "Aldershot", "E12000008", "England"},
		{"Edinburgh", "EH1 1YZ", "S14000078", "Edinburgh East and Musselburgh", "S92000003", "Scotland"},
		{"Northern Ireland example", "BT16 1XZ", "N05000001", "Belfast East", "N92000002", "Northern Ireland"},
		{"Wales", "CF10 1EP", "W07000091", "Cardiff South and Penarth", "W92000004", "Wales"},
		{"Well-formed but not in table", "ZZ9 9ZZ", geo.UnknownConstituency, geo.UnknownConstituencyName, "", ""},
		{"NI postcode without example", "BT1 1AA", geo.UnknownConstituency, geo.UnknownConstituencyName, "", ""},
		{"Unissued unit letters", "SW1A 1CI", geo.UnknownConstituency, geo.UnknownConstituencyName, "", ""},
		{"Girobank", "GIR 0AA", geo.UnknownConstituency, geo.UnknownConstituencyName, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Resolve(tt.in)
			if err != nil {
				t.Fatalf("Resolve(%q) error %v", tt.in, err)
			}
			if got.ONSCode != tt.wantCode || got.Name != tt.wantName || got.RegionCode != tt.wantRegion || got.Country != tt.wantNat {
				t.Fatalf("Resolve(%q) = %+v; want %s %q region %q nation %q", tt.in, got, tt.wantCode, tt.wantName, tt.wantRegion, tt.wantNat)
			}
		})
	}
	if _, err := d.Resolve("not a postcode"); !errors.Is(err, geo.ErrMalformedPostcode) {
		t.Fatalf("Resolve(malformed) error %v, want ErrMalformedPostcode", err)
	}
}

func TestConstituencies(t *testing.T) {
	d := geo.Default()
	cs := d.Constituencies()
	if got, want := len(cs), 650; got != want {
		t.Fatalf("len(Constituencies) = %d, want %d", got, want)
	}
	if !sort.SliceIsSorted(cs, func(i, j int) bool { return cs[i].ONSCode < cs[j].ONSCode }) {
		t.Fatal("Constituencies not sorted by ONS code")
	}
	perNation := map[string]int{}
	for _, c := range cs {
		perNation[c.NationCode()]++
		if _, ok := d.Region(c.RegionCode); !ok {
			t.Errorf("%s: region %s not listed", c.ONSCode, c.RegionCode)
		}
		pc, ok := d.ExamplePostcode(c.ONSCode)
		if !ok {
			t.Errorf("%s: no example postcode", c.ONSCode)
			continue
		}
		if got, _ := d.LookupPostcode(pc); got != c.ONSCode {
			t.Errorf("example %s of %s resolves to %q", pc, c.ONSCode, got)
		}
	}
	want := map[string]int{"E92000001": 543, "W92000004": 32, "S92000003": 57, "N92000002": 18}
	for code, n := range want {
		if perNation[code] != n {
			t.Errorf("nation %s: %d constituencies, want %d", code, perNation[code], n)
		}
	}
	cs[0].Name = "mutated"
	if c, _ := d.Constituency(cs[0].ONSCode); c.Name == "mutated" {
		t.Error("Constituencies returned the internal slice")
	}
}

func TestConstituencyLookup(t *testing.T) {
	d := geo.Default()
	tests := []struct {
		code, wantName, wantMPParty string
		wantOK                      bool
	}{
		{"E14001170", "Chorley", "Speaker", true},
		{"W07000081", "Aberafan Maesteg", "", true},
		{geo.UnknownConstituency, geo.UnknownConstituencyName, "", true},
		{"E14000639", "", "", false}, // a pre-2024 code
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, ok := d.Constituency(tt.code)
		if ok != tt.wantOK || got.Name != tt.wantName || (tt.wantMPParty != "" && got.Party != tt.wantMPParty) {
			t.Errorf("Constituency(%q) = %+v, %v; want name %q party %q ok %v", tt.code, got, ok, tt.wantName, tt.wantMPParty, tt.wantOK)
		}
	}
}

func TestRegionsAndNations(t *testing.T) {
	d := geo.Default()
	rs := d.Regions()
	if len(rs) != 12 {
		t.Fatalf("len(Regions) = %d, want 12 (9 English regions + 3 nations)", len(rs))
	}
	tests := []struct{ code, want string }{
		{"E12000001", "North East"},
		{"E12000007", "London"},
		{"E12000009", "South West"},
		{"W92000004", "Wales"},
		{"S92000003", "Scotland"},
		{"N92000002", "Northern Ireland"},
	}
	for _, tt := range tests {
		if got, ok := d.Region(tt.code); !ok || got.Name != tt.want {
			t.Errorf("Region(%q) = %+v, %v; want %q", tt.code, got, ok, tt.want)
		}
	}
	if _, ok := d.Region("E12000010"); ok {
		t.Error("Region(E12000010) found")
	}
	if got := geo.Nations(); len(got) != 4 || got[0].Name != "England" || got[3].Name != "Wales" {
		t.Errorf("Nations() = %v", got)
	}
}

func TestCountries(t *testing.T) {
	d := geo.Default()
	cs := d.Countries()
	if len(cs) != 237 {
		t.Fatalf("len(Countries) = %d, want 237", len(cs))
	}
	if !sort.SliceIsSorted(cs, func(i, j int) bool { return cs[i].Code < cs[j].Code }) {
		t.Fatal("Countries not sorted by code")
	}
	tests := []struct {
		code, wantName, wantEnd string
		wantOK, wantKnown       bool
	}{
		{"GB", "United Kingdom", "", true, true},
		{"FR", "France", "", true, true},
		{"RE", "Réunion", "", true, true},
		{"SU", "USSR", "1991-12-25", true, false},
		{"XX", "", "", false, false},
	}
	for _, tt := range tests {
		got, ok := d.Country(tt.code)
		if ok != tt.wantOK || got.Name != tt.wantName || (tt.wantEnd != "" && got.End != tt.wantEnd) {
			t.Errorf("Country(%q) = %+v, %v; want %q end %q", tt.code, got, ok, tt.wantName, tt.wantEnd)
		}
		if known := d.KnownCountry(tt.code); known != tt.wantKnown {
			t.Errorf("KnownCountry(%q) = %v, want %v", tt.code, known, tt.wantKnown)
		}
	}
}

func TestLocate(t *testing.T) {
	d := geo.Default()
	tests := []struct{ pc, wantCode, wantRegion string }{
		{"SW1A1AA", "E14001172", "E12000007"},
		{"BT161XZ", "N05000001", "N92000002"},
		{"ZZ99ZZ", geo.UnknownConstituency, ""},
	}
	for _, tt := range tests {
		if c, r := d.Locate(tt.pc); c != tt.wantCode || r != tt.wantRegion {
			t.Errorf("Locate(%q) = %q, %q; want %q, %q", tt.pc, c, r, tt.wantCode, tt.wantRegion)
		}
	}
	if got := d.Stats(); got.Postcodes < 1_733_406 || got.Runs == 0 || got.Sectors == 0 {
		t.Errorf("Stats() = %+v", got)
	}
}
