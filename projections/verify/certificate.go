package verify

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ErrNotClosed reports a certificate asked for a petition that is open.
var ErrNotClosed = errors.New("verify: petition is not closed")

// CertificateHeader is the first line of a count certificate (version 1).
const CertificateHeader = "petitionledger count certificate v1"

// CertificateText returns the body of the count certificate of a closed
// petition, bound to the checkpoint of rep (origin, size, root):
//
//	petitionledger count certificate v1
//	origin <origin>
//	tree_size <n>
//	root <hex>
//	petition <id>
//	closed_at <RFC 3339>
//	total <n>
//	abroad <n> <share>
//	invalidated <n> <rate>
//	country <code> <n> <share>         (sorted by code)
//	region <code> <n> <share>          (sorted by code)
//	constituency <code> <n> <share>    (sorted by code)
//
// Shares are Share: exact, half-even, 6 places.
func CertificateText(rep *Report, pr PetitionReport) (string, error) {
	if pr.ClosedAt == "" {
		return "", fmt.Errorf("%w: petition %d", ErrNotClosed, pr.ID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\norigin %s\ntree_size %d\nroot %s\npetition %d\nclosed_at %s\ntotal %d\n",
		CertificateHeader, rep.Origin, rep.TreeSize, rep.Root, pr.ID, pr.ClosedAt, pr.Total)
	fmt.Fprintf(&b, "abroad %d %s\ninvalidated %d %s\n", pr.AbroadCount, pr.AbroadShare, pr.Invalidated, pr.InvalidationRate)
	for _, l := range []struct {
		kind  string
		areas []AreaCount
	}{{"country", pr.Countries}, {"region", pr.Regions}, {"constituency", pr.Constituencies}} {
		for _, a := range l.areas {
			fmt.Fprintf(&b, "%s %s %d %s\n", l.kind, a.Code, a.Count, a.Share)
		}
	}
	return b.String(), nil
}

// SignCertificate returns the certificate as a signed note.
func SignCertificate(text string, signer note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return nil, fmt.Errorf("verify: sign certificate: %w", err)
	}
	return msg, nil
}
