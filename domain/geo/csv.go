package geo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
)

// readCSV parses b and checks its header.
func readCSV(b []byte, header ...string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("header is not %v", header)
	}
	return rows[1:], nil
}

func (d *Data) parseConstituencies(b []byte) error {
	rows, err := readCSV(b, "ons_code", "name", "country", "region_code", "region", "mp_name", "mp_party")
	if err != nil {
		return err
	}
	regions := map[string]string{}
	for _, r := range rows {
		c := Constituency{ONSCode: r[0], Name: r[1], Country: r[2], RegionCode: r[3], Region: r[4], MP: r[5], Party: r[6]}
		if c.ONSCode == "" || c.ONSCode == UnknownConstituency || c.Name == "" || c.RegionCode == "" || c.NationCode() == "" {
			return fmt.Errorf("incomplete row for %q", c.ONSCode)
		}
		if prev, ok := regions[c.RegionCode]; ok && prev != c.Region {
			return fmt.Errorf("region %s named %q and %q", c.RegionCode, prev, c.Region)
		}
		regions[c.RegionCode] = c.Region
		d.constituencies = append(d.constituencies, c)
	}
	if d.byONS, err = sortedIndex(d.constituencies, func(c Constituency) string { return c.ONSCode }); err != nil {
		return err
	}
	for code, name := range regions {
		d.regions = append(d.regions, Region{Code: code, Name: name})
	}
	d.regionByCode, err = sortedIndex(d.regions, func(r Region) string { return r.Code })
	return err
}

func (d *Data) parseCountries(b []byte) error {
	rows, err := readCSV(b, "id", "code", "name", "start_date", "end_date")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r[1] == "" || r[2] == "" {
			return fmt.Errorf("incomplete row for id %q", r[0])
		}
		d.countries = append(d.countries, Country{Code: r[1], Name: r[2], Start: r[3], End: r[4]})
	}
	d.countryByCode, err = sortedIndex(d.countries, func(c Country) string { return c.Code })
	if err == nil {
		if _, ok := d.countryByCode[UnitedKingdom]; !ok {
			err = fmt.Errorf("no %s row", UnitedKingdom)
		}
	}
	return err
}

func (d *Data) parseExamples(b []byte) error {
	rows, err := readCSV(b, "ons_code", "postcode")
	if err != nil {
		return err
	}
	d.examples = make(map[string]string, len(rows))
	for _, r := range rows {
		if _, ok := d.byONS[r[0]]; !ok {
			return fmt.Errorf("example for unknown constituency %q", r[0])
		}
		if _, err := NormalizePostcode(r[1]); err != nil {
			return fmt.Errorf("example for %s: %w", r[0], err)
		}
		d.examples[r[0]] = r[1]
	}
	return nil
}
