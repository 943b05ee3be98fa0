package projections

import (
	"encoding/binary"
	"errors"
	"strconv"
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

// The fast path decodes exactly the fields the projections read from the hot
// signature events (SignatureValidated, SignatureInvalidated,
// SignatureMarkedFraudulent), skipping every other field without building
// it. It accepts the JSON encoding/json produces for those types; anything
// it does not understand (escaped strings, non-UTC times, odd numbers)
// returns errSlowPath, and the caller decodes the event with
// domain.DecodeEvent instead. It never accepts a document encoding/json
// rejects (skipped values are checked too), so it counts nothing that
// projections/verify, which holds to the same rule, would refuse. It is
// fuzzed and cross-checked against encoding/json in fastdecode_test.go.

// errSlowPath means: the fast decoder declines; use domain.DecodeEvent.
var errSlowPath = errors.New("projections: fast decoder declines")

// sigFields are the fields of a signature event the projections read.
type sigFields struct {
	PetitionID   int64
	Constituency string
	Country      string
	From         domain.SignatureState
	To           domain.SignatureState
	At           int64 // Unix nanoseconds, UTC; 0 when absent
	SignedAt     int64 // Unix nanoseconds; 0 when absent or the zero time
	ValidatedAt  int64 // Unix nanoseconds; 0 when absent or the zero time

	// Set by the fast decoder when it found the codes in its Places:
	// constituency slot (bit 0 of slotted) and country slot (bit 1).
	cs, ks  uint16
	slotted uint8
}

// withoutSlots returns the decoded fields alone, for comparisons.
func (f sigFields) withoutSlots() sigFields {
	f.cs, f.ks, f.slotted = 0, 0, 0
	return f
}

// fastScanner walks one JSON document.
type fastScanner struct {
	b      []byte
	i      int
	places *Places // may be nil
}

func (s *fastScanner) ws() {
	for s.i < len(s.b) && s.b[s.i] <= ' ' {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *fastScanner) expect(c byte) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != c {
		return errSlowPath
	}
	s.i++
	return nil
}

// str reads a string without escapes and returns its bytes (aliasing b).
// Strings with escapes, control characters or non-ASCII bytes decline.
// The strings it reads (keys, codes, states, times) are short, so one
// byte loop beats a vectorised search.
func (s *fastScanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	j := s.i
	for j+8 <= len(s.b) && plainWord(binary.LittleEndian.Uint64(s.b[j:])) {
		j += 8
	}
	for ; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			out := s.b[s.i:j]
			s.i = j + 1
			return out, nil
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, errSlowPath
		}
	}
	return nil, errSlowPath
}

// SWAR constants: one in every byte, and every byte's high bit.
const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// plainWord reports whether none of the 8 bytes of w is a quote, a
// backslash, a control character (< 0x20) or non-ASCII (>= 0x80).
func plainWord(w uint64) bool {
	quote := w ^ (swarOnes * '"')
	slash := w ^ (swarOnes * '\\')
	special := (quote-swarOnes) & ^quote |
		(slash-swarOnes) & ^slash |
		(w-swarOnes*0x20) & ^w
	return (special|w)&swarHigh == 0
}

// skip skips one JSON value, checking it as strictly as encoding/json
// would: the fast path never accepts a document json.Unmarshal rejects.
// Strings with escapes, control characters or non-ASCII bytes decline (as
// in str); the domain never writes them in signature events.
func (s *fastScanner) skip() error { return s.skipValue(0) }

// maxSkipDepth bounds the nesting skipValue follows before declining.
const maxSkipDepth = 32

func (s *fastScanner) skipValue(depth int) error {
	s.ws()
	if s.i >= len(s.b) || depth > maxSkipDepth {
		return errSlowPath
	}
	switch s.b[s.i] {
	case '"':
		_, err := s.str()
		return err
	case '{':
		return s.skipObject(depth + 1)
	case '[':
		return s.skipArray(depth + 1)
	case 't':
		return s.word("true")
	case 'f':
		return s.word("false")
	case 'n':
		return s.word("null")
	default:
		return s.skipNumber()
	}
}

func (s *fastScanner) word(w string) error {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return errSlowPath
	}
	s.i += len(w)
	return nil
}

// digits1 skips one or more decimal digits.
func (s *fastScanner) digits1() error {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == start {
		return errSlowPath
	}
	return nil
}

// skipInteger skips -?(0|[1-9][0-9]*), JSON's integer part.
func (s *fastScanner) skipInteger() error {
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
		return nil
	}
	return s.digits1()
}

// skipNumber skips a JSON number: integer, fraction, exponent.
func (s *fastScanner) skipNumber() error {
	if err := s.skipInteger(); err != nil {
		return err
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if err := s.digits1(); err != nil {
			return err
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		return s.digits1()
	}
	return nil
}

func (s *fastScanner) skipObject(depth int) error {
	s.i++ // {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		if _, err := s.str(); err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := s.skipValue(depth); err != nil {
			return err
		}
		if done, err := s.next('}'); done || err != nil {
			return err
		}
	}
}

func (s *fastScanner) skipArray(depth int) error {
	s.i++ // [
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := s.skipValue(depth); err != nil {
			return err
		}
		if done, err := s.next(']'); done || err != nil {
			return err
		}
	}
}

// next consumes the ',' between members (done=false) or the closing
// bracket (done=true).
func (s *fastScanner) next(closing byte) (done bool, err error) {
	s.ws()
	if s.i >= len(s.b) {
		return false, errSlowPath
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return false, nil
	case closing:
		s.i++
		return true, nil
	}
	return false, errSlowPath
}

// object calls field for each key of an object; field must consume the value.
func (s *fastScanner) object(field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return errSlowPath
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errSlowPath
		}
	}
}

// int64 reads a JSON integer (no leading zeros, as encoding/json
// requires); fractions and exponents decline.
func (s *fastScanner) int64() (int64, error) {
	s.ws()
	start := s.i
	if err := s.skipInteger(); err != nil {
		return 0, err
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return 0, errSlowPath
	}
	v, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	if err != nil {
		return 0, errSlowPath
	}
	return v, nil
}

func (s *fastScanner) time() (int64, error) {
	b, err := s.str()
	if err != nil {
		return 0, err
	}
	return parseUTC(b)
}

// decodeSigFast decodes the counting fields of a signature event body.
// Codes found in places (may be nil) are returned without allocating, with
// their slots.
func decodeSigFast(data []byte, out *sigFields, places *Places) error {
	*out = sigFields{}
	s := fastScanner{b: data, places: places}
	seen := 0
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "petition_id":
			out.PetitionID, err = s.int64()
			seen |= 1
		case "location":
			err = s.location(out)
		case "from":
			var v []byte
			v, err = s.str()
			out.From = sigState(v)
		case "to":
			var v []byte
			v, err = s.str()
			out.To = sigState(v)
		case "at":
			out.At, err = s.time()
			seen |= 2
		case "validated_at":
			out.ValidatedAt, err = s.time()
		case "signed_at":
			out.SignedAt, err = s.time()
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) || seen != 3 {
		return errSlowPath
	}
	return nil
}

func (s *fastScanner) location(out *sigFields) error {
	s.ws()
	if s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "constituency":
			v, err := s.str()
			if err != nil {
				return err
			}
			if i, ok := s.places.constIndexOf(v); ok {
				out.Constituency, out.cs = s.places.constituencies[i].ONSCode, i
				out.slotted |= 1
			} else {
				out.Constituency = string(v)
			}
			return nil
		case "country":
			v, err := s.str()
			if err != nil {
				return err
			}
			if i, ok := s.places.countryIndexOf(v); ok {
				out.Country, out.ks = s.places.countries[i].Code, i
				out.slotted |= 2
			} else {
				out.Country = string(v)
			}
			return nil
		default:
			return s.skip()
		}
	})
}

// sigState returns the state named by b without allocating for the four
// known states.
func sigState(b []byte) domain.SignatureState {
	switch string(b) {
	case "pending":
		return domain.SigPending
	case "validated":
		return domain.SigValidated
	case "invalidated":
		return domain.SigInvalidated
	case "fraudulent":
		return domain.SigFraudulent
	case "":
		return domain.SigNone
	}
	return domain.SignatureState(b)
}

// parseUTC parses "2006-01-02T15:04:05[.fraction]Z" quickly; any other form
// goes through time.Parse with RFC 3339.
func parseUTC(b []byte) (int64, error) {
	n := len(b)
	if n < 20 || b[n-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return parseSlow(b)
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return parseSlow(b)
	}
	nanos := 0
	if n > 20 {
		if b[19] != '.' || n-21 > 9 || n-21 < 1 {
			return parseSlow(b)
		}
		frac, ok := digits(b[20 : n-1])
		if !ok {
			return parseSlow(b)
		}
		for k := n - 21; k < 9; k++ {
			frac *= 10
		}
		nanos = frac
	} else if b[19] != 'Z' {
		return parseSlow(b)
	}
	if year < 1970 || day > daysIn(year, month) {
		return parseSlow(b) // the zero time, or 31 February for time.Parse to reject
	}
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	return secs*1e9 + int64(nanos), nil
}

// daysFromCivil returns the days from 1970-01-01 to the given date in the
// proleptic Gregorian calendar (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func parseSlow(b []byte) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, errSlowPath
	}
	return unixNanos(t), nil
}

func digits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// unixNanos maps a time to Unix nanoseconds, with the zero time as 0.
func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
