package geo

// UnknownConstituency is the ONS-code-like key of the constituency a
// well-formed UK postcode resolves to when the table does not hold it (a
// postcode newer than the table, or a mistyped one). Counts keep such
// signatures under this key rather than dropping them.
const UnknownConstituency = "UNKNOWN"

// UnknownConstituencyName is the Name of the UnknownConstituency entry.
const UnknownConstituencyName = "Unknown constituency"

// UnitedKingdom is the country code of the United Kingdom in countries.csv.
const UnitedKingdom = "GB"

// Constituency is a UK Parliament constituency on the 2024 boundaries.
type Constituency struct {
	ONSCode    string // ONS GSS code, e.g. "E14001063"
	Name       string
	Country    string // nation: England, Wales, Scotland or Northern Ireland
	RegionCode string // ONS region code (E12…) or the nation code outside England
	Region     string // region name
	MP         string // sitting MP as given by the source
	Party      string
}

// NationCode returns the ONS code of the constituency's nation
// (E92000001, W92000004, S92000003 or N92000002), or "" for the unknown
// constituency.
func (c Constituency) NationCode() string {
	for _, n := range nations {
		if n.Name == c.Country {
			return n.Code
		}
	}
	return ""
}

// Region is an ONS region of England, or one of the other three nations.
type Region struct {
	Code string // ONS code, e.g. "E12000007" or "W92000004"
	Name string
}

// Country is a country or territory a signer may live in, as listed by the
// UK petitions service. End is set for countries that no longer exist.
type Country struct {
	Code  string // e.g. "GB", "FR"
	Name  string
	Start string // ISO date or ""
	End   string // ISO date or ""
}

// nations are the four nations of the United Kingdom, by ONS code.
var nations = []Region{
	{Code: "E92000001", Name: "England"},
	{Code: "N92000002", Name: "Northern Ireland"},
	{Code: "S92000003", Name: "Scotland"},
	{Code: "W92000004", Name: "Wales"},
}

// Nations returns the four nations of the United Kingdom sorted by ONS
// code, for per-nation counts of UK signers.
func Nations() []Region { return append([]Region(nil), nations...) }
