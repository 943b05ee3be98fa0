package domain_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// TestHasherMatchesDefinition pins every keyed hash to its definition
// (HMAC-SHA-256 of the value, or of label 0x00 value), computed here without
// the Hasher's pooled instances: signer streams written earlier must stay
// addressable.
func TestHasherMatchesDefinition(t *testing.T) {
	secret := bytes.Repeat([]byte("k"), 40)
	h, err := domain.NewHasher(secret)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(msg string) string {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(msg))
		return hex.EncodeToString(m.Sum(nil))
	}
	for range 3 { // pooled instances are reset between uses
		checkHashes(t, h, ref)
	}
}

func checkHashes(t *testing.T, h *domain.Hasher, ref func(string) string) {
	t.Helper()
	long := string(bytes.Repeat([]byte("x"), 200)) // longer than one SHA-256 block
	tests := []struct {
		name, got, want string
	}{
		{"signer key", h.SignerKey("ada@example.org"), ref("ada@example.org")},
		{"signer key, long", h.SignerKey(long), ref(long)},
		{"name", h.Name(" Ada  Lovelace"), ref("name\x00ada lovelace")},
		{"postcode", h.Postcode("SW1A1AA"), ref("postcode\x00SW1A1AA")},
		{"email domain", h.EmailDomain("Example.ORG"), ref("email-domain\x00example.org")},
		{"ip", h.IP(netip.MustParseAddr("::ffff:10.0.0.1")), ref("ip\x0010.0.0.1")},
		{"ip prefix", h.IPPrefixes(netip.MustParseAddr("10.1.2.3"))[0].Hash, ref("ip-prefix\x0010.1.2.0/24")},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestDeterministicEventIDIsUUIDv5 pins DeterministicEventID to its
// definition: IDs already in the log must be derived again identically.
func TestDeterministicEventIDIsUUIDv5(t *testing.T) {
	ns := uuid.MustParse("5d0c8f0e-3f7a-4b5e-9a51-6b1f2b0c7e10")
	long := strings.Repeat("long-part-", 40) // beyond the stack buffer
	tests := [][]string{{}, {""}, {"signature", "6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162"}, {"petition-1", "closed"}, {"a", "", "b"}, {long, long}}
	for _, parts := range tests {
		want := uuid.NewSHA1(ns, []byte(strings.Join(parts, "\x00")))
		if got := domain.DeterministicEventID(parts...); got != want {
			t.Errorf("DeterministicEventID(%q) = %s, want %s", parts, got, want)
		}
	}
}
