package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// Contention groups of the scale-out test: how many emails of each kind.
const (
	e2eTriples  = 20 // three different people, one email, one per node at once
	e2eTwins    = 20 // one person twice, one email and name, to both nodes at once
	e2eRetries  = 20 // one request sent to both nodes at once (same Idempotency-Key)
	e2eWorkers  = 12
	e2eBothOnes = 3 // every third signature is confirmed on both nodes at once
)

// clusterAck is an acknowledged signature and the node that took it.
type clusterAck struct {
	rc   e2eReceipt
	node int
}

// clusterRun collects what the scale-out test's requests were answered.
type clusterRun struct {
	mu      sync.Mutex
	acks    []clusterAck
	triples [][]clusterAck // accepted signatures of each triple's email
	twins   [][]clusterAck
	retried []string // signature ids of the requests sent to both nodes
	done    int      // how many of those answers said already_done
}

func (c *clusterRun) ack(a ...clusterAck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.acks = append(c.acks, a...)
}

// TestTwoAPINodesShareOneESDBEndpoint is the scale-out topology: two API
// nodes (`serve --store esdb://...`, each with its own projections) in
// front of one EventStoreDB endpoint (the storage node). Signatures are
// posted concurrently to either node, including the same email to both at
// once (at most two per email holds across nodes: three people sharing one
// email get exactly two signatures; one person posting twice gets one) and
// one request sent to both nodes at once with one Idempotency-Key (one
// signature). Confirmations go to the other node, some to both at once.
// Every acknowledged signature is in the log exactly once, nothing else
// is, and once both nodes serve the same X-Ledger-Position they serve
// byte-identical petition documents and counts, equal to a recount of $all;
// node B's live count stream ends on that count.
func TestTwoAPINodesShareOneESDBEndpoint(t *testing.T) {
	bin := buildBinary(t)
	dirs := newE2EDirs(t)
	pl := newE2EPlaces(t, 24)
	storage := startNodeProc(t, bin, "storage node", true, dirs.storageNodeArgs()...)
	nodes := []*nodeProc{
		startNodeProc(t, bin, "API node A", false, dirs.apiNodeArgs(storage.esdbAddr, "a")...),
		startNodeProc(t, bin, "API node B", false, dirs.apiNodeArgs(storage.esdbAddr, "b")...),
	}
	outboxes := []string{dirs.outbox("a"), dirs.outbox("b")}
	id := e2eOpenPetition(t, nodes, outboxes, pl, "cluster")

	live := followLive(t, nodes[1], id) // B announces what is signed on A too
	run := &clusterRun{}
	jobs := clusterJobs(t, nodes, id, pl, run)
	parallel(len(jobs), e2eWorkers, func(i int) { jobs[i]() })
	if t.Failed() {
		t.FailNow()
	}
	logRetryOutcomes(t, run, outboxes)
	validations := confirmAcrossNodes(t, nodes, e2eOutboxes(t, outboxes...), run.acks)
	if t.Failed() {
		t.FailNow()
	}
	receipts := make([]e2eReceipt, len(run.acks))
	for i, a := range run.acks {
		receipts[i] = a.rc
	}
	hi := highestPosition(t, append(validations, receipts...)...)
	snaps := e2eAgree(t, []*nodeProc{nodes[0], nodes[1], storage}, id, hi)
	log := readE2ELog(t, storage.esdbAddr)
	checkClusterLog(t, log, run, receipts)

	want := log.petitions[id]
	if validated := countValidated(len(receipts)) + 6; want == nil || want.total != int64(validated) {
		t.Fatalf("recount %+v, want %d validated signatures (creator, sponsors and confirmed signers)", want, validated)
	}
	if snaps[0].position != log.head {
		t.Errorf("nodes agree on %s, but the head of $all is %s", snaps[0].position, log.head)
	}
	for i, who := range []string{"API node A", "API node B", "storage node"} {
		checkServedEqualsRecount(t, who, snaps[i].petition, snaps[i].count, want)
	}
	if !bytes.Equal(snaps[0].petition, snaps[1].petition) || !bytes.Equal(snaps[0].count, snaps[1].count) {
		t.Errorf("at %s the API nodes serve different documents:\nA: %s\nB: %s", snaps[0].position, snaps[0].petition, snaps[1].petition)
	}
	if !bytes.Equal(snaps[0].petition, snaps[2].petition) {
		t.Errorf("at %s the API nodes (esdb) and the storage node (embedded) differ:\n%s\n%s", snaps[0].position, snaps[0].petition, snaps[2].petition)
	}
	live.waitFor(t, "API node B", want.total)
	for _, n := range nodes {
		n.stop(t)
	}
}

// clusterJobs lists the requests: plain signatures alternating between the
// nodes, and the contention groups, each sent at once.
func clusterJobs(t *testing.T, nodes []*nodeProc, id int64, pl e2ePlaces, run *clusterRun) []func() {
	var jobs []func()
	for i := 0; i < e2eSignatures(); i++ {
		jobs = append(jobs, func() {
			n := i % len(nodes)
			res, err := nodes[n].sign(id, pl.signer("cluster", i), uuid.New())
			if rc := mustWriteAsync(t, "sign", res, err, http.StatusAccepted); rc.SignatureID != "" {
				run.ack(clusterAck{rc, n})
			}
		})
	}
	for k := 0; k < e2eTriples; k++ {
		jobs = append(jobs, func() { sharedEmailTriple(t, nodes, id, pl, k, run) })
	}
	for k := 0; k < e2eTwins; k++ {
		jobs = append(jobs, func() { samePersonOnBothNodes(t, nodes, id, pl, k, run) })
	}
	for k := 0; k < e2eRetries; k++ {
		jobs = append(jobs, func() { retryOnBothNodes(t, nodes, id, pl, k, run) })
	}
	return jobs
}

// e2eAttempt is one request of a contention group.
type e2eAttempt struct {
	node   int
	signer e2eSigner
	key    uuid.UUID
	res    e2eResponse
	err    error
}

// simultaneously sends the attempts together (released by one barrier).
func simultaneously(nodes []*nodeProc, id int64, attempts []e2eAttempt) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := &attempts[i]
			a.res, a.err = nodes[a.node].sign(id, a.signer, a.key)
		}()
	}
	close(start)
	wg.Wait()
}

// sharedEmailTriple: three people share one email and postcode and sign at
// once, through A, B and A. Exactly two are accepted; the third is refused
// with too_many_signatures, whichever node took it.
func sharedEmailTriple(t *testing.T, nodes []*nodeProc, id int64, pl e2ePlaces, k int, run *clusterRun) {
	base := pl.signer("triple", k)
	var attempts []e2eAttempt
	for j := 0; j < 3; j++ {
		s := base
		s.Name, s.ip = fmt.Sprintf("Triple %d person %d", k, j), ipOf(100_000+3*k+j)
		attempts = append(attempts, e2eAttempt{node: j % len(nodes), signer: s, key: uuid.New()})
	}
	simultaneously(nodes, id, attempts)
	accepted := checkContention(t, "three people, one email", attempts, 2, domain.ECodeTooManySignatures)
	run.ack(accepted...)
	run.mu.Lock()
	run.triples = append(run.triples, accepted)
	run.mu.Unlock()
}

// samePersonOnBothNodes: one person (email and name) signs on A and on B
// at once, with two Idempotency-Keys. One is accepted; the other is a
// duplicate_signature.
func samePersonOnBothNodes(t *testing.T, nodes []*nodeProc, id int64, pl e2ePlaces, k int, run *clusterRun) {
	s := pl.signer("twin", k)
	attempts := []e2eAttempt{
		{node: 0, signer: s, key: uuid.New()},
		{node: 1, signer: s, key: uuid.New()},
	}
	attempts[0].signer.ip, attempts[1].signer.ip = ipOf(200_000+2*k), ipOf(200_001+2*k)
	simultaneously(nodes, id, attempts)
	accepted := checkContention(t, "one person on both nodes", attempts, 1, domain.ECodeDuplicateSignature)
	run.ack(accepted...)
	run.mu.Lock()
	run.twins = append(run.twins, accepted)
	run.mu.Unlock()
}

// retryOnBothNodes: one request (one Idempotency-Key) reaches both nodes at
// once, as a client retrying through a load balancer would. Both answer
// 202 with the same signature and event; the log holds it once.
func retryOnBothNodes(t *testing.T, nodes []*nodeProc, id int64, pl e2ePlaces, k int, run *clusterRun) {
	s := pl.signer("retry", k)
	s.ip = ipOf(300_000 + k)
	key := uuid.New()
	attempts := []e2eAttempt{{node: 0, signer: s, key: key}, {node: 1, signer: s, key: key}}
	simultaneously(nodes, id, attempts)
	var rcs [2]e2eReceipt
	for i, a := range attempts {
		rcs[i] = mustWriteAsync(t, "one request on both nodes", a.res, a.err, http.StatusAccepted)
	}
	if rcs[0].SignatureID != rcs[1].SignatureID || rcs[0].EventID != rcs[1].EventID || rcs[0].Position != rcs[1].Position {
		t.Errorf("one request on both nodes got two receipts: %+v and %+v", rcs[0], rcs[1])
	}
	if rcs[0].SignatureID == "" {
		return
	}
	run.ack(clusterAck{rcs[0], 0})
	run.mu.Lock()
	defer run.mu.Unlock()
	run.retried = append(run.retried, rcs[0].SignatureID)
	for _, rc := range rcs {
		if rc.AlreadyDone {
			run.done++
		}
	}
}

// checkContention checks that exactly accepted of the attempts got a 202
// and the others a 409 with code, and returns the accepted ones.
func checkContention(t *testing.T, what string, attempts []e2eAttempt, accepted int, code string) []clusterAck {
	var acks []clusterAck
	for _, a := range attempts {
		switch {
		case a.err == nil && a.res.status == http.StatusAccepted:
			rc := mustWriteAsync(t, what, a.res, a.err, http.StatusAccepted)
			acks = append(acks, clusterAck{rc, a.node})
		case a.err == nil && a.res.status == http.StatusConflict && problemOf(a.res).Code == code:
		default:
			t.Errorf("%s: want 202 or 409 %s, got %s", what, code, describe(a.res, a.err))
		}
	}
	if len(acks) != accepted {
		t.Errorf("%s: %d of %d concurrent attempts accepted, want %d", what, len(acks), len(attempts), accepted)
	}
	return acks
}

// confirmAcrossNodes follows each acknowledged signature's link on the
// node that did not take it, or on both at once for every third; the
// pendingOnly ones are never confirmed. It returns the receipts.
func confirmAcrossNodes(t *testing.T, nodes []*nodeProc, links map[string]string, acks []clusterAck) []e2eReceipt {
	out := make([]e2eReceipt, len(acks))
	parallel(len(acks), e2eWorkers, func(i int) {
		if pendingOnly(i) {
			return
		}
		link, ok := links[acks[i].rc.SignatureID]
		if !ok {
			t.Errorf("no confirmation mail for acknowledged signature %s", acks[i].rc.SignatureID)
			return
		}
		targets := []*nodeProc{nodes[(acks[i].node+1)%len(nodes)]}
		if i%e2eBothOnes == 0 {
			targets = nodes
		}
		rcs := make([]e2eReceipt, len(targets))
		var wg sync.WaitGroup
		for j, n := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := n.validate(link)
				rcs[j] = mustWriteAsync(t, "validate on "+n.name, res, err, http.StatusOK)
			}()
		}
		wg.Wait()
		out[i] = rcs[0]
		if len(rcs) == 2 && rcs[0].Position != rcs[1].Position {
			t.Errorf("signature %s confirmed on both nodes at once: positions %s and %s, want one validation",
				acks[i].rc.SignatureID, rcs[0].Position, rcs[1].Position)
		}
	})
	return out
}

// checkClusterLog checks the log against what the nodes acknowledged.
func checkClusterLog(t *testing.T, log *e2eLog, run *clusterRun, receipts []e2eReceipt) {
	t.Helper()
	checkAcknowledgedOnce(t, log, receipts, func(i int) bool { return !pendingOnly(i) })
	const creatorAndSponsors = 6
	if got, want := len(log.signed), len(receipts)+creatorAndSponsors; got != want {
		t.Errorf("the log holds %d signatures, want %d (%d acknowledged + creator and sponsors)", got, want, len(receipts))
	}
	for stream, n := range log.perStream {
		if n > 2 {
			t.Errorf("signer stream %s holds %d signatures: more than two for one email", stream, n)
		}
	}
	groups := []struct {
		name   string
		groups [][]clusterAck
		want   int
	}{{"three people, one email", run.triples, 2}, {"one person on both nodes", run.twins, 1}}
	for _, g := range groups {
		for _, acks := range g.groups {
			if len(acks) == 0 {
				continue
			}
			stream := log.streamOf[acks[0].rc.SignatureID]
			for _, a := range acks {
				if log.streamOf[a.rc.SignatureID] != stream {
					t.Errorf("%s: signatures in streams %s and %s", g.name, stream, log.streamOf[a.rc.SignatureID])
				}
			}
			if log.perStream[stream] != g.want {
				t.Errorf("%s: stream %s holds %d signatures, want %d", g.name, stream, log.perStream[stream], g.want)
			}
		}
	}
}

// logRetryOutcomes reports how the requests sent to both nodes at once
// were resolved: one node answering already_done (it read the other's
// event), or both appending the same event ID at the same expected
// revision (the store's idempotency answered the second) and both mailing
// the same link. Either way the log holds one signature (checked later).
func logRetryOutcomes(t *testing.T, run *clusterRun, outboxes []string) {
	t.Helper()
	mails := map[string]int{}
	for _, f := range outboxes {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			var m mailLine
			if json.Unmarshal([]byte(line), &m) == nil {
				mails[m.SignatureID]++
			}
		}
	}
	twice := 0
	for _, id := range run.retried {
		if mails[id] > 1 {
			twice++
		}
	}
	t.Logf("%d requests sent to both nodes at once: %d answers already_done, %d signatures mailed twice",
		len(run.retried), run.done, twice)
}
