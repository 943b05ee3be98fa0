package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"

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

// tokenFor computes the token of a confirmation link.
func tokenFor(secret []byte, petitionID int64, signerKey string, sigID uuid.UUID) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "confirm\x00%d\x00%s\x00%s", petitionID, signerKey, sigID)
	return hex.EncodeToString(m.Sum(nil))
}

// validToken reports whether link's token is genuine (constant time).
func validToken(secret []byte, link ConfirmLink) bool {
	want := tokenFor(secret, link.PetitionID, link.SignerKey, link.SignatureID)
	return hmac.Equal([]byte(want), []byte(link.Token))
}

// URL renders the link under base ("https://petitions.example").
func (l ConfirmLink) URL(base string) string {
	q := url.Values{}
	q.Set("petition", strconv.FormatInt(l.PetitionID, 10))
	q.Set("signer", l.SignerKey)
	q.Set("token", l.Token)
	return strings.TrimRight(base, "/") + "/signatures/" + l.SignatureID.String() + "/verify?" + q.Encode()
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
