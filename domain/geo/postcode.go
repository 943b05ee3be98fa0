package geo

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"
)

// ErrMalformedPostcode is wrapped by every NormalizePostcode error.
var ErrMalformedPostcode = errors.New("geo: malformed postcode")

// maxPostcodeInput bounds the input NormalizePostcode will scan.
const maxPostcodeInput = 64

// NormalizePostcode returns s upper-cased with all white space removed, if
// it has the shape of a UK postcode; otherwise an error wrapping
// ErrMalformedPostcode that says what is wrong (never echoing the input,
// which may be personal data).
//
// Accepted shapes are an outward code A9, A99, AA9, AA99, A9A or AA9A
// followed by an inward code 9AA (letters A-Z), and the special GIR 0AA.
// Inward letters Royal Mail never issues (C, I, K, M, O, V) are accepted as
// well-formed; such a postcode is simply not in the table. BFPO numbers
// (British Forces Post Office, e.g. "BFPO 1234") are rejected: they are not
// postcodes and belong to no constituency; a signer abroad chooses the
// country where they live instead.
func NormalizePostcode(s string) (string, error) {
	if len(s) > maxPostcodeInput {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrMalformedPostcode, maxPostcodeInput)
	}
	var buf [maxPostcodeInput]byte
	n := 0
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || unicode.IsSpace(r):
		case r >= 'a' && r <= 'z':
			buf[n] = byte(r - 'a' + 'A')
			n++
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			buf[n] = byte(r)
			n++
		default:
			return "", fmt.Errorf("%w: only letters, digits and spaces are allowed", ErrMalformedPostcode)
		}
	}
	// Validate before allocating: malformed input costs no allocation.
	if err := checkShape(buf[:n]); err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// checkShape validates an upper-case postcode without spaces.
func checkShape(pc []byte) error {
	if len(pc) == 0 {
		return fmt.Errorf("%w: empty", ErrMalformedPostcode)
	}
	if bytes.HasPrefix(pc, []byte("BFPO")) {
		return fmt.Errorf("%w: BFPO numbers are not supported; choose the country where you live", ErrMalformedPostcode)
	}
	if string(pc) == "GIR0AA" {
		return nil
	}
	if len(pc) < 5 || len(pc) > 7 {
		return fmt.Errorf("%w: want 5 to 7 letters and digits, like SW1A 1AA", ErrMalformedPostcode)
	}
	in := pc[len(pc)-3:]
	if !isDigit(in[0]) || !isLetter(in[1]) || !isLetter(in[2]) {
		return fmt.Errorf("%w: the last three characters must be a digit and two letters", ErrMalformedPostcode)
	}
	if !validOutward(pc[:len(pc)-3]) {
		return fmt.Errorf("%w: the outward code must look like A9, A99, AA9, AA99, A9A or AA9A", ErrMalformedPostcode)
	}
	return nil
}

// validOutward reports whether out is A9, A99, AA9, AA99, A9A or AA9A.
func validOutward(out []byte) bool {
	var shape [4]byte
	if len(out) < 2 || len(out) > 4 {
		return false
	}
	for i := 0; i < len(out); i++ {
		if isLetter(out[i]) {
			shape[i] = 'A'
		} else {
			shape[i] = '9'
		}
	}
	switch string(shape[:len(out)]) {
	case "A9", "A99", "AA9", "AA99", "A9A", "AA9A":
		return true
	}
	return false
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
