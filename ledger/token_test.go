package ledger_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/ledger"
)

func TestConfirmLinkRoundTrip(t *testing.T) {
	l := ledger.ConfirmLink{PetitionID: 601932, SignerKey: strings.Repeat("ab", 32), SignatureID: uuid.New(),
		Token: strings.Repeat("cd", 32)}
	u := l.URL("https://petitions.example/")
	if !strings.HasPrefix(u, "https://petitions.example/signatures/"+l.SignatureID.String()+"/verify?") {
		t.Errorf("URL = %s", u)
	}
	got, err := ledger.ParseConfirmURL(u)
	if err != nil || got != l {
		t.Errorf("ParseConfirmURL = %+v, %v; want %+v", got, err, l)
	}
}

// FuzzParseConfirmURL checks the parser never panics, fails only with
// invalid_token, and that what it accepts renders back to an equal link.
func FuzzParseConfirmURL(f *testing.F) {
	l := ledger.ConfirmLink{PetitionID: 7, SignerKey: "k", SignatureID: uuid.MustParse("6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162"), Token: "t"}
	f.Add(l.URL("https://x"))
	f.Add("https://x/signatures/zz/verify?petition=1")
	f.Add("%")
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := ledger.ParseConfirmURL(raw)
		if err != nil {
			if domain.ErrorCode(err) != domain.ECodeInvalidToken {
				t.Fatalf("err = %v, want invalid_token", err)
			}
			return
		}
		if got.PetitionID <= 0 {
			t.Fatalf("accepted petition id %d", got.PetitionID)
		}
		back, err := ledger.ParseConfirmURL(got.URL("https://h"))
		if err != nil || back != got {
			t.Fatalf("round trip: %+v -> %+v, %v", got, back, err)
		}
	})
}
