package domain

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Helpers that check the invariants of decoded events. Each returns an error
// wrapping ErrMalformedEvent that names the JSON field.

func malformed(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformedEvent, field, fmt.Sprintf(format, args...))
}

// checks runs checks in order and returns the first failure.
func checks(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkAt(field string, t time.Time) error {
	if t.IsZero() {
		return malformed(field, "missing")
	}
	if _, off := t.Zone(); off != 0 {
		return malformed(field, "not UTC")
	}
	return nil
}

func checkOptionalAt(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	return checkAt(field, t)
}

func checkPetitionID(id int64) error {
	if id <= 0 {
		return malformed("petition_id", "must be a positive integer, got %d", id)
	}
	return nil
}

func checkUUID(field string, id uuid.UUID) error {
	if id == uuid.Nil {
		return malformed(field, "missing")
	}
	return nil
}

func checkKey(field, key string) error {
	if len(key) != 64 {
		return malformed(field, "want 64 hex characters, got %d characters", len(key))
	}
	if !isHex(key) {
		return malformed(field, "not hex")
	}
	return nil
}

// isHex reports whether s is hex digits (either case), as hex.DecodeString
// of an even-length s accepts, without decoding it.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func checkOptionalKey(field, key string) error {
	if key == "" {
		return nil
	}
	return checkKey(field, key)
}

func checkNonEmpty(field, s string) error {
	if s == "" {
		return malformed(field, "missing")
	}
	return nil
}

func checkDate(field, s string) error {
	if _, err := time.Parse(DateLayout, s); err != nil {
		return malformed(field, "want a date YYYY-MM-DD, got %q", s)
	}
	return nil
}

func checkOptionalDate(field, s string) error {
	if s == "" {
		return nil
	}
	return checkDate(field, s)
}

func checkTransition(from, to SignatureState, froms []SignatureState, want SignatureState) error {
	if to != want {
		return malformed("to", "want %q, got %q", want, to)
	}
	for _, f := range froms {
		if from == f {
			return nil
		}
	}
	return malformed("from", "%q cannot become %q", from, to)
}

func checkKind(k SignatureKind) error {
	switch k {
	case KindCreator, KindSponsor, KindSigner:
		return nil
	}
	return malformed("kind", "unknown signature kind %q", k)
}

func checkPetitionState(field string, s PetitionState) error {
	switch s {
	case StatePending, StateValidated, StateSponsored, StateFlagged, StateDormant,
		StateOpen, StateClosed, StateRejected, StateHidden, StateStopped:
		return nil
	}
	return malformed(field, "unknown petition state %q", s)
}

func checkLocation(l Location) error {
	if l.Country == "" {
		return malformed("location.country", "missing")
	}
	return nil
}

func checkPrefixes(ps []PrefixHash) error {
	for _, p := range ps {
		if err := checkPrefix(p); err != nil {
			return err
		}
	}
	return nil
}

func checkPrefix(p PrefixHash) error {
	if p.Bits <= 0 || p.Bits > 128 {
		return malformed("ip_prefix.bits", "out of range: %d", p.Bits)
	}
	return checkKey("ip_prefix.hash", p.Hash)
}

func checkSealed(field string, s Sealed) error {
	if s.KeyID == "" || len(s.Nonce) == 0 || len(s.Ciphertext) == 0 {
		return malformed(field, "key_id, nonce and ciphertext are required")
	}
	return nil
}
