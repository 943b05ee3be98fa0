package pctable

// unitLetters are the letters Royal Mail uses in the two final characters of
// a postcode (the "unit"): every letter except C, I, K, M, O and V.
const unitLetters = "ABDEFGHJLNPQRSTUWXYZ"

// UnitsPerSector is the number of possible units in one sector: 20 × 20.
const UnitsPerSector = len(unitLetters) * len(unitLetters)

// unitLetterIndex maps a byte to its position in unitLetters, or -1.
var unitLetterIndex = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(unitLetters); i++ {
		t[unitLetters[i]] = int8(i)
	}
	return t
}()

// charValue maps '0'-'9' to 1-10 and 'A'-'Z' to 11-36; anything else to 0
// (which is also the padding value, so callers check validity first).
func charValue(c byte) uint32 {
	switch {
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 1
	case c >= 'A' && c <= 'Z':
		return uint32(c-'A') + 11
	}
	return 0
}

// Key splits a normalised postcode (upper case, no spaces, 5 to 7
// characters) into its sector key and unit index. ok is false when the
// string cannot be a postcode held by a table: wrong length, a character
// outside 0-9/A-Z, a non-digit sector, or a unit letter Royal Mail never
// uses. The sector key is the outward code right-padded to four characters,
// read as a base-37 number (padding 0, digits 1-10, letters 11-36), times
// ten plus the sector digit; it is below 37⁴×10 = 18,741,610.
func Key[S string | []byte](pc S) (sector uint32, unit int, ok bool) {
	n := len(pc)
	if n < 5 || n > 7 {
		return 0, 0, false
	}
	outward := pc[:n-3]
	for i := 0; i < 4; i++ {
		var v uint32
		if i < len(outward) {
			v = charValue(outward[i])
			if v == 0 {
				return 0, 0, false
			}
		}
		sector = sector*37 + v
	}
	d := pc[n-3]
	if d < '0' || d > '9' {
		return 0, 0, false
	}
	sector = sector*10 + uint32(d-'0')
	a, b := unitLetterIndex[pc[n-2]], unitLetterIndex[pc[n-1]]
	if a < 0 || b < 0 {
		return 0, 0, false
	}
	return sector, int(a)*len(unitLetters) + int(b), true
}

// PostcodeOf is the inverse of Key, for tests and diagnostics: it returns
// the normalised postcode for a sector key and unit index.
func PostcodeOf(sector uint32, unit int) string {
	digit := byte('0' + sector%10)
	sector /= 10
	var out [4]byte
	for i := 3; i >= 0; i-- {
		v := sector % 37
		sector /= 37
		switch {
		case v == 0:
			out[i] = 0
		case v <= 10:
			out[i] = byte('0' + v - 1)
		default:
			out[i] = byte('A' + v - 11)
		}
	}
	b := make([]byte, 0, 7)
	for _, c := range out {
		if c != 0 {
			b = append(b, c)
		}
	}
	return string(append(b, digit, unitLetters[unit/len(unitLetters)], unitLetters[unit%len(unitLetters)]))
}
