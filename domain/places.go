package domain

// Places resolves postcodes to where a signature is counted. GeoPlaces
// adapts domain/geo; tests may supply their own.
type Places interface {
	// NormalizePostcode returns the postcode upper-case without spaces, or an
	// error when it is malformed.
	NormalizePostcode(s string) (string, error)
	// Locate returns the ONS constituency and region codes of a normalised GB
	// postcode. A well-formed postcode not in the table returns the unknown
	// constituency code, never an error.
	Locate(postcode string) (constituency, region string)
	// KnownCountry reports whether code is a country signatures may come from.
	KnownCountry(code string) bool
}
