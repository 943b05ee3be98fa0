package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// e2eSignatures is how many people sign in each esdb end-to-end test.
func e2eSignatures() int {
	if testing.Short() {
		return 120
	}
	return 300
}

// parallel runs fn(0..n-1) on workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// pendingOnly says which signers never follow their confirmation link:
// their signatures stay pending and must not count.
func pendingOnly(i int) bool { return i%7 == 3 }

// TestServeOnESDBBackendEndToEnd runs the API on the esdb backend, through
// the EventStoreDB protocol server, on the embedded store: a storage node
// (`serve --store DIR --esdb-listen`) and an API node (`serve --store
// esdb://...`), two processes of the real binary. A petition is created,
// sponsored and published with admin tokens, hundreds sign and most confirm
// through their mailed links (the outbox file), and the API node then
// serves counts, per constituency, region and country, equal to a recount
// of $all read through the store, identical to what the storage node's
// own projections (embedded backend) serve at the same position. A retried
// request is acknowledged once; the API node drains on SIGTERM and, started
// again, resumes from its checkpoint and serves the same document, as does
// a new API node that folds the log from its start.
func TestServeOnESDBBackendEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	dirs := newE2EDirs(t)
	pl := newE2EPlaces(t, 24)
	storage := startNodeProc(t, bin, "storage node", true, dirs.storageNodeArgs()...)
	api := startNodeProc(t, bin, "API node", false, dirs.apiNodeArgs(storage.esdbAddr, "api")...)
	outbox := dirs.outbox("api")
	id := e2eOpenPetition(t, []*nodeProc{api}, []string{outbox}, pl, "single")

	n := e2eSignatures()
	keys := make([]uuid.UUID, n)
	receipts := make([]e2eReceipt, n)
	parallel(n, 8, func(i int) {
		keys[i] = uuid.New()
		res, err := api.sign(id, pl.signer("one", i), keys[i])
		receipts[i] = mustWriteAsync(t, "sign", res, err, http.StatusAccepted)
	})
	if t.Failed() {
		t.FailNow()
	}
	extra := checkSignerRulesOnOneNode(t, api, id, pl, keys[0], receipts[0])

	links := e2eOutboxes(t, outbox)
	all := append(append([]e2eReceipt(nil), receipts...), extra...)
	validations := make([]e2eReceipt, len(all))
	parallel(len(all), 8, func(i int) {
		if pendingOnly(i) {
			return
		}
		res, err := api.validate(links[all[i].SignatureID])
		validations[i] = mustWriteAsync(t, "validate", res, err, http.StatusOK)
	})
	if t.Failed() {
		t.FailNow()
	}
	hi := highestPosition(t, append(validations, all...)...)
	snaps := e2eAgree(t, []*nodeProc{api, storage}, id, hi)
	log := readE2ELog(t, storage.esdbAddr)
	checkAcknowledgedOnce(t, log, all, func(i int) bool { return !pendingOnly(i) })
	const creatorAndSponsors = 6
	if got, want := len(log.signed), len(all)+creatorAndSponsors; got != want {
		t.Errorf("the log holds %d signatures, want %d (%d acknowledged + creator and sponsors)", got, want, len(all))
	}
	want := log.petitions[id]
	if want == nil || len(want.constituency) < 10 {
		t.Fatalf("recount %+v: want signatures in at least 10 constituencies", want)
	}
	if validated := countValidated(len(all)) + creatorAndSponsors; want.total != int64(validated) {
		t.Errorf("recount %d, want %d validated signatures", want.total, validated)
	}
	if snaps[0].position != log.head {
		t.Errorf("nodes agree on %s, but the head of $all is %s", snaps[0].position, log.head)
	}
	checkServedEqualsRecount(t, "API node (esdb)", snaps[0].petition, snaps[0].count, want)
	checkServedEqualsRecount(t, "storage node (embedded)", snaps[1].petition, snaps[1].count, want)
	if !bytes.Equal(snaps[0].petition, snaps[1].petition) || !bytes.Equal(snaps[0].count, snaps[1].count) {
		t.Errorf("the esdb and embedded backends serve different documents at %s:\n%s\n%s", snaps[0].position, snaps[0].petition, snaps[1].petition)
	}

	api.stop(t)
	again := startNodeProc(t, bin, "API node, restarted", false, dirs.apiNodeArgs(storage.esdbAddr, "api")...)
	fresh := startNodeProc(t, bin, "API node, new", false, dirs.apiNodeArgs(storage.esdbAddr, "fresh")...)
	after := e2eAgree(t, []*nodeProc{again, fresh}, id, snaps[0].position)
	for i, who := range []string{"restarted from its checkpoint", "new, folded from the start of $all"} {
		if !bytes.Equal(after[i].petition, snaps[0].petition) || after[i].position != snaps[0].position {
			t.Errorf("API node %s serves at %s\n%s\nwant at %s\n%s", who, after[i].position, after[i].petition, snaps[0].position, snaps[0].petition)
		}
	}
	again.stop(t)
	fresh.stop(t)
}

// mustWriteAsync is mustWrite for worker goroutines: it reports with
// Errorf (FailNow must run on the test's goroutine).
func mustWriteAsync(t *testing.T, what string, res e2eResponse, err error, want int) e2eReceipt {
	t.Helper()
	if err != nil || res.status != want {
		t.Errorf("%s: want %d, got %s", what, want, describe(res, err))
		return e2eReceipt{}
	}
	var rc e2eReceipt
	if err := json.Unmarshal(res.body, &rc); err != nil {
		t.Errorf("%s: %v", what, err)
	}
	return rc
}

// countValidated is how many of n acknowledged signatures were confirmed.
func countValidated(n int) int {
	c := 0
	for i := 0; i < n; i++ {
		if !pendingOnly(i) {
			c++
		}
	}
	return c
}

// checkSignerRulesOnOneNode retries signer 0's request (the same
// Idempotency-Key: the first receipt, nothing written), signs again with
// the same email and name (refused), with another name at the same
// postcode (accepted: two per email), and a third time (refused). It
// returns the receipt of the accepted second signature.
func checkSignerRulesOnOneNode(t *testing.T, api *nodeProc, id int64, pl e2ePlaces, key uuid.UUID, first e2eReceipt) []e2eReceipt {
	t.Helper()
	s := pl.signer("one", 0)
	res, err := api.sign(id, s, key)
	retry := mustWrite(t, "retry with the same Idempotency-Key", res, err, http.StatusAccepted)
	if !retry.AlreadyDone || retry.SignatureID != first.SignatureID || retry.EventID != first.EventID || retry.Position != first.Position {
		t.Errorf("retry answered %+v, want the first receipt %+v with already_done", retry, first)
	}
	s.ip = "10.250.0.1"
	res, err = api.sign(id, s, uuid.New())
	if p := problemOf(res); err != nil || res.status != http.StatusConflict || p.Code != domain.ECodeDuplicateSignature {
		t.Errorf("same email and name again: want 409 %s, got %s", domain.ECodeDuplicateSignature, describe(res, err))
	}
	s.Name, s.ip = "Second person at the address", "10.250.0.2"
	res, err = api.sign(id, s, uuid.New())
	second := mustWrite(t, "second signature of one email", res, err, http.StatusAccepted)
	s.Name, s.ip = "Third person at the address", "10.250.0.3"
	res, err = api.sign(id, s, uuid.New())
	if p := problemOf(res); err != nil || res.status != http.StatusConflict || p.Code != domain.ECodeTooManySignatures {
		t.Errorf("third signature of one email: want 409 %s, got %s", domain.ECodeTooManySignatures, describe(res, err))
	}
	return []e2eReceipt{second}
}

// checkAcknowledgedOnce checks every acknowledged signature is in the log
// once, under the event ID of its receipt, and validated once when
// confirmed(i), else never.
func checkAcknowledgedOnce(t *testing.T, log *e2eLog, receipts []e2eReceipt, confirmed func(i int) bool) {
	t.Helper()
	for i, rc := range receipts {
		wantValidated := 0
		if confirmed(i) {
			wantValidated = 1
		}
		id := rc.SignatureID
		if log.signed[id] != 1 || log.validated[id] != wantValidated || log.eventOf[id] != rc.EventID {
			t.Errorf("acknowledged signature %s (event %s): signed %d times (event %s), validated %d times; want 1 and %d",
				id, rc.EventID, log.signed[id], log.eventOf[id], log.validated[id], wantValidated)
		}
	}
}
