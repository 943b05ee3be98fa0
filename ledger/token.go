package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// ConfirmLink is what the confirmation email carries. Petition and signer
// key name the signer stream, so the handler finds the signature with one
// stream read and no in-memory index; the token (an HMAC under the
// deployment's token secret) proves the link came from us.
type ConfirmLink struct {
	PetitionID  int64
	SignerKey   string
	SignatureID uuid.UUID
	Token       string
}

// tokenMACs pools keyed HMAC-SHA-256 instances per token secret (one
// secret per service in practice): hmac.New derives the key's pads every
// time, Reset on a pooled instance does not.
var tokenMACs sync.Map // string(secret) → *sync.Pool of hash.Hash

func tokenMAC(secret []byte) (*sync.Pool, hash.Hash) {
	v, ok := tokenMACs.Load(string(secret))
	if !ok {
		key := append([]byte(nil), secret...)
		v, _ = tokenMACs.LoadOrStore(string(key), &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }})
	}
	pool := v.(*sync.Pool)
	m := pool.Get().(hash.Hash)
	m.Reset()
	return pool, m
}

// tokenFor computes the token of a confirmation link:
// HMAC(secret, "confirm" 0 petitionID 0 signerKey 0 signatureID), hex.
func tokenFor(secret []byte, petitionID int64, signerKey string, sigID uuid.UUID) string {
	pool, m := tokenMAC(secret)
	var buf [192]byte
	in := append(buf[:0], "confirm\x00"...)
	in = strconv.AppendInt(in, petitionID, 10)
	in = append(in, 0)
	in = append(in, signerKey...)
	in = append(in, 0)
	var id [36]byte
	in = append(in, sigIDText(&id, sigID)...)
	m.Write(in)
	var sum [sha256.Size]byte
	out := m.Sum(sum[:0])
	pool.Put(m)
	return hex.EncodeToString(out)
}

// sigIDText renders id in its canonical 36-character form into buf.
func sigIDText(buf *[36]byte, id uuid.UUID) []byte {
	// uuid.UUID.MarshalText allocates; the canonical form is fixed.
	const digits = "0123456789abcdef"
	j := 0
	for i, b := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf[j] = '-'
			j++
		}
		buf[j], buf[j+1] = digits[b>>4], digits[b&15]
		j += 2
	}
	return buf[:]
}

// validToken reports whether link's token is genuine (constant time).
func validToken(secret []byte, link ConfirmLink) bool {
	want := tokenFor(secret, link.PetitionID, link.SignerKey, link.SignatureID)
	return hmac.Equal([]byte(want), []byte(link.Token))
}

// URL renders the link under base ("https://petitions.example").
func (l ConfirmLink) URL(base string) string {
	// The query as url.Values.Encode renders it (keys sorted, values
	// escaped), built directly: this runs once per signature.
	base = strings.TrimRight(base, "/")
	var id [36]byte
	b := make([]byte, 0, len(base)+len(l.SignerKey)+len(l.Token)+96)
	b = append(b, base...)
	b = append(b, "/signatures/"...)
	b = append(b, sigIDText(&id, l.SignatureID)...)
	b = append(b, "/verify?petition="...)
	b = strconv.AppendInt(b, l.PetitionID, 10)
	b = append(b, "&signer="...)
	b = append(b, url.QueryEscape(l.SignerKey)...)
	b = append(b, "&token="...)
	b = append(b, url.QueryEscape(l.Token)...)
	return string(b)
}

// ParseConfirmURL parses a link rendered by ConfirmLink.URL. It checks the
// shape only; ValidateSignature checks the token.
func ParseConfirmURL(raw string) (ConfirmLink, error) {
	bad := domain.Errorf(domain.ECodeInvalidToken, "token", "This confirmation link is broken. Copy the whole link from the email.")
	u, err := url.Parse(raw)
	if err != nil {
		return ConfirmLink{}, bad
	}
	rest, ok := strings.CutPrefix(u.Path, "/signatures/")
	idText, ok2 := strings.CutSuffix(rest, "/verify")
	if !ok || !ok2 {
		return ConfirmLink{}, bad
	}
	id, err := uuid.Parse(idText)
	if err != nil {
		return ConfirmLink{}, bad
	}
	q := u.Query()
	pid, err := strconv.ParseInt(q.Get("petition"), 10, 64)
	if err != nil || pid <= 0 {
		return ConfirmLink{}, bad
	}
	return ConfirmLink{PetitionID: pid, SignerKey: q.Get("signer"), SignatureID: id, Token: q.Get("token")}, nil
}
