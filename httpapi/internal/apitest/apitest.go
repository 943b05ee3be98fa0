// Package apitest holds the fixtures the tests of httpapi and httpapi/web
// share: domain events written to a store so that the projections show
// them, and the event sequences a petition's tests start from. It is
// imported only by tests.
package apitest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections"
)

// waitLimit bounds the wait for the projections to reflect an append: a
// deadlock detector, not a performance assertion.
const waitLimit = 10 * time.Second

// Key returns the i-th test key: 64 hex characters, as signer keys and
// hashes are.
func Key(i int) string { return fmt.Sprintf("%064x", i+1) }

// Append encodes events, appends them to stream (expected revision Any)
// with fresh event IDs and waits until runner reflects them. It returns the
// position of the last one and fails tb on any error.
func Append(tb testing.TB, store eventstore.Store, runner *projections.Runner, stream string, events ...domain.Event) eventstore.Position {
	tb.Helper()
	var data []eventstore.EventData
	for _, e := range events {
		b, err := domain.EncodeEvent(e)
		if err != nil {
			tb.Fatalf("encode %T: %v", e, err)
		}
		data = append(data, eventstore.EventData{ID: uuid.New(), Type: e.EventType(), Data: b})
	}
	res, err := store.Append(context.Background(), stream, eventstore.Any{}, data...)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if _, err := runner.WaitFor(ctx, res.Position); err != nil {
		tb.Fatal(err)
	}
	return res.Position
}

// Do sends a request with c and returns the response and its whole body.
// A non-empty body is sent as application/json; headers are name, value
// pairs. Any transport error fails tb.
func Do(tb testing.TB, c *http.Client, method, url, body string, headers ...string) (*http.Response, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// Sponsors returns the five validated sponsor signatures of petition id,
// the i-th at start + i hours (keys Key(1001) to Key(1005)); the fifth
// makes the petition sponsored.
func Sponsors(id int64, start time.Time) []domain.Event {
	var evs []domain.Event
	for i := 1; i <= 5; i++ {
		to := domain.StateValidated
		if i == 5 {
			to = domain.StateSponsored
		}
		evs = append(evs, domain.PetitionSponsorSupported{PetitionID: id, SponsorKey: Key(1000 + i),
			SignatureID: uuid.New(), SponsorCount: i, From: domain.StateValidated, To: to,
			At: start.Add(time.Duration(i) * time.Hour)})
	}
	return evs
}

// Signature returns signature n of petition id (signer key Key(n)) from
// loc: signed at at and validated a minute later.
func Signature(id int64, n int, loc domain.Location, at time.Time, sealed domain.Sealed) []domain.Event {
	sig := uuid.New()
	k := Key(n)
	return []domain.Event{
		domain.SignatureSigned{SignatureID: sig, PetitionID: id, SignerKey: k, Kind: domain.KindSigner, Location: loc,
			From: domain.SigNone, To: domain.SigPending, NameHash: k, PostcodeHash: k, IPHash: k, EmailDomainHash: k,
			Sealed: sealed, At: at},
		domain.SignatureValidated{SignatureID: sig, PetitionID: id, SignerKey: k, Kind: domain.KindSigner, Location: loc,
			From: domain.SigPending, To: domain.SigValidated, SignedAt: at, At: at.Add(time.Minute)},
	}
}
