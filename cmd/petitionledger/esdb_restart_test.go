package main

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestAPINodeRidesOutAStorageNodeRestart stops the storage node under an
// API node on the esdb backend (SIGTERM, or SIGKILL: connections cut with
// no goodbye) and starts it again on the same address: the API node keeps
// running, a signature posted during the outage waits and lands once, the
// subscription resumes with no gap and no duplicate, and what the API node
// serves afterwards equals a recount of $all.
func TestAPINodeRidesOutAStorageNodeRestart(t *testing.T) {
	bin := buildBinary(t)
	for _, tt := range []struct {
		name  string
		crash bool
	}{{"graceful stop", false}, {"killed", true}} {
		t.Run(tt.name, func(t *testing.T) { rideOutStorageRestart(t, bin, tt.crash) })
	}
}

func rideOutStorageRestart(t *testing.T, bin string, crash bool) {
	dirs := newE2EDirs(t)
	pl := newE2EPlaces(t, 12)
	storage := startNodeProc(t, bin, "storage node", true, dirs.storageNodeArgs()...)
	api := startNodeProc(t, bin, "API node", false, dirs.apiNodeArgs(storage.esdbAddr, "api")...)
	outbox := dirs.outbox("api")
	id := e2eOpenPetition(t, []*nodeProc{api}, []string{outbox}, pl, "restart")

	n := e2eSignatures() / 3
	signedBefore, before := signAndConfirm(t, api, id, pl, "before", 0, n, outbox)
	if crash {
		storage.crash(t)
	} else {
		storage.stop(t)
	}

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
	storage = startNodeProc(t, bin, "storage node, restarted", true, storageArgsOn(dirs, storage.esdbAddr)...)
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

// TestSignaturesInFlightWhenTheStorageNodeDies kills the storage node
// (SIGKILL) while an API node on the esdb backend is taking signatures from
// eight clients, and starts it again. Requests in flight wait or fail; a
// client whose request failed retries it with the same Idempotency-Key.
// In the end every signature is acknowledged, each is in the log exactly
// once (the esdb backend's retries of exact-revision appends never write
// twice), and the counts equal a recount.
func TestSignaturesInFlightWhenTheStorageNodeDies(t *testing.T) {
	bin := buildBinary(t)
	dirs := newE2EDirs(t)
	pl := newE2EPlaces(t, 12)
	storage := startNodeProc(t, bin, "storage node", true, dirs.storageNodeArgs()...)
	api := startNodeProc(t, bin, "API node", false, dirs.apiNodeArgs(storage.esdbAddr, "api")...)
	outbox := dirs.outbox("api")
	id := e2eOpenPetition(t, []*nodeProc{api}, []string{outbox}, pl, "inflight")

	total := e2eSignatures()
	keys := make([]uuid.UUID, total)
	signed := make([]e2eReceipt, total)
	failures := make([]string, total)
	var answered atomic.Int64
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		parallel(total, 8, func(i int) {
			keys[i] = uuid.New()
			s := pl.signer("inflight", i)
			res, err := api.sign(id, s, keys[i])
			if err == nil && res.status == http.StatusAccepted {
				signed[i] = mustWriteAsync(t, "sign", res, err, http.StatusAccepted)
			} else {
				failures[i] = describe(res, err)
			}
			answered.Add(1)
		})
	}()
	for answered.Load() < int64(total/3) {
		time.Sleep(5 * time.Millisecond)
	}
	storage.crash(t)
	storage = startNodeProc(t, bin, "storage node, restarted", true, storageArgsOn(dirs, storage.esdbAddr)...)
	<-workersDone
	retried := 0
	for i, f := range failures {
		if f == "" {
			continue
		}
		retried++
		res, err := api.sign(id, pl.signer("inflight", i), keys[i])
		signed[i] = mustWrite(t, "retry with the same Idempotency-Key after: "+f, res, err, http.StatusAccepted)
	}
	done := 0
	for _, rc := range signed {
		if rc.AlreadyDone {
			done++
		}
	}
	t.Logf("%d of %d requests failed around the crash and were retried; %d answers found their event already written; the API node resubscribed %d times",
		retried, total, done, strings.Count(api.output.String(), "subscription dropped; resubscribing"))

	links := e2eOutboxes(t, outbox)
	confirmed := make([]e2eReceipt, total)
	parallel(total, 8, func(i int) {
		res, err := api.validate(links[signed[i].SignatureID])
		confirmed[i] = mustWriteAsync(t, "validate", res, err, http.StatusOK)
	})
	if t.Failed() {
		t.FailNow()
	}
	snaps := e2eAgree(t, []*nodeProc{api, storage}, id, highestPosition(t, confirmed...))
	log := readE2ELog(t, storage.esdbAddr)
	checkAcknowledgedOnce(t, log, signed, func(int) bool { return true })
	if got, want := len(log.signed), total+6; got != want {
		t.Errorf("the log holds %d signatures, want %d (acknowledged + creator and sponsors)", got, want)
	}
	want := log.petitions[id]
	if want == nil || want.total != int64(total+6) {
		t.Fatalf("recount %+v, want %d counted signatures", want, total+6)
	}
	checkServedEqualsRecount(t, "API node", snaps[0].petition, snaps[0].count, want)
	checkServedEqualsRecount(t, "storage node", snaps[1].petition, snaps[1].count, want)
	api.stop(t)
}

// storageArgsOn is the storage node's command line with the EventStoreDB
// protocol on addr (a restart on the address the API nodes know).
func storageArgsOn(dirs e2eDirs, addr string) []string {
	args := dirs.storageNodeArgs()
	for i, a := range args {
		if a == "--esdb-listen" {
			args[i+1] = addr
		}
	}
	return args
}
