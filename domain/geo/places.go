package geo

// The methods in this file let *Data serve as the domain's Places port
// (domain.Places) directly: NormalizePostcode, Locate and KnownCountry.

// NormalizePostcode is the package function NormalizePostcode, as a method.
func (d *Data) NormalizePostcode(s string) (string, error) { return NormalizePostcode(s) }

// Locate returns the ONS constituency and region codes of a normalised UK
// postcode. A postcode the table does not hold returns
// (UnknownConstituency, "").
func (d *Data) Locate(pc string) (constituency, region string) {
	code, ok := d.table.Lookup(pc)
	if !ok {
		return UnknownConstituency, ""
	}
	return code, d.constituencies[d.byONS[code]].RegionCode
}

// KnownCountry reports whether code is a current country (listed, with no
// end date) a signer may live in.
func (d *Data) KnownCountry(code string) bool {
	c, ok := d.Country(code)
	return ok && c.End == ""
}
