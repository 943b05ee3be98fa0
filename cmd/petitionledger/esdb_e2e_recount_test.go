package main

import (
	"context"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
)

// e2eLog is the tests' own recount of the log, read from $all through the
// esdb backend (the same path as the API nodes, but none of their code):
// every signature's events, folded by hand, counted by place.
type e2eLog struct {
	signed    map[string]int                   // signature id → SignatureSigned events
	eventOf   map[string]string                // signature id → event ID of its SignatureSigned
	validated map[string]int                   // signature id → SignatureValidated events
	streamOf  map[string]string                // signature id → its signer stream
	perStream map[string]int                   // signer stream → SignatureSigned events
	petitions map[int64]*e2eCounts             // counted signatures by petition
	states    map[string]domain.SignatureState // signature id → last state
	head      eventstore.Position
}

// e2eCounts are a petition's counted signatures, in total and by place
// (the keys the JSON uses: ONS codes, country codes).
type e2eCounts struct {
	total        int64
	constituency map[string]int64
	region       map[string]int64
	country      map[string]int64
}

// readE2ELog reads the whole of $all from the EventStoreDB endpoint.
func readE2ELog(t *testing.T, esdbAddr string) *e2eLog {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := esdb.Open(ctx, "esdb://"+esdbAddr+"?tls=false")
	if err != nil {
		t.Fatalf("open the esdb endpoint to recount: %v", err)
	}
	defer s.Close()
	evs, err := s.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatalf("read $all: %v", err)
	}
	return recountE2E(t, evs)
}

// e2eSig is one signature as the recount folds it.
type e2eSig struct {
	petition int64
	loc      domain.Location
	state    domain.SignatureState
}

// recountE2E folds the signature events: a signature counts when its last
// state is validated (every petition in these tests is open).
func recountE2E(t *testing.T, evs []eventstore.RecordedEvent) *e2eLog {
	t.Helper()
	l := &e2eLog{signed: map[string]int{}, eventOf: map[string]string{}, validated: map[string]int{},
		streamOf: map[string]string{}, perStream: map[string]int{}, petitions: map[int64]*e2eCounts{},
		states: map[string]domain.SignatureState{}}
	sigs := map[string]*e2eSig{}
	for _, ev := range evs {
		l.head = ev.Position
		if !domain.IsKnownEventType(ev.Type) {
			continue
		}
		e, err := domain.DecodeEvent(ev.Type, ev.Data)
		if err != nil {
			t.Fatalf("decode %s at %s: %v", ev.Type, ev.Position, err)
		}
		switch e := e.(type) {
		case domain.SignatureSigned:
			id := e.SignatureID.String()
			l.signed[id]++
			l.eventOf[id], l.streamOf[id] = ev.ID.String(), ev.Stream
			l.perStream[ev.Stream]++
			sigs[id] = &e2eSig{petition: e.PetitionID, loc: e.Location, state: domain.SigPending}
		case domain.SignatureValidated:
			l.validated[e.SignatureID.String()]++
			setE2EState(t, sigs, e.SignatureID.String(), domain.SigValidated)
		case domain.SignatureInvalidated:
			setE2EState(t, sigs, e.SignatureID.String(), domain.SigInvalidated)
		case domain.SignatureMarkedFraudulent:
			setE2EState(t, sigs, e.SignatureID.String(), domain.SigFraudulent)
		}
	}
	for id, s := range sigs {
		l.states[id] = s.state
		if s.state == domain.SigValidated {
			l.count(s)
		}
	}
	return l
}

func setE2EState(t *testing.T, sigs map[string]*e2eSig, id string, st domain.SignatureState) {
	t.Helper()
	s, ok := sigs[id]
	if !ok {
		t.Fatalf("signature %s changes state to %s before it was signed", id, st)
	}
	s.state = st
}

func (l *e2eLog) count(s *e2eSig) {
	c := l.petitions[s.petition]
	if c == nil {
		c = &e2eCounts{constituency: map[string]int64{}, region: map[string]int64{}, country: map[string]int64{}}
		l.petitions[s.petition] = c
	}
	c.total++
	c.country[s.loc.Country]++
	if s.loc.Constituency != "" && s.loc.Constituency != geo.UnknownConstituency {
		c.constituency[s.loc.Constituency]++
	}
	if s.loc.Region != "" {
		c.region[s.loc.Region]++
	}
}

// e2eServed is what a petition document says about counts.
type e2eServed struct {
	Data struct {
		Attributes struct {
			State          string `json:"state"`
			SignatureCount int64  `json:"signature_count"`
			ByCountry      []struct {
				Code           string `json:"code"`
				SignatureCount int64  `json:"signature_count"`
			} `json:"signatures_by_country"`
			ByConstituency []struct {
				ONSCode        string `json:"ons_code"`
				SignatureCount int64  `json:"signature_count"`
			} `json:"signatures_by_constituency"`
			ByRegion []struct {
				ONSCode        string `json:"ons_code"`
				SignatureCount int64  `json:"signature_count"`
			} `json:"signatures_by_region"`
		} `json:"attributes"`
	} `json:"data"`
}

// checkServedEqualsRecount compares a served petition document and count
// with the recount: the total, and every constituency, region and country.
func checkServedEqualsRecount(t *testing.T, who string, petition, count []byte, want *e2eCounts) {
	t.Helper()
	var doc e2eServed
	if err := json.Unmarshal(petition, &doc); err != nil {
		t.Fatalf("%s: petition document: %v", who, err)
	}
	var cnt struct {
		SignatureCount int64 `json:"signature_count"`
	}
	if err := json.Unmarshal(count, &cnt); err != nil {
		t.Fatalf("%s: count.json: %v", who, err)
	}
	a := doc.Data.Attributes
	if a.State != "open" {
		t.Errorf("%s: state %q, want open", who, a.State)
	}
	got := e2eCounts{total: a.SignatureCount, constituency: map[string]int64{}, region: map[string]int64{}, country: map[string]int64{}}
	for _, c := range a.ByConstituency {
		got.constituency[c.ONSCode] = c.SignatureCount
	}
	for _, r := range a.ByRegion {
		got.region[r.ONSCode] = r.SignatureCount
	}
	for _, c := range a.ByCountry {
		got.country[c.Code] = c.SignatureCount
	}
	tests := []struct {
		name      string
		got, want any
		equal     bool
	}{
		{"signature_count", a.SignatureCount, want.total, a.SignatureCount == want.total},
		{"count.json signature_count", cnt.SignatureCount, want.total, cnt.SignatureCount == want.total},
		{"signatures_by_constituency", got.constituency, want.constituency, maps.Equal(got.constituency, want.constituency)},
		{"signatures_by_region", got.region, want.region, maps.Equal(got.region, want.region)},
		{"signatures_by_country", got.country, want.country, maps.Equal(got.country, want.country)},
	}
	for _, tt := range tests {
		if !tt.equal {
			t.Errorf("%s: %s: served %v, recount of the log %v", who, tt.name, tt.got, tt.want)
		}
	}
}
