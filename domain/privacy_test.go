package domain_test

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

func TestHasher(t *testing.T) {
	r := mustRules(t)
	h := r.Hasher
	if _, err := domain.NewHasher([]byte("short")); !errors.Is(err, domain.ErrWeakSecret) {
		t.Errorf("NewHasher(short) err = %v", err)
	}
	other, _ := domain.NewHasher(bytes.Repeat([]byte("t"), 32))
	if h.SignerKey("ada@example.org") == other.SignerKey("ada@example.org") {
		t.Error("signer key does not depend on the secret")
	}
	if got, want := h.Name("  Ada   LOVELACE "), h.Name("ada lovelace"); got != want {
		t.Errorf("name hash not normalised: %s != %s", got, want)
	}
	if h.Name("x") == h.Postcode("x") || h.Postcode("X") == h.EmailDomain("x") {
		t.Error("hashes of different kinds collide: labels missing")
	}
	if h.Postcode("") != "" {
		t.Error("empty postcode must hash to empty")
	}
	v4 := netip.MustParseAddr("203.0.113.9")
	mapped := netip.MustParseAddr("::ffff:203.0.113.9")
	if h.IP(v4) != h.IP(mapped) {
		t.Error("IPv4-mapped address hashes differently")
	}
	tests := []struct {
		cidr       string
		wantBits   int // 0: single address
		wantCode   string
		matchesIP  string
		matchesNot string
	}{
		{"203.0.113.0/24", 24, "", "203.0.113.200", "203.0.114.1"},
		{"203.0.113.77/24", 24, "", "203.0.113.1", "203.1.113.1"},
		{"203.0.0.0/16", 16, "", "203.0.255.1", "203.1.0.1"},
		{"2001:db8:1:2::/64", 64, "", "2001:db8:1:2::99", "2001:db8:1:3::1"},
		{"2001:db8:1::/48", 48, "", "2001:db8:1:ffff::1", "2001:db8:2::1"},
		{"203.0.113.9", 0, "", "203.0.113.9", "203.0.113.8"},
		{"203.0.113.9/32", 0, "", "203.0.113.9", "203.0.113.8"},
		{"203.0.113.0/25", 0, domain.ECodeInvalidIP, "", ""},
		{"10.0.0.0/8", 0, domain.ECodeInvalidIP, "", ""},
		{"nonsense", 0, domain.ECodeInvalidIP, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.cidr, func(t *testing.T) {
			prefix, ipHash, err := h.Prefix(tt.cidr)
			wantCode(t, err, tt.wantCode, "ip")
			if err != nil {
				return
			}
			c := domain.InvalidationCriteria{IPPrefix: prefix, IPHash: ipHash}
			rec := func(ip string) domain.SignatureRecord {
				a := netip.MustParseAddr(ip)
				return domain.SignatureRecord{IPHash: h.IP(a), IPPrefixHashes: h.IPPrefixes(a)}
			}
			if (prefix != nil) != (tt.wantBits != 0) || (prefix != nil && prefix.Bits != tt.wantBits) {
				t.Fatalf("prefix = %+v, want bits %d", prefix, tt.wantBits)
			}
			if !c.Matches(1, "", rec(tt.matchesIP)) {
				t.Errorf("%s does not match %s", tt.cidr, tt.matchesIP)
			}
			if c.Matches(1, "", rec(tt.matchesNot)) {
				t.Errorf("%s matches %s", tt.cidr, tt.matchesNot)
			}
		})
	}
}

func TestKeyringSealOpenRotateShred(t *testing.T) {
	k, err := domain.NewKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	sigID := uuid.New()
	aad := domain.SignatureAAD(7, sigID)
	pd := domain.PersonalData{Name: "Ada Lovelace", Email: "ada@example.org"}
	s, err := k.SealPersonal(pd, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s.Ciphertext, []byte("Ada")) || s.KeyID != "k1" || len(s.Nonce) != 12 {
		t.Fatalf("sealed = %+v", s)
	}
	got, err := k.OpenPersonal(s, aad)
	if err != nil || got != pd {
		t.Fatalf("OpenPersonal = %+v, %v", got, err)
	}
	if _, err := k.OpenPersonal(s, domain.SignatureAAD(7, uuid.New())); !errors.Is(err, domain.ErrOpenFailed) {
		t.Errorf("open with another signature's AAD: err = %v, want ErrOpenFailed", err)
	}
	s2, _ := k.SealPersonal(pd, aad)
	if bytes.Equal(s.Nonce, s2.Nonce) {
		t.Error("nonce reused")
	}
	if err := k.Add("k2", bytes.Repeat([]byte{2}, 32)); err != nil {
		t.Fatal(err)
	}
	if err := k.Rotate("k2"); err != nil {
		t.Fatal(err)
	}
	s3, _ := k.SealPersonal(pd, aad)
	if s3.KeyID != "k2" {
		t.Errorf("after rotation sealed with %q", s3.KeyID)
	}
	if _, err := k.OpenPersonal(s, aad); err != nil {
		t.Errorf("old record unreadable after rotation: %v", err)
	}
	if err := k.Shred("k2"); err == nil {
		t.Error("shredding the current key succeeded")
	}
	if err := k.Shred("k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.OpenPersonal(s, aad); !errors.Is(err, domain.ErrUnknownKey) {
		t.Errorf("after shredding: err = %v, want ErrUnknownKey", err)
	}
	if err := k.Add("bad", []byte("short")); !errors.Is(err, domain.ErrBadKey) {
		t.Errorf("Add(short) err = %v", err)
	}
}

// TestNoPlaintextInEvents encodes the events of a signature and checks that
// no personal value appears in them.
func TestNoPlaintextInEvents(t *testing.T) {
	r := mustRules(t)
	in := domain.SignerInput{Name: "Grace Hopper", Email: "grace.hopper+x@example.org", Postcode: "SW1A 1AA",
		Country: "GB", IP: "198.51.100.23"}
	created, sig, err := r.CreatePetition(domain.CreatePetition{Action: "A", Background: "B", Creator: in}, 3, uuid.New(), t0)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := r.RequestInvalidation(domain.InvalidationRequest{PetitionID: 3, Name: in.Name, Postcode: in.Postcode,
		IP: "198.51.100.0/24", Email: in.Email, EmailDomain: "example.org"}, uuid.New(), t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []domain.Event{created, sig, inv} {
		data, err := domain.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(string(data))
		for _, secret := range []string{"grace", "hopper", "example.org", "sw1a", "198.51.100"} {
			if strings.Contains(low, secret) {
				t.Errorf("%s contains %q: %s", e.EventType(), secret, data)
			}
		}
	}
	if !inv.Criteria.Matches(3, sig.SignerKey, recordOf(sig)) || !inv.Criteria.MatchesSigned(sig) {
		t.Error("invalidation by every criterion does not match the signature")
	}
	other := inv.Criteria
	other.NameHash = r.Hasher.Name("Someone Else")
	if other.Matches(3, sig.SignerKey, recordOf(sig)) || other.MatchesSigned(sig) {
		t.Error("criteria with another name match the signature")
	}
}

func recordOf(s domain.SignatureSigned) domain.SignatureRecord {
	signer, _ := domain.ReplaySigner([]domain.Event{s})
	return signer.Signatures[0]
}
