package geo

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/petitionledger/petitionledger/domain/geo/internal/pctable"
)

//go:embed data/constituencies.csv data/countries.csv data/example_postcodes.csv
var embedded embed.FS

// postcodeTable is embedded as a byte slice, not through embed.FS, so the
// decoder reads it in place in the binary's data segment; embed.FS.ReadFile
// would copy it onto the heap.
//
//go:embed data/postcodes.bin
var postcodeTable []byte

// ErrBadData is wrapped by Load errors: the embedded or supplied reference
// data is inconsistent.
var ErrBadData = errors.New("geo: bad reference data")

// Data is the loaded reference data: the postcode table, constituencies,
// regions and countries. It is immutable and safe for concurrent use.
type Data struct {
	table          *pctable.Table
	constituencies []Constituency // sorted by ONS code
	byONS          map[string]int
	regions        []Region // sorted by code
	regionByCode   map[string]int
	countries      []Country // sorted by code
	countryByCode  map[string]int
	examples       map[string]string // ONS code → example postcode
	byConstituency constituencyPostcodes
}

var (
	defaultOnce sync.Once
	defaultData *Data
)

// Default returns the embedded reference data, loaded once. It panics if
// the embedded files are inconsistent, which the package tests rule out.
func Default() *Data {
	defaultOnce.Do(func() {
		d, err := load()
		if err != nil {
			panic(err)
		}
		defaultData = d
	})
	return defaultData
}

// load decodes the embedded files.
func load() (*Data, error) {
	read := func(name string) ([]byte, error) { return embedded.ReadFile("data/" + name) }
	table, err := pctable.Decode(postcodeTable)
	if err != nil {
		return nil, fmt.Errorf("%w: data/postcodes.bin: %w", ErrBadData, err)
	}
	d := &Data{table: table}
	if err := d.loadCSVs(read); err != nil {
		return nil, err
	}
	for _, code := range table.Codes() {
		if _, ok := d.byONS[code]; !ok {
			return nil, fmt.Errorf("%w: postcode table names constituency %q, not in constituencies.csv", ErrBadData, code)
		}
	}
	return d, nil
}

// loadCSVs parses the three CSV files.
func (d *Data) loadCSVs(read func(string) ([]byte, error)) error {
	steps := []struct {
		name  string
		parse func([]byte) error
	}{
		{"constituencies.csv", d.parseConstituencies},
		{"countries.csv", d.parseCountries},
		{"example_postcodes.csv", d.parseExamples},
	}
	for _, s := range steps {
		b, err := read(s.name)
		if err != nil {
			return err
		}
		if err := s.parse(b); err != nil {
			return fmt.Errorf("%w: data/%s: %w", ErrBadData, s.name, err)
		}
	}
	return nil
}

// LookupPostcode returns the ONS constituency code of a normalised postcode
// (see NormalizePostcode), or ok false when the table does not hold it.
func (d *Data) LookupPostcode(pc string) (onsCode string, ok bool) {
	return d.table.Lookup(pc)
}

// Resolve normalises pc and returns its constituency. A well-formed postcode
// the table does not hold resolves to the UnknownConstituency entry, never
// an error; a malformed one is an error wrapping ErrMalformedPostcode.
func (d *Data) Resolve(pc string) (Constituency, error) {
	norm, err := NormalizePostcode(pc)
	if err != nil {
		return Constituency{}, err
	}
	code, ok := d.table.Lookup(norm)
	if !ok {
		return unknownConstituency, nil
	}
	return d.constituencies[d.byONS[code]], nil
}

// unknownConstituency is what Resolve returns for a postcode not held.
var unknownConstituency = Constituency{ONSCode: UnknownConstituency, Name: UnknownConstituencyName}

// Constituency returns the constituency with ONS code ons. The code
// UnknownConstituency returns the unknown entry (which Constituencies does
// not list).
func (d *Data) Constituency(ons string) (Constituency, bool) {
	if ons == UnknownConstituency {
		return unknownConstituency, true
	}
	i, ok := d.byONS[ons]
	if !ok {
		return Constituency{}, false
	}
	return d.constituencies[i], true
}

// Constituencies returns the 650 constituencies sorted by ONS code.
func (d *Data) Constituencies() []Constituency { return slices.Clone(d.constituencies) }

// Regions returns the nine English regions and the other three nations,
// sorted by ONS code.
func (d *Data) Regions() []Region { return slices.Clone(d.regions) }

// Region returns the region with ONS code code.
func (d *Data) Region(code string) (Region, bool) {
	i, ok := d.regionByCode[code]
	if !ok {
		return Region{}, false
	}
	return d.regions[i], true
}

// Countries returns every country of countries.csv, including former ones
// (End set), sorted by code. GB is the United Kingdom.
func (d *Data) Countries() []Country { return slices.Clone(d.countries) }

// Country returns the country with code code.
func (d *Data) Country(code string) (Country, bool) {
	i, ok := d.countryByCode[code]
	if !ok {
		return Country{}, false
	}
	return d.countries[i], true
}

// ExamplePostcode returns a postcode in constituency ons, from the UK
// petitions service's list of examples (one per constituency).
func (d *Data) ExamplePostcode(ons string) (string, bool) {
	pc, ok := d.examples[ons]
	return pc, ok
}

// TableStats describes the postcode table: postcodes, sectors and runs of
// consecutive postcodes in one constituency.
type TableStats struct{ Postcodes, Sectors, Runs int }

// Stats returns the size of the postcode table.
func (d *Data) Stats() TableStats {
	return TableStats{Postcodes: d.table.Len(), Sectors: d.table.Sectors(), Runs: d.table.Runs()}
}

// sortedIndex sorts items by key and returns key → index, or an error
// naming a duplicate key.
func sortedIndex[T any](items []T, key func(T) string) (map[string]int, error) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	m := make(map[string]int, len(items))
	for i, it := range items {
		k := key(it)
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("duplicate code %q", k)
		}
		m[k] = i
	}
	return m, nil
}
