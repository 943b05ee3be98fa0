package projections

import (
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// PetitionState is everything the UK petitions service's JSON exposes about
// one petition, derived only from events. Times are domain times (the At of
// the event), UTC; the zero time means null. PetitionState values handed to
// readers are immutable: never modify their slices.
type PetitionState struct {
	ID                int64
	Action            string
	Background        string
	AdditionalDetails string
	CommitteeNote     string // not carried by any event yet: always ""
	State             string // domain.PetitionState
	Hidden            bool   // rejected with a code that hides it
	SponsorCount      int
	SignatureCount    int64  // validated, counted, minus invalidated and fraudulent
	ClosingDate       string // deadline, "YYYY-MM-DD", set when published
	ClosesAt          time.Time

	CreatedAt                    time.Time
	UpdatedAt                    time.Time // time of the last event that changed the petition or its count
	RejectedAt                   time.Time
	OpenedAt                     time.Time
	ClosedAt                     time.Time
	ModerationThresholdReachedAt time.Time
	ResponseThresholdReachedAt   time.Time
	GovernmentResponseAt         time.Time
	DebateThresholdReachedAt     time.Time
	DebateScheduledOn            string // date the debate was scheduled, "YYYY-MM-DD"
	ScheduledDebateDate          string // date of the debate, "YYYY-MM-DD"
	DebateOutcomeAt              time.Time

	ResponseState string // pending, awaiting, responded
	DebateState   string // pending, awaiting, scheduled, debated, not_debated

	Rejection          *Rejection
	GovernmentResponse *GovernmentResponse
	Debate             *Debate
	Departments        []Department
	Topics             []string // not carried by any event yet: always empty
	OtherBusiness      []OtherBusiness

	// Position is the $all position of the last event that changed this
	// petition; AuditLen the number of entries in its audit trail.
	Position eventstore.Position
	AuditLen uint64

	counts *counts // per-constituency and per-country counts, shared, immutable
}

// Rejection is the moderation outcome "rejected".
type Rejection struct {
	Code    string
	Details string
}

// GovernmentResponse is the government's response.
type GovernmentResponse struct {
	RespondedOn string
	Summary     string
	Details     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Debate is the outcome of a debate in Parliament.
type Debate struct {
	Debated             bool
	DebatedOn           string
	TranscriptURL       string
	VideoURL            string
	DebatePackURL       string
	PublicEngagementURL string
	DebateSummaryURL    string
	Overview            string
}

// Department is a government department that responded.
type Department struct {
	Acronym string
	Name    string
	URL     string
}

// OtherBusiness is other parliamentary business about the petition.
type OtherBusiness struct {
	Subject    string
	Body       string
	OccurredOn string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Response and debate sub-states.
const (
	SubStatePending    = "pending"
	SubStateAwaiting   = "awaiting"
	SubStateResponded  = "responded"
	SubStateScheduled  = "scheduled"
	SubStateDebated    = "debated"
	SubStateNotDebated = "not_debated"
)

// counts holds a petition's signature counts by place. byConstituency has
// Places.numConstituencySlots entries, byCountry Places.numCountrySlots.
type counts struct {
	places         *Places
	byConstituency []int32
	byCountry      []int32
}

func newCounts(p *Places) *counts {
	return &counts{places: p, byConstituency: make([]int32, p.numConstituencySlots()), byCountry: make([]int32, p.numCountrySlots())}
}

func (c *counts) clone() *counts {
	return &counts{
		places:         c.places,
		byConstituency: append([]int32(nil), c.byConstituency...),
		byCountry:      append([]int32(nil), c.byCountry...),
	}
}

// ConstituencyCount is one row of signatures_by_constituency.
type ConstituencyCount struct {
	ONSCode        string
	Name           string
	MP             string
	SignatureCount int64
}

// RegionCount is one row of signatures_by_region.
type RegionCount struct {
	ONSCode        string
	Name           string
	SignatureCount int64
}

// CountryCount is one row of signatures_by_country.
type CountryCount struct {
	Code           string
	Name           string
	SignatureCount int64
}

// UnknownConstituencyCount returns the signatures from GB postcodes whose
// constituency is not in the table.
func (s PetitionState) UnknownConstituencyCount() int64 {
	if s.counts == nil {
		return 0
	}
	return int64(s.counts.byConstituency[len(s.counts.places.constituencies)])
}

// SignaturesByConstituency returns every constituency with at least one
// signature, sorted by ONS code (the UK service's order).
func (s PetitionState) SignaturesByConstituency() []ConstituencyCount {
	if s.counts == nil {
		return nil
	}
	var out []ConstituencyCount
	for i, c := range s.counts.places.constituencies {
		if n := s.counts.byConstituency[i]; n != 0 {
			out = append(out, ConstituencyCount{ONSCode: c.ONSCode, Name: c.Name, MP: c.MP, SignatureCount: int64(n)})
		}
	}
	return out
}

// SignaturesByRegion returns every region with at least one signature,
// sorted by ONS code. A region's count is the sum of its constituencies'.
func (s PetitionState) SignaturesByRegion() []RegionCount {
	if s.counts == nil {
		return nil
	}
	sums := make([]int64, len(s.counts.places.regions))
	for i, r := range s.counts.places.constRegion {
		sums[r] += int64(s.counts.byConstituency[i])
	}
	var out []RegionCount
	for i, r := range s.counts.places.regions {
		if sums[i] != 0 {
			out = append(out, RegionCount{ONSCode: r.ONSCode, Name: r.Name, SignatureCount: sums[i]})
		}
	}
	return out
}

// SignaturesByCountry returns every country with at least one signature,
// sorted by name (the UK service's order). Codes not in the table are
// summed in one row with an empty code named "Unknown".
func (s PetitionState) SignaturesByCountry() []CountryCount {
	if s.counts == nil {
		return nil
	}
	var out []CountryCount
	for i, c := range s.counts.places.countries {
		if n := s.counts.byCountry[i]; n != 0 {
			out = append(out, CountryCount{Code: c.Code, Name: c.Name, SignatureCount: int64(n)})
		}
	}
	if n := s.counts.byCountry[len(s.counts.places.countries)]; n != 0 {
		out = append(out, CountryCount{Name: "Unknown", SignatureCount: int64(n)})
	}
	return out
}
