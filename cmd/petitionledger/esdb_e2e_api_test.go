package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/httpapi"
)

// This file drives the HTTP API of the nodes started by
// esdb_e2e_proc_test.go: signers, petitions, confirmation links, and
// waiting for nodes to agree on a log position.

// e2eSigner is what a person types to sign, and the address they come from.
type e2eSigner struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Country  string `json:"country"`
	Postcode string `json:"postcode,omitempty"`
	ip       string
}

func (s e2eSigner) body() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// e2eReceipt is the body of a successful write.
type e2eReceipt struct {
	PetitionID  int64  `json:"petition_id"`
	SignatureID string `json:"signature_id"`
	EventID     string `json:"event_id"`
	Position    string `json:"position"`
	AlreadyDone bool   `json:"already_done"`
}

// e2eProblem is the part of a problem+json body the tests read.
type e2eProblem struct {
	Code  string `json:"code"`
	Field string `json:"field"`
}

// e2ePlaces picks real postcodes in spread-out constituencies (one per
// step through the table) and a few countries abroad.
type e2ePlaces struct {
	postcodes []string // GB, each in a different constituency
	abroad    []string
}

func newE2EPlaces(t *testing.T, n int) e2ePlaces {
	t.Helper()
	cs := geo.Default().Constituencies()
	var pl e2ePlaces
	for i := 0; i < len(cs) && len(pl.postcodes) < n; i += len(cs) / n {
		if pc, ok := geo.Default().ExamplePostcode(cs[i].ONSCode); ok {
			pl.postcodes = append(pl.postcodes, pc)
		}
	}
	if len(pl.postcodes) < n/2 {
		t.Fatalf("only %d example postcodes found in the geo table", len(pl.postcodes))
	}
	pl.abroad = []string{"FR", "US", "DE", "IE"}
	return pl
}

// signer returns the i-th signer of a test: mostly in the UK, one in ten
// abroad; a distinct client address each (the domain's per-address rate
// limit would mark repeats as fraudulent).
func (pl e2ePlaces) signer(tag string, i int) e2eSigner {
	s := e2eSigner{Name: fmt.Sprintf("Signer %s %d", tag, i), Email: fmt.Sprintf("signer-%s-%d@example.org", tag, i),
		Country: "GB", ip: ipOf(i)}
	if i%10 == 9 {
		s.Country = pl.abroad[(i/10)%len(pl.abroad)]
	} else {
		s.Postcode = pl.postcodes[i%len(pl.postcodes)]
	}
	return s
}

// sign posts a signature to node with an Idempotency-Key.
func (p *nodeProc) sign(petition int64, s e2eSigner, key uuid.UUID) (e2eResponse, error) {
	return e2eDo("POST", fmt.Sprintf("%s/petitions/%d/signatures", p.base, petition), s.body(),
		[]string{"X-Forwarded-For", s.ip, "Idempotency-Key", key.String()})
}

// mustWrite checks a write answered want and decodes its receipt.
func mustWrite(t *testing.T, what string, res e2eResponse, err error, want int) e2eReceipt {
	t.Helper()
	if err != nil || res.status != want {
		t.Fatalf("%s: want %d, got %s", what, want, describe(res, err))
	}
	var rc e2eReceipt
	if err := json.Unmarshal(res.body, &rc); err != nil {
		t.Fatalf("%s: receipt %q: %v", what, res.body, err)
	}
	return rc
}

// problemOf decodes a problem+json answer.
func problemOf(res e2eResponse) e2eProblem {
	var p e2eProblem
	_ = json.Unmarshal(res.body, &p)
	return p
}

// e2eOutboxes reads confirmation links (path and query, from
// "/signatures/") by signature id from the nodes' outbox files.
func e2eOutboxes(t *testing.T, files ...string) map[string]string {
	t.Helper()
	links := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line == "" {
				continue
			}
			var m mailLine
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("outbox %s line %q: %v", f, line, err)
			}
			i := strings.Index(m.Link, "/signatures/")
			if i < 0 {
				t.Fatalf("outbox %s: link %q has no /signatures/", f, m.Link)
			}
			links[m.SignatureID] = m.Link[i:]
		}
	}
	return links
}

// validate follows a signature's confirmation link on node.
func (p *nodeProc) validate(link string) (e2eResponse, error) {
	return e2eDo("GET", p.base+link, "", nil)
}

// e2eOpenPetition creates a petition on nodes[0], confirms the creator and
// five sponsors (each confirmed on another node than it signed on) and
// publishes it; it returns the id.
func e2eOpenPetition(t *testing.T, nodes []*nodeProc, outboxes []string, pl e2ePlaces, tag string) int64 {
	t.Helper()
	other := func(i int) *nodeProc { return nodes[(i+1)%len(nodes)] }
	creator := pl.signer(tag+"-creator", 0)
	res, err := e2eDo("POST", nodes[0].base+"/petitions",
		fmt.Sprintf(`{"action":"End-to-end on EventStoreDB %s","background":"API nodes on the esdb backend.","creator":%s}`, tag, creator.body()),
		[]string{"X-Forwarded-For", "10.200.0.1"})
	rc := mustWrite(t, "create petition", res, err, http.StatusCreated)
	id := rc.PetitionID
	links := e2eOutboxes(t, outboxes...)
	res, err = other(0).validate(links[rc.SignatureID])
	mustWrite(t, "confirm creator", res, err, http.StatusOK)
	for i := 0; i < 5; i++ {
		sp := pl.signer(tag+"-sponsor", i)
		sp.ip = fmt.Sprintf("10.201.0.%d", i+1)
		res, err := e2eDo("POST", fmt.Sprintf("%s/petitions/%d/sponsors", nodes[i%len(nodes)].base, id), sp.body(),
			[]string{"X-Forwarded-For", sp.ip})
		rc := mustWrite(t, "sponsor", res, err, http.StatusAccepted)
		res, err = other(i).validate(e2eOutboxes(t, outboxes...)[rc.SignatureID])
		mustWrite(t, "confirm sponsor", res, err, http.StatusOK)
	}
	res, err = e2eDo("POST", fmt.Sprintf("%s/admin/petitions/%d/moderation", nodes[0].base, id), `{"outcome":"publish"}`,
		[]string{"Authorization", "Bearer " + e2eModeratorToken})
	mustWrite(t, "publish", res, err, http.StatusOK)
	return id
}

// e2eSnapshot is what one node serves for a petition at one position.
type e2eSnapshot struct {
	position  eventstore.Position
	petition  []byte // /petitions/{id}.json
	count     []byte // /petitions/{id}/count.json
	positions []eventstore.Position
}

// e2eAgree polls every node until each serves the petition and its count
// at one and the same position, at or after min, and returns what each
// node served. Nothing is written meanwhile, so the nodes converge on the
// head of the log; the deadline bounds the wait.
func e2eAgree(t *testing.T, nodes []*nodeProc, id int64, min eventstore.Position) []e2eSnapshot {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		snaps, err := e2eSnapshots(nodes, id)
		if err != nil {
			last = err.Error()
		} else if reason := e2eDisagreement(snaps, min); reason != "" {
			last = reason
		} else {
			return snaps
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nodes did not converge on one position ≥ %s within 45 s: %s", min, last)
	return nil
}

func e2eSnapshots(nodes []*nodeProc, id int64) ([]e2eSnapshot, error) {
	snaps := make([]e2eSnapshot, len(nodes))
	for i, n := range nodes {
		for _, path := range []string{fmt.Sprintf("/petitions/%d.json", id), fmt.Sprintf("/petitions/%d/count.json", id)} {
			res, err := e2eDo("GET", n.base+path, "", nil)
			if err != nil || res.status != http.StatusOK {
				return nil, fmt.Errorf("%s %s: %s", n.name, path, describe(res, err))
			}
			pos, err := res.position()
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", n.name, path, err)
			}
			snaps[i].positions = append(snaps[i].positions, pos)
			if strings.HasSuffix(path, "count.json") {
				snaps[i].count = res.body
			} else {
				snaps[i].petition = res.body
			}
		}
		snaps[i].position = snaps[i].positions[0]
	}
	return snaps, nil
}

// e2eDisagreement says why the snapshots are not yet one position ≥ min,
// or "" when they are.
func e2eDisagreement(snaps []e2eSnapshot, min eventstore.Position) string {
	want := snaps[0].position
	if want.Compare(min) < 0 {
		return fmt.Sprintf("first node at %s, before %s", want, min)
	}
	for i, s := range snaps {
		for _, p := range s.positions {
			if p != want {
				return fmt.Sprintf("node %d serves %s, node 0 %s", i, p, want)
			}
		}
	}
	return ""
}

// highestPosition parses receipt positions and returns the greatest;
// zero receipts (requests not made) are skipped.
func highestPosition(t *testing.T, receipts ...e2eReceipt) eventstore.Position {
	t.Helper()
	var hi eventstore.Position
	for _, rc := range receipts {
		if rc == (e2eReceipt{}) {
			continue
		}
		p, err := httpapi.ParsePosition(rc.Position)
		if err != nil {
			t.Fatalf("receipt position: %v", err)
		}
		if p.Compare(hi) > 0 {
			hi = p
		}
	}
	return hi
}

// e2eDirs are the per-test paths every node uses.
type e2eDirs struct {
	root, store, secrets string
}

func newE2EDirs(t *testing.T) e2eDirs {
	root := t.TempDir()
	return e2eDirs{root: root, store: filepath.Join(root, "store"), secrets: filepath.Join(root, "secrets.json")}
}

// publicURL is the same on every node, so that the petition documents
// (whose links use it) are byte for byte comparable across nodes.
const e2ePublicURL = "http://petitions.e2e.test"

// storageNodeArgs runs the embedded store with the EventStoreDB protocol
// on an OS-chosen port.
func (d e2eDirs) storageNodeArgs() []string {
	return []string{"--store", d.store, "--esdb-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
		"--secrets-file", d.secrets, "--public-url", e2ePublicURL, "--rate-limit", "0", "--trust-proxy",
		"--outbox-file", filepath.Join(d.root, "outbox-storage.jsonl"), "--token", "moderator:" + e2eModeratorToken}
}

// apiNodeArgs runs an API node named name on the esdb backend.
func (d e2eDirs) apiNodeArgs(esdbAddr, name string) []string {
	return []string{"--store", "esdb://" + esdbAddr + "?tls=false", "--listen", "127.0.0.1:0",
		"--state-dir", filepath.Join(d.root, name+"-state"), "--secrets-file", d.secrets, "--public-url", e2ePublicURL,
		"--rate-limit", "0", "--trust-proxy", "--outbox-file", d.outbox(name), "--token", "moderator:" + e2eModeratorToken}
}

func (d e2eDirs) outbox(name string) string { return filepath.Join(d.root, "outbox-"+name+".jsonl") }
