package main

import (
	"fmt"

	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/projections"
)

// placesFromGeo builds the projections' place table from the embedded
// geography.
func placesFromGeo(g *geo.Data) (*projections.Places, error) {
	names := map[string]string{}
	var regions []projections.Region
	for _, r := range g.Regions() {
		if _, dup := names[r.Code]; dup {
			continue
		}
		names[r.Code] = r.Name
		regions = append(regions, projections.Region{ONSCode: r.Code, Name: r.Name})
	}
	var seats []projections.Constituency
	for _, c := range g.Constituencies() {
		if c.ONSCode == "" || c.ONSCode == geo.UnknownConstituency {
			continue
		}
		if _, ok := names[c.RegionCode]; !ok {
			names[c.RegionCode] = c.Region
			regions = append(regions, projections.Region{ONSCode: c.RegionCode, Name: c.Region})
		}
		seats = append(seats, projections.Constituency{ONSCode: c.ONSCode, Name: c.Name, MP: c.MP, RegionCode: c.RegionCode})
	}
	var countries []projections.Country
	for _, c := range g.Countries() {
		countries = append(countries, projections.Country{Code: c.Code, Name: c.Name})
	}
	p, err := projections.NewPlaces(seats, regions, countries)
	if err != nil {
		return nil, fmt.Errorf("place table: %w", err)
	}
	return p, nil
}
