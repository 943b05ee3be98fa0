package domain

import "github.com/petitionledger/petitionledger/domain/geo"

// Places resolves postcodes to where a signature is counted. *geo.Data
// implements it (DefaultPlaces); tests may supply their own.
type Places interface {
	// NormalizePostcode returns the postcode upper-case without spaces, or an
	// error when it is malformed.
	NormalizePostcode(s string) (string, error)
	// Locate returns the ONS constituency and region codes of a normalised GB
	// postcode. A well-formed postcode not in the table returns
	// geo.UnknownConstituency, never an error: such signatures are counted,
	// not dropped.
	Locate(postcode string) (constituency, region string)
	// KnownCountry reports whether code is a country signatures may come from.
	KnownCountry(code string) bool
}

var _ Places = (*geo.Data)(nil)

// DefaultPlaces returns the embedded UK reference data of domain/geo.
func DefaultPlaces() Places { return geo.Default() }
