package verify

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/petitionledger/petitionledger/domain"
)

// decodeSigFields reads the counting fields of a signature event without
// reflection. It handles the plain JSON the domain writes (no escapes, no
// nulls, integer petition ids) and reports ok=false for anything else, in
// which case the caller decodes with encoding/json: whatever it accepts it
// reads exactly as json.Unmarshal into sigFields would (FuzzDecodeSigFields
// checks that), and it never accepts what json.Unmarshal rejects.
func decodeSigFields(data []byte, f *sigFields) (ok bool) {
	s := scanner{b: data}
	s.ws()
	if !s.object(func(key []byte) bool { return s.topField(key, f) }) {
		return false
	}
	s.ws()
	return s.i == len(s.b)
}

// scanner walks JSON bytes; every method returns false on input it does not
// handle, valid or not.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// object scans {"key": value, ...}, calling field for every key; field
// scans the value itself.
func (s *scanner) object(field func(key []byte) bool) bool {
	if s.peek() != '{' {
		return false
	}
	s.i++
	s.ws()
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		key, ok := s.str()
		if !ok {
			return false
		}
		s.ws()
		if s.peek() != ':' {
			return false
		}
		s.i++
		s.ws()
		if !field(key) {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// str scans a string with no escapes and no control characters and
// returns its bytes without the quotes.
func (s *scanner) str() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	start := s.i + 1
	j := start
	for j+8 <= len(s.b) && !hasSpecial(binary.LittleEndian.Uint64(s.b[j:])) {
		j += 8 // eight plain bytes at a time; the loop below finds the special one
	}
	for ; j < len(s.b); j++ {
		c := s.b[j]
		switch {
		case c == '"':
			s.i = j + 1
			return s.b[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// hasSpecial reports whether any byte of the word x is '"', '\\' or a
// control character (< 0x20): the bytes that end or disqualify a plain
// string. (The classic "has a zero byte" and "has a byte less than n"
// tests, exact for whether any byte is, which is all they are used for;
// one pass with no call, which beats bytes.IndexByte on the short keys
// that are most strings here.)
func hasSpecial(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (zero(x^(ones*'"')) | zero(x^(ones*'\\')) | ((x - ones*0x20) & ^x & highs)) != 0
}

// text scans a string: valid UTF-8 only (encoding/json would replace
// invalid bytes). The string shares the input's bytes (no copy): it is
// valid while they are unchanged, and whoever keeps it must copy it (the
// recount interns locations and states with a copy).
func (s *scanner) text() (string, bool) {
	v, ok := s.str()
	if !ok || !utf8.Valid(v) {
		return "", false
	}
	if len(v) == 0 {
		return "", true
	}
	return unsafe.String(&v[0], len(v)), true
}

// quoted scans a string and returns it with its quotes, for UnmarshalJSON.
func (s *scanner) quoted() ([]byte, bool) {
	start := s.i
	if _, ok := s.str(); !ok {
		return nil, false
	}
	return s.b[start:s.i], true
}

// skip scans any value the recount does not read.
func (s *scanner) skip() bool {
	switch c := s.peek(); {
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '{':
		return s.object(func([]byte) bool { return s.skip() })
	case c == '[':
		return s.array()
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := s.number()
		return ok
	}
	return false
}

func (s *scanner) array() bool {
	s.i++
	s.ws()
	if s.peek() == ']' {
		s.i++
		return true
	}
	for {
		if !s.skip() {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *scanner) lit(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// number scans an integer: an optional minus, then 0 or digits not
// starting with 0. Fractions and exponents are not handled.
func (s *scanner) number() ([]byte, bool) {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	n := s.i - digits
	if n == 0 || (n > 1 && s.b[digits] == '0') {
		return nil, false
	}
	switch s.peek() {
	case '.', 'e', 'E':
		return nil, false
	}
	return s.b[start:s.i], true
}

// topField reads the value of key in the event object into f.
func (s *scanner) topField(key []byte, f *sigFields) bool {
	var err error
	switch string(key) {
	case "signature_id":
		v, ok := s.str()
		if !ok {
			return false
		}
		err = f.SignatureID.UnmarshalText(v)
	case "petition_id":
		v, ok := s.number()
		if !ok {
			return false
		}
		f.PetitionID, err = strconv.ParseInt(string(v), 10, 64)
	case "location":
		return s.object(func(key []byte) bool { return s.locationField(key, f) })
	case "to":
		v, ok := s.text()
		f.To = domain.SignatureState(v)
		return ok
	case "at":
		return s.time(&f.At)
	case "signed_at":
		return s.time(&f.SignedAt)
	case "validated_at":
		return s.time(&f.ValidatedAt)
	default:
		return !foldsTo(key, topKeys) && s.skip()
	}
	return err == nil
}

// locationField reads the value of key in the location object into f.
func (s *scanner) locationField(key []byte, f *sigFields) bool {
	var dst *string
	switch string(key) {
	case "constituency":
		dst = &f.Location.Constituency
	case "country":
		dst = &f.Location.Country
	case "region":
		dst = &f.Location.Region
	default:
		return !foldsTo(key, locationKeys) && s.skip()
	}
	v, ok := s.text()
	*dst = v
	return ok
}

// time scans a quoted time into t: the domain's form
// "2006-01-02T15:04:05.999999999Z" directly, exactly as time's RFC 3339
// parser reads it, anything else with time.Time.UnmarshalJSON.
func (s *scanner) time(t *time.Time) bool {
	v, ok := s.quoted()
	if !ok {
		return false
	}
	if u, ok := parseUTC(v[1 : len(v)-1]); ok {
		*t = u
		return true
	}
	return t.UnmarshalJSON(v) == nil
}

// parseUTC reads "YYYY-MM-DDTHH:MM:SS[.F]Z" (F: 1 to 9 digits) with the
// ranges time's RFC 3339 parser checks, building the time as it does
// (time.Date in UTC); it reports false for anything else, which the caller
// hands to that parser.
func parseUTC(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T15:04:05Z") || b[len(b)-1] != 'Z' ||
		b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	ok := true
	num := func(d []byte, lo, hi int) int {
		n := 0
		for _, c := range d {
			if c < '0' || c > '9' {
				ok = false
				return 0
			}
			n = n*10 + int(c-'0')
		}
		if n < lo || n > hi {
			ok = false
		}
		return n
	}
	year, month := num(b[0:4], 0, 9999), num(b[5:7], 1, 12)
	if !ok {
		return time.Time{}, false
	}
	day := num(b[8:10], 1, daysIn(month, year))
	hour, minute, sec := num(b[11:13], 0, 23), num(b[14:16], 0, 59), num(b[17:19], 0, 59)
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		nsec = num(frac[1:], 0, 999999999)
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	if !ok {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

// daysIn is the number of days of month in year (proleptic Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var (
	topKeys      = []string{"signature_id", "petition_id", "location", "to", "at", "signed_at", "validated_at"}
	locationKeys = []string{"constituency", "country", "region"}
)

// foldsTo reports whether key is not one of keys but matches one of them
// case-insensitively, which encoding/json would treat as that field: the
// scanner gives such input to encoding/json.
func foldsTo(key []byte, keys []string) bool {
	if plainKey(key) {
		return false // only exact matches of a lower-case key read as it
	}
	for _, k := range keys {
		if bytes.EqualFold(key, []byte(k)) {
			return true
		}
	}
	return false
}

// plainKey reports whether key has only lower-case ASCII letters, digits
// and '_': such a key folds to one of the (lower-case ASCII) field names
// only by being equal to it. Folding needs an upper-case letter or a
// non-ASCII rune (the Kelvin sign folds to k, the long s to s).
func plainKey(key []byte) bool {
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
