package projections

import (
	"fmt"
	"sort"
)

// Constituency is one parliamentary constituency as the counts report it.
type Constituency struct {
	ONSCode    string
	Name       string
	MP         string
	RegionCode string
}

// Region is an ONS region (or a nation outside England).
type Region struct {
	ONSCode string
	Name    string
}

// Country is a country a signature can come from.
type Country struct {
	Code string
	Name string
}

// Places is the fixed table that gives every constituency and country a
// small index, so per-petition counts are compact arrays rather than maps.
// Index len(Constituencies) is the "unknown constituency" slot (a GB
// postcode not in the table), index len(Countries) the "unknown country"
// slot. A Places is immutable once built.
type Places struct {
	constituencies []Constituency // sorted by ONS code
	regions        []Region       // sorted by ONS code
	countries      []Country      // sorted by name, then code
	constIndex     map[string]uint16
	countryIndex   map[string]uint16
	constRegion    []int // region index of each constituency, -1 if none
}

// NewPlaces builds the table. Codes must be unique and every constituency's
// region must be listed.
func NewPlaces(constituencies []Constituency, regions []Region, countries []Country) (*Places, error) {
	if len(constituencies) >= 1<<16-1 || len(countries) >= 1<<16-1 {
		return nil, fmt.Errorf("%w: too many places", ErrInvalidArgument)
	}
	p := &Places{
		constituencies: append([]Constituency(nil), constituencies...),
		regions:        append([]Region(nil), regions...),
		countries:      append([]Country(nil), countries...),
		constIndex:     make(map[string]uint16, len(constituencies)),
		countryIndex:   make(map[string]uint16, len(countries)),
	}
	sort.Slice(p.constituencies, func(i, j int) bool { return p.constituencies[i].ONSCode < p.constituencies[j].ONSCode })
	sort.Slice(p.regions, func(i, j int) bool { return p.regions[i].ONSCode < p.regions[j].ONSCode })
	sort.Slice(p.countries, func(i, j int) bool {
		a, b := p.countries[i], p.countries[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Code < b.Code
	})
	regionIndex := make(map[string]int, len(p.regions))
	for i, r := range p.regions {
		if _, dup := regionIndex[r.ONSCode]; dup {
			return nil, fmt.Errorf("%w: duplicate region %q", ErrInvalidArgument, r.ONSCode)
		}
		regionIndex[r.ONSCode] = i
	}
	for i, c := range p.constituencies {
		if _, dup := p.constIndex[c.ONSCode]; dup || c.ONSCode == "" {
			return nil, fmt.Errorf("%w: duplicate or empty constituency %q", ErrInvalidArgument, c.ONSCode)
		}
		p.constIndex[c.ONSCode] = uint16(i)
		r, ok := regionIndex[c.RegionCode]
		if !ok {
			return nil, fmt.Errorf("%w: constituency %q has unknown region %q", ErrInvalidArgument, c.ONSCode, c.RegionCode)
		}
		p.constRegion = append(p.constRegion, r)
	}
	for i, c := range p.countries {
		if _, dup := p.countryIndex[c.Code]; dup || c.Code == "" {
			return nil, fmt.Errorf("%w: duplicate or empty country %q", ErrInvalidArgument, c.Code)
		}
		p.countryIndex[c.Code] = uint16(i)
	}
	return p, nil
}

// numConstituencySlots is the length of a per-constituency count array.
func (p *Places) numConstituencySlots() int { return len(p.constituencies) + 1 }

// numCountrySlots is the length of a per-country count array.
func (p *Places) numCountrySlots() int { return len(p.countries) + 1 }

// noConstituency marks a signature counted in no constituency (abroad).
const noConstituency = 1<<16 - 1

// constituencySlot maps an ONS code to its slot: noConstituency for "",
// the unknown slot for a code not in the table.
func (p *Places) constituencySlot(code string) uint16 {
	if code == "" {
		return noConstituency
	}
	if i, ok := p.constIndex[code]; ok {
		return i
	}
	return uint16(len(p.constituencies))
}

// countrySlot maps a country code to its slot (the unknown slot if absent).
func (p *Places) countrySlot(code string) uint16 {
	if i, ok := p.countryIndex[code]; ok {
		return i
	}
	return uint16(len(p.countries))
}

// Constituencies returns the table's constituencies, sorted by ONS code.
func (p *Places) Constituencies() []Constituency {
	return append([]Constituency(nil), p.constituencies...)
}

// Countries returns the table's countries, sorted by name.
func (p *Places) Countries() []Country { return append([]Country(nil), p.countries...) }

// Regions returns the table's regions (and nations), sorted by ONS code.
func (p *Places) Regions() []Region { return append([]Region(nil), p.regions...) }

// RegionOf returns the region of the constituency with ONS code code.
func (p *Places) RegionOf(code string) (Region, bool) {
	i, ok := p.constIndex[code]
	if !ok {
		return Region{}, false
	}
	return p.regions[p.constRegion[i]], true
}

// constIndexOf looks a constituency code up without allocating (p may be nil).
func (p *Places) constIndexOf(code []byte) (uint16, bool) {
	if p == nil {
		return 0, false
	}
	i, ok := p.constIndex[string(code)]
	return i, ok
}

// countryIndexOf looks a country code up without allocating (p may be nil).
func (p *Places) countryIndexOf(code []byte) (uint16, bool) {
	if p == nil {
		return 0, false
	}
	i, ok := p.countryIndex[string(code)]
	return i, ok
}
