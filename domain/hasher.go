package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"net/netip"
	"strings"
	"sync"
)

// ErrWeakSecret is returned for a hashing secret shorter than 32 bytes.
var ErrWeakSecret = errors.New("domain: secret must be at least 32 bytes")

// Hasher computes the keyed hashes (HMAC-SHA-256 under a per-deployment
// secret, hex) that stand in for personal data in events. Without the secret
// nobody can test a guessed email, name or IP against the log; with it the
// service can match invalidation criteria and enforce uniqueness.
//
// The signer key is HMAC(secret, canonical email) exactly; every other hash
// is HMAC(secret, label || 0x00 || normalised value), with a distinct label
// per kind, so a name hash can never equal a postcode hash.
type Hasher struct {
	secret []byte
	// macs holds keyed HMAC-SHA-256 instances: hmac.New derives the
	// key's inner and outer pads every time, Reset on a pooled one does not.
	macs sync.Pool
}

// NewHasher returns a Hasher for the deployment secret (≥ 32 bytes).
func NewHasher(secret []byte) (*Hasher, error) {
	if len(secret) < 32 {
		return nil, ErrWeakSecret
	}
	return &Hasher{secret: append([]byte(nil), secret...)}, nil
}

// keyedMAC is a pooled HMAC with its scratch buffers, so hashing one value
// allocates only the hex result.
type keyedMAC struct {
	h   hash.Hash
	in  []byte
	sum [sha256.Size]byte
}

func (h *Hasher) mac(parts ...string) string {
	m, ok := h.macs.Get().(*keyedMAC)
	if !ok {
		m = &keyedMAC{h: hmac.New(sha256.New, h.secret), in: make([]byte, 0, 128)}
	}
	m.h.Reset()
	in := m.in[:0]
	for i, p := range parts {
		if i > 0 {
			in = append(in, 0)
		}
		in = append(in, p...)
	}
	m.h.Write(in)
	out := hex.EncodeToString(m.h.Sum(m.sum[:0]))
	if cap(in) <= 1024 { // keep the pool's buffers small
		m.in = in[:0]
	}
	h.macs.Put(m)
	return out
}

// SignerKey returns HMAC-SHA-256(secret, canonical email) in hex: the key of
// the signer stream. Pass the output of CanonicalEmail.
func (h *Hasher) SignerKey(canonicalEmail string) string { return h.mac(canonicalEmail) }

// Name hashes a signer's name, case- and spacing-insensitively.
func (h *Hasher) Name(name string) string {
	return h.mac("name", strings.ToLower(strings.Join(strings.Fields(name), " ")))
}

// Postcode hashes a normalised postcode (upper-case, no spaces). The empty
// postcode (outside GB) hashes to "".
func (h *Hasher) Postcode(postcode string) string {
	if postcode == "" {
		return ""
	}
	return h.mac("postcode", postcode)
}

// EmailDomain hashes a lower-cased email domain.
func (h *Hasher) EmailDomain(domain string) string {
	return h.mac("email-domain", strings.ToLower(domain))
}

// IP hashes one address (IPv4-mapped IPv6 addresses are treated as IPv4).
func (h *Hasher) IP(ip netip.Addr) string { return h.mac("ip", ip.Unmap().String()) }

// PrefixBits lists the network prefixes hashed for each address family:
// /24 and /16 for IPv4, /64 and /48 for IPv6. An invalidation by CIDR can
// only use these lengths (or a single address): the log holds no plaintext
// address from which another prefix could be computed.
var PrefixBits = struct{ V4, V6 []int }{V4: []int{24, 16}, V6: []int{64, 48}}

// IPPrefixes returns the keyed hashes of the address's supported prefixes.
func (h *Hasher) IPPrefixes(ip netip.Addr) []PrefixHash {
	ip = ip.Unmap()
	bits := PrefixBits.V6
	if ip.Is4() {
		bits = PrefixBits.V4
	}
	out := make([]PrefixHash, 0, len(bits))
	for _, b := range bits {
		p, _ := ip.Prefix(b) // b is valid for the family
		out = append(out, PrefixHash{Bits: b, Hash: h.mac("ip-prefix", p.String())})
	}
	return out
}

// Prefix hashes a CIDR for invalidation criteria. A single address (/32,
// /128) returns ok=false with the address hash in ipHash; an unsupported
// prefix length is an *Error on field "ip".
func (h *Hasher) Prefix(cidr string) (prefix *PrefixHash, ipHash string, err error) {
	p, perr := netip.ParsePrefix(strings.TrimSpace(cidr))
	if perr != nil {
		a, aerr := netip.ParseAddr(strings.TrimSpace(cidr))
		if aerr != nil {
			return nil, "", Errorf(ECodeInvalidIP, "ip", "Enter an IP address or a network like 203.0.113.0/24.")
		}
		return nil, h.IP(a), nil
	}
	p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p)).Masked()
	if p.Bits() == p.Addr().BitLen() {
		return nil, h.IP(p.Addr()), nil
	}
	bits := PrefixBits.V6
	if p.Addr().Is4() {
		bits = PrefixBits.V4
	}
	for _, b := range bits {
		if b == p.Bits() {
			return &PrefixHash{Bits: b, Hash: h.mac("ip-prefix", p.String())}, "", nil
		}
	}
	return nil, "", Errorf(ECodeInvalidIP, "ip",
		"Only these network sizes can be matched: /%d and /%d for IPv4, /%d and /%d for IPv6.",
		PrefixBits.V4[0], PrefixBits.V4[1], PrefixBits.V6[0], PrefixBits.V6[1])
}

// unmapBits is how many leading bits an IPv4-mapped IPv6 prefix loses when
// unmapped.
func unmapBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		return 96
	}
	return 0
}
