package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestTokenForMatchesDefinition pins the token to its definition, so links
// mailed before the pooled implementation stay valid.
func TestTokenForMatchesDefinition(t *testing.T) {
	secrets := [][]byte{[]byte(strings.Repeat("s", 32)), []byte(strings.Repeat("t", 64))}
	tests := []struct {
		petitionID int64
		signerKey  string
		sigID      uuid.UUID
	}{
		{1, strings.Repeat("ab", 32), uuid.MustParse("6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162")},
		{601932, "k", uuid.Nil},
		{-5, "", uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff")},
	}
	for _, secret := range secrets {
		for _, tt := range tests {
			m := hmac.New(sha256.New, secret)
			fmt.Fprintf(m, "confirm\x00%d\x00%s\x00%s", tt.petitionID, tt.signerKey, tt.sigID)
			want := hex.EncodeToString(m.Sum(nil))
			for range 3 { // pooled instances are reset between uses
				if got := tokenFor(secret, tt.petitionID, tt.signerKey, tt.sigID); got != want {
					t.Errorf("tokenFor(%d, %q, %s) = %s, want %s", tt.petitionID, tt.signerKey, tt.sigID, got, want)
				}
			}
		}
	}
}

// TestConfirmLinkURLMatchesDefinition pins URL to its definition with
// url.Values (sorted keys, escaped values).
func TestConfirmLinkURLMatchesDefinition(t *testing.T) {
	tests := []ConfirmLink{
		{PetitionID: 601932, SignerKey: strings.Repeat("ab", 32), SignatureID: uuid.MustParse("6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162"), Token: strings.Repeat("cd", 32)},
		{PetitionID: -1, SignerKey: "a b&c=d/é", SignatureID: uuid.Nil, Token: "+%?#"},
		{},
	}
	for _, base := range []string{"https://petitions.example/", "http://h:1", ""} {
		for _, l := range tests {
			q := url.Values{}
			q.Set("petition", strconv.FormatInt(l.PetitionID, 10))
			q.Set("signer", l.SignerKey)
			q.Set("token", l.Token)
			want := strings.TrimRight(base, "/") + "/signatures/" + l.SignatureID.String() + "/verify?" + q.Encode()
			if got := l.URL(base); got != want {
				t.Errorf("URL(%q) = %s, want %s", base, got, want)
			}
		}
	}
}
