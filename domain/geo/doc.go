// Package geo places UK signers: it normalises postcodes, resolves a
// postcode to its 2024 Parliament constituency and a constituency to its
// region and nation, and lists the countries a signer may live in. It uses
// only the standard library; its data is embedded (see data/ATTRIBUTION.md
// for sources and licences), so it needs no network and no files at run
// time.
//
//	d := geo.Default()                   // loaded once, about 1 MB, in place
//	c, err := d.Resolve("sw1a 1aa")      // Constituency{ONSCode: "E14001…", …}
//	code, ok := d.LookupPostcode("SW1A1AA")
//
// A well-formed postcode missing from the table (newer than the 2023
// Code-Point Open release, or mistyped) resolves to the UnknownConstituency
// entry, never an error. *Data also satisfies the domain's Places port
// (NormalizePostcode, Locate, KnownCountry).
//
// # Coverage
//
// The table holds the 1,733,406 Great Britain postcodes of Code-Point Open
// (2023) mapped by mySociety to the 2024 constituencies, plus the UK
// petitions service's example postcode of every constituency, which adds
// the 18 Northern Ireland constituencies (one postcode each: Code-Point
// Open does not cover Northern Ireland) and 197 newer GB postcodes. Where
// both lists hold a postcode, Code-Point Open wins. Northern Ireland
// postcodes other than the examples resolve to UnknownConstituency.
//
// # Regenerating the data
//
// From the repository root, with the shared reference data in ../shared/data:
//
//	go run ./domain/geo/internal/gen
//	UPDATE_GOLDEN=1 go test ./domain/geo
//
// The generator is deterministic. The tests check that every row of
// ../shared/data/postcodes.csv.gz resolves to the same code through the
// embedded table, that the generator reproduces the embedded file byte for
// byte, and pin its SHA-256 in testdata/postcodes.bin.sha256.
//
// # Postcode table format (data/postcodes.bin, version 1)
//
// A postcode is split into its sector (the outward code and the first
// inward digit, e.g. "SW1A 1") and its unit (the last two letters). Royal
// Mail uses 20 unit letters (not C, I, K, M, O, V), so a sector has at most
// 400 units and is stored as a 400-bit bitmap. Postcodes are ordered by
// (sector key, unit index); the ordinal of a postcode in that order is its
// sector's rank plus the bits set before it. Consecutive ordinals with the
// same constituency form a run; a run is a 22-bit start ordinal and a
// 10-bit constituency index.
//
// Sector key: the outward code right-padded to 4 characters, each read as a
// base-37 digit (padding 0, '0'-'9' 1-10, 'A'-'Z' 11-36), times 10 plus
// the sector digit. Unit index: 20 × position of the first letter in
// "ABDEFGHJLNPQRSTUWXYZ" + position of the second.
//
// All integers are little-endian:
//
//	offset  size            field
//	0       4               magic "PLPC"
//	4       2               version (1)
//	6       2               reserved, 0
//	8       4               C: number of constituency codes (1..1024)
//	12      4               S: number of sectors
//	16      4               P: number of postcodes (< 2^22)
//	20      4               R: number of runs
//	24      C × (1+len)     codes: length byte (1..32) + ASCII, strictly ascending
//	…       S × 4           sector keys, strictly ascending
//	…       S × 4           sector ranks: ordinal of the sector's first postcode
//	…       S × 56          sector bitmaps: 7 × uint64, bit u = unit u (bits ≥ 400 zero)
//	…       R × 4           runs: start<<10 | code index; first start 0, starts
//	                        strictly ascending, adjacent runs differ in code
//	end-4   4               CRC-32C (Castagnoli) of every preceding byte
//
// The decoder verifies every one of these invariants (and that each bitmap
// is non-empty and the ranks are the running popcount), then reads the
// bytes in place: loading copies nothing but the code list. A lookup is a
// binary search over the sector keys, a popcount and a binary search over
// the runs. The 2023 data gives 1,733,621 postcodes, 10,904 sectors, 54,223 runs and a
// file of about 0.9 MB.
package geo
