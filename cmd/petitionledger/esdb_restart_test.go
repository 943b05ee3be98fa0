package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestAPINodeRidesOutAStorageNodeRestart stops the storage node under an
// API node on the esdb backend and starts it again on the same address:
// the API node keeps running, its subscription resumes with no gap and no
// duplicate, and what it serves afterwards equals a recount of $all.
func TestAPINodeRidesOutAStorageNodeRestart(t *testing.T) {
	bin := buildBinary(t)
	dirs := newE2EDirs(t)
	pl := newE2EPlaces(t, 12)
	storage := startNodeProc(t, bin, "storage node", true, dirs.storageNodeArgs()...)
	api := startNodeProc(t, bin, "API node", false, dirs.apiNodeArgs(storage.esdbAddr, "api")...)
	outbox := dirs.outbox("api")
	id := e2eOpenPetition(t, []*nodeProc{api}, []string{outbox}, pl, "restart")

	n := e2eSignatures() / 3
	signedBefore, before := signAndConfirm(t, api, id, pl, "before", 0, n, outbox)
	storage.stop(t)

	outage := make(chan e2eResponse, 1)
	go func() {
		res, err := api.sign(id, pl.signer("outage", 0), uuid.New())
		if err != nil {
			res = e2eResponse{status: -1, body: []byte(err.Error())}
		}
		outage <- res
	}()
	time.Sleep(time.Second) // keep the outage going while the request waits (not an assertion)
	// The same address: API nodes name their endpoint in --store. The port
	// was the OS's choice and has just been freed; it is taken again at once.
	args := dirs.storageNodeArgs()
	for i, a := range args {
		if a == "--esdb-listen" {
			args[i+1] = storage.esdbAddr
		}
	}
	storage = startNodeProc(t, bin, "storage node, restarted", true, args...)
	res := <-outage
	t.Logf("a signature posted during the outage was answered %d %s", res.status, res.body)
	signed := signedBefore
	switch {
	case res.status == http.StatusAccepted: // it waited for the store: it must be there once
		rc := mustWrite(t, "sign during the outage", res, nil, http.StatusAccepted)
		signed = append(signed, rc)
		res, err := api.validate(e2eOutboxes(t, outbox)[rc.SignatureID])
		before = append(before, mustWrite(t, "validate after the outage", res, err, http.StatusOK))
	case res.status >= 500 && problemOf(res).Code != "":
		// refused plainly: the client retries with its Idempotency-Key.
	default:
		t.Fatalf("a signature posted during the outage: want 202 or a 5xx problem, got %d %s", res.status, res.body)
	}

	signedAfter, after := signAndConfirm(t, api, id, pl, "after", n, n, outbox)
	signed = append(signed, signedAfter...)
	select {
	case <-api.done:
		t.Fatalf("the API node exited: %v", api.exitErr)
	default:
	}
	all := append(before, after...)
	hi := highestPosition(t, all...)
	snaps := e2eAgree(t, []*nodeProc{api, storage}, id, hi)
	log := readE2ELog(t, storage.esdbAddr)
	checkAcknowledgedOnce(t, log, signed, func(int) bool { return true })
	if got, want := len(log.signed), len(signed)+6; got != want {
		t.Errorf("the log holds %d signatures, want %d (acknowledged + creator and sponsors)", got, want)
	}
	want := log.petitions[id]
	if want == nil || want.total != int64(len(signed)+6) {
		t.Fatalf("recount %+v, want %d counted signatures", want, len(signed)+6)
	}
	checkServedEqualsRecount(t, "API node", snaps[0].petition, snaps[0].count, want)
	checkServedEqualsRecount(t, "storage node", snaps[1].petition, snaps[1].count, want)
	api.stop(t)
}

// signAndConfirm signs count people (indexes from first) on node and
// confirms them all; it returns the signing and confirmation receipts.
func signAndConfirm(t *testing.T, node *nodeProc, id int64, pl e2ePlaces, tag string, first, count int, outbox string) (signed, confirmed []e2eReceipt) {
	t.Helper()
	signed = make([]e2eReceipt, count)
	parallel(count, 8, func(i int) {
		s := pl.signer(tag, first+i)
		s.ip = ipOf(500_000 + first + i)
		res, err := node.sign(id, s, uuid.New())
		signed[i] = mustWriteAsync(t, "sign", res, err, http.StatusAccepted)
	})
	if t.Failed() {
		t.FailNow()
	}
	links := e2eOutboxes(t, outbox)
	confirmed = make([]e2eReceipt, count)
	parallel(count, 8, func(i int) {
		res, err := node.validate(links[signed[i].SignatureID])
		confirmed[i] = mustWriteAsync(t, "validate", res, err, http.StatusOK)
	})
	if t.Failed() {
		t.FailNow()
	}
	return signed, confirmed
}
