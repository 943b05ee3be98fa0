package demo_test

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// recount is an independent oracle: it folds the records with its own
// bookkeeping (not the domain's aggregates) and counts per petition.
type recount struct {
	closedAt  map[int64]time.Time
	sigs      map[uuid.UUID]*sigFacts
	petitions map[int64][]domain.Event
}

type sigFacts struct {
	petition           int64
	state              domain.SignatureState
	signedAt, validAt  time.Time
	constituency, ctry string
}

var (
	foldOnce   sync.Once
	foldResult *recount
)

// folded folds the full history once per test binary. Its checks report
// through the first test that calls it; a failure there fails every caller.
func folded(t *testing.T) *recount {
	t.Helper()
	h := full(t)
	ok := true
	foldOnce.Do(func() {
		foldResult = fold(t, h)
		ok = !t.Failed()
	})
	if !ok || foldResult == nil {
		t.Fatal("folding the history failed")
	}
	return foldResult
}

func fold(t *testing.T, h *demo.History) *recount {
	t.Helper()
	lines := bytes.Split(encoded(t), []byte{'\n'})
	rc := &recount{closedAt: map[int64]time.Time{}, sigs: map[uuid.UUID]*sigFacts{}, petitions: map[int64][]domain.Event{}}
	revisions := map[string]int64{}
	ids := map[uuid.UUID]bool{}
	var last time.Time
	for i, r := range h.Records {
		// Append order: expected revisions are exact and consecutive.
		want, seen := revisions[r.Stream]
		if !seen {
			want = demo.NoStream
		}
		if r.Expected != want {
			t.Fatalf("record %d (%s): expected revision %d, want %d", i, r.Stream, r.Expected, want)
		}
		revisions[r.Stream] = want + 1
		if ids[r.EventID] {
			t.Fatalf("record %d: duplicate event ID %s", i, r.EventID)
		}
		ids[r.EventID] = true
		// Chronological by domain time.
		if r.Event.OccurredAt().Before(last) {
			t.Fatalf("record %d at %s before the previous one at %s", i, r.Event.OccurredAt(), last)
		}
		last = r.Event.OccurredAt()
		// The canonical line decodes back to the same event. The domain's
		// golden tests cover the codec; here every rare event and one in
		// ten of the 90,000 signed/validated events (to keep -race fast).
		if common(r.Event) && i%10 != 0 {
			rc.apply(t, r)
			continue
		}
		fields := bytes.SplitN(lines[i], []byte{'\t'}, 5)
		if len(fields) != 5 || string(fields[0]) != r.Stream || string(fields[2]) != r.EventID.String() {
			t.Fatalf("record %d: canonical line %q", i, lines[i])
		}
		back, err := domain.DecodeEventWithID(string(fields[3]), r.EventID.String(), fields[4])
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(back, r.Event) {
			t.Fatalf("record %d: JSON round trip gives %+v, want %+v", i, back, r.Event)
		}
		rc.apply(t, r)
	}
	return rc
}

// common reports the event types that make up most of the history.
func common(e domain.Event) bool {
	switch e.(type) {
	case domain.SignatureSigned, domain.SignatureValidated:
		return true
	}
	return false
}

func (rc *recount) apply(t *testing.T, r demo.Record) {
	switch e := r.Event.(type) {
	case domain.SignatureSigned:
		if !strings.HasPrefix(r.Stream, domain.SignerStreamPrefixFor(e.PetitionID)) {
			t.Fatalf("signature of petition %d in stream %s", e.PetitionID, r.Stream)
		}
		rc.sigs[e.SignatureID] = &sigFacts{petition: e.PetitionID, state: e.To, signedAt: e.At,
			constituency: e.Location.Constituency, ctry: e.Location.Country}
	case domain.SignatureValidated:
		f := rc.sigs[e.SignatureID]
		f.state, f.validAt = domain.SigValidated, e.At
	case domain.SignatureInvalidated:
		rc.sigs[e.SignatureID].state = domain.SigInvalidated
	case domain.SignatureMarkedFraudulent:
		rc.sigs[e.SignatureID].state = domain.SigFraudulent
	case domain.PetitionClosed:
		rc.closedAt[e.PetitionID] = e.At
	}
	if pe, ok := r.Event.(domain.PetitionEvent); ok && strings.HasPrefix(r.Stream, domain.PetitionStreamPrefix) {
		rc.petitions[pe.Petition()] = append(rc.petitions[pe.Petition()], r.Event)
	}
}

// counted reports whether f counts: validated, signed no later than the
// close and validated within 24 hours after it.
func (rc *recount) counted(f *sigFacts) bool {
	closed, ok := rc.closedAt[f.petition]
	return f.state == domain.SigValidated &&
		(!ok || (!f.signedAt.After(closed) && !f.validAt.After(closed.Add(24*time.Hour))))
}

func (rc *recount) byPlace(petition int64) (total int, constituencies, countries map[string]int) {
	constituencies, countries = map[string]int{}, map[string]int{}
	for _, f := range rc.sigs {
		if f.petition != petition || !rc.counted(f) {
			continue
		}
		total++
		countries[f.ctry]++
		if f.constituency != "" {
			constituencies[f.constituency]++
		}
	}
	return total, constituencies, countries
}

func TestHistoryIsConsistentAndCounts(t *testing.T) {
	h := full(t)
	rc := folded(t)
	for _, s := range h.Petitions {
		total, _, _ := rc.byPlace(s.ID)
		if total != s.Counted {
			t.Errorf("petition %d: oracle counts %d, summary says %d", s.ID, total, s.Counted)
		}
		p, err := domain.ReplayPetition(rc.petitions[s.ID])
		if err != nil {
			t.Fatalf("petition %d: replay: %v", s.ID, err)
		}
		if p.State != s.State {
			t.Errorf("petition %d: replayed state %s, summary %s", s.ID, p.State, s.State)
		}
	}
	tests := []struct {
		id        int64
		wantState domain.PetitionState
		wantMin   int
		wantMax   int
	}{
		{1, domain.StateClosed, 44_150, 44_150},
		{2, domain.StateOpen, 1_000, 2_000},
		{3, domain.StateRejected, 6, 6},
		{4, domain.StateClosed, 2_000, 3_000},
		{5, domain.StateClosed, 1_500, 2_000},
	}
	for _, tt := range tests {
		s := h.Petitions[tt.id-1]
		if s.ID != tt.id || s.State != tt.wantState || s.Counted < tt.wantMin || s.Counted > tt.wantMax {
			t.Errorf("petition %d: %+v; want state %s, %d–%d counted", tt.id, s, tt.wantState, tt.wantMin, tt.wantMax)
		}
	}
}

func TestSeedPetitionStory(t *testing.T) {
	rc := folded(t)
	p, err := domain.ReplayPetition(rc.petitions[1])
	if err != nil {
		t.Fatal(err)
	}
	if p.Action != "Hold a public inquiry into Russian interference in UK politics" {
		t.Errorf("action %q", p.Action)
	}
	if p.CreatedAt.Year() != 2021 || p.OpenedAt.Year() != 2021 {
		t.Errorf("created %s, opened %s; want 2021", p.CreatedAt, p.OpenedAt)
	}
	if got, want := p.ClosedAt, p.OpenedAt.AddDate(0, 6, 0); got.Sub(want).Abs() > 48*time.Hour {
		t.Errorf("closed %s, want six months after opening (%s)", got, want)
	}
	if p.Response == nil || p.Response.RespondedOn != "2022-03-21" || p.Response.Department.Name != "Cabinet Office" {
		t.Fatalf("response %+v", p.Response)
	}
	if !p.ClosedAt.After(p.Response.At) {
		t.Errorf("closed %s not after the response %s", p.ClosedAt, p.Response.At)
	}
	if len(p.OtherBusiness) != 1 {
		t.Fatalf("other business %+v", p.OtherBusiness)
	}
	b := p.OtherBusiness[0]
	if b.OccurredOn != "2022-05-25" || !strings.Contains(b.Subject, "foreign lobbying") ||
		!strings.Contains(b.Body, "https://hansard.parliament.uk/") || !strings.Contains(b.Body, "https://parliamentlive.tv/") {
		t.Errorf("other business %+v", b)
	}
	if p.Debate != nil || len(p.Sponsors) != 5 {
		t.Errorf("debate %+v, sponsors %d", p.Debate, len(p.Sponsors))
	}
}

// TestSeedPetitionGeography checks the spread: every constituency signed,
// in roughly equal shares, 2–4% from several countries abroad, a few
// unknown postcodes.
func TestSeedPetitionGeography(t *testing.T) {
	rc := folded(t)
	total, byConst, byCountry := rc.byPlace(1)
	cs := geo.Default().Constituencies()
	lo, hi := total, 0
	for _, c := range cs {
		n := byConst[c.ONSCode]
		lo, hi = min(lo, n), max(hi, n)
	}
	if lo < 25 || hi > 120 {
		t.Errorf("per-constituency counts range %d–%d, want within 25–120 (mean about 66)", lo, hi)
	}
	if byConst[geo.UnknownConstituency] == 0 {
		t.Error("no signature from a postcode outside the table")
	}
	abroad := total - byCountry[geo.UnitedKingdom]
	if share := float64(abroad) / float64(total); share < 0.02 || share > 0.04 || len(byCountry) < 6 {
		t.Errorf("abroad: %d of %d (%.1f%%) over %d countries; want 2–4%% over 5+", abroad, total, 100*share, len(byCountry)-1)
	}
	for code := range byCountry {
		if !geo.Default().KnownCountry(code) {
			t.Errorf("country %q not in the country list", code)
		}
	}
	for ons := range byConst {
		if _, ok := geo.Default().Constituency(ons); !ok {
			t.Errorf("constituency %q unknown to geo", ons)
		}
	}
}

func TestOtherPetitions(t *testing.T) {
	h := full(t)
	rc := folded(t)
	replay := func(id int64) *domain.Petition {
		p, err := domain.ReplayPetition(rc.petitions[id])
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := replay(2); p.State != domain.StateOpen || !p.ClosesAt.After(testNow) || !p.OpenedAt.Before(testNow) {
		t.Errorf("open petition: state %s, opened %s, closes %s (now %s)", p.State, p.OpenedAt, p.ClosesAt, testNow)
	}
	if p := replay(3); p.Rejection == nil || p.Rejection.Code != "duplicate" || p.Rejection.Hidden {
		t.Errorf("rejected petition: %+v", p.Rejection)
	}
	if p := replay(4); p.Debate == nil || !p.Debate.Debated || p.DebateDate != "2022-06-06" ||
		!strings.HasPrefix(p.Debate.TranscriptURL, "https://hansard.parliament.uk/") {
		t.Errorf("debated petition: date %q, debate %+v", p.DebateDate, p.Debate)
	}
	var requested, completed int
	fraudulent, invalidated := 0, 0
	for _, r := range h.Records {
		switch e := r.Event.(type) {
		case domain.InvalidationRequested:
			requested++
			if e.Criteria.PetitionID != 5 || e.Criteria.IPPrefix == nil || e.Criteria.IPPrefix.Bits != 24 {
				t.Errorf("invalidation criteria %+v", e.Criteria)
			}
		case domain.InvalidationCompleted:
			completed++
			if e.MatchingCount != 80 || e.InvalidatedCount != 80 {
				t.Errorf("invalidation completed %+v, want 80 matching and invalidated", e)
			}
		case domain.SignatureMarkedFraudulent:
			fraudulent++
		case domain.SignatureInvalidated:
			invalidated++
		}
	}
	if requested != 1 || completed != 1 || fraudulent != 40 || invalidated != 80 {
		t.Errorf("invalidations requested %d completed %d, fraudulent %d, invalidated %d; want 1, 1, 40, 80",
			requested, completed, fraudulent, invalidated)
	}
}
