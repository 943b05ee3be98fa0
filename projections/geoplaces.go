package projections

import (
	"fmt"

	"github.com/petitionledger/petitionledger/domain/geo"
)

// PlacesFromGeo builds the place table from the embedded geography: every
// constituency (the geo.UnknownConstituency key falls into the table's
// unknown slot), every region and nation, every country.
func PlacesFromGeo(g *geo.Data) (*Places, error) {
	seen := map[string]bool{}
	var regions []Region
	addRegion := func(code, name string) {
		if code != "" && !seen[code] {
			seen[code] = true
			regions = append(regions, Region{ONSCode: code, Name: name})
		}
	}
	for _, r := range g.Regions() {
		addRegion(r.Code, r.Name)
	}
	var seats []Constituency
	for _, c := range g.Constituencies() {
		if c.ONSCode == "" || c.ONSCode == geo.UnknownConstituency {
			continue
		}
		addRegion(c.RegionCode, c.Region)
		seats = append(seats, Constituency{ONSCode: c.ONSCode, Name: c.Name, MP: c.MP, RegionCode: c.RegionCode})
	}
	var countries []Country
	for _, c := range g.Countries() {
		countries = append(countries, Country{Code: c.Code, Name: c.Name})
	}
	p, err := NewPlaces(seats, regions, countries)
	if err != nil {
		return nil, fmt.Errorf("projections: place table from geo: %w", err)
	}
	return p, nil
}
