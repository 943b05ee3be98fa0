package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/petitionledger/petitionledger/projections"
)

// The JSON shapes of petition.parliament.uk's public API. Field order
// follows the UK service; null is written where it writes null.

// timestampLayout is UTC ISO 8601 with milliseconds, as the UK API writes.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// jsonTime writes a time as a UTC timestamp with milliseconds, or null.
type jsonTime time.Time

// MarshalJSON implements json.Marshaler.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return appendTimestamp(make([]byte, 0, 26), tt), nil
}

func appendTimestamp(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, timestampLayout)
	return append(b, '"')
}

// jsonDate writes a "YYYY-MM-DD" date, or null when empty.
type jsonDate string

// MarshalJSON implements json.Marshaler.
func (d jsonDate) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return marshalJSON(string(d))
}

// nullString writes a string, or null when empty.
type nullString string

// MarshalJSON implements json.Marshaler.
func (s nullString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return marshalJSON(string(s))
}

type petitionDoc struct {
	Links linksSelf    `json:"links"`
	Data  petitionData `json:"data"`
}

type linksSelf struct {
	Self string `json:"self"`
}

type petitionData struct {
	Type       string             `json:"type"`
	ID         int64              `json:"id"`
	Links      linksSelf          `json:"links"`
	Attributes petitionAttributes `json:"attributes"`
}

type petitionAttributes struct {
	Action                       string               `json:"action"`
	Background                   string               `json:"background"`
	AdditionalDetails            string               `json:"additional_details"`
	CommitteeNote                nullString           `json:"committee_note"`
	State                        string               `json:"state"`
	SignatureCount               int64                `json:"signature_count"`
	ClosingDate                  *jsonDate            `json:"closing_date,omitempty"`
	CreatedAt                    jsonTime             `json:"created_at"`
	UpdatedAt                    jsonTime             `json:"updated_at"`
	RejectedAt                   jsonTime             `json:"rejected_at"`
	OpenedAt                     jsonTime             `json:"opened_at"`
	ClosedAt                     jsonTime             `json:"closed_at"`
	ModerationThresholdReachedAt jsonTime             `json:"moderation_threshold_reached_at"`
	ResponseThresholdReachedAt   jsonTime             `json:"response_threshold_reached_at"`
	GovernmentResponseAt         jsonTime             `json:"government_response_at"`
	DebateThresholdReachedAt     jsonTime             `json:"debate_threshold_reached_at"`
	DebateScheduledOn            jsonDate             `json:"debate_scheduled_on"`
	ScheduledDebateDate          jsonDate             `json:"scheduled_debate_date"`
	DebateOutcomeAt              jsonTime             `json:"debate_outcome_at"`
	CreatorName                  *string              `json:"creator_name"`
	Rejection                    *rejectionJSON       `json:"rejection"`
	GovernmentResponse           *responseJSON        `json:"government_response"`
	Debate                       *debateJSON          `json:"debate"`
	Departments                  []departmentJSON     `json:"departments"`
	Topics                       []string             `json:"topics"`
	SignaturesByCountry          *[]countryJSON       `json:"signatures_by_country,omitempty"`
	SignaturesByConstituency     *[]constituencyJSON  `json:"signatures_by_constituency,omitempty"`
	SignaturesByRegion           *[]regionJSON        `json:"signatures_by_region,omitempty"`
	OtherParliamentaryBusiness   *[]otherBusinessJSON `json:"other_parliamentary_business,omitempty"`
}

type rejectionJSON struct {
	Code    string     `json:"code"`
	Details nullString `json:"details"`
}

type responseJSON struct {
	RespondedOn jsonDate `json:"responded_on"`
	Summary     string   `json:"summary"`
	Details     string   `json:"details"`
	CreatedAt   jsonTime `json:"created_at"`
	UpdatedAt   jsonTime `json:"updated_at"`
}

type debateJSON struct {
	DebatedOn           jsonDate   `json:"debated_on"`
	TranscriptURL       nullString `json:"transcript_url"`
	VideoURL            nullString `json:"video_url"`
	DebatePackURL       nullString `json:"debate_pack_url"`
	PublicEngagementURL nullString `json:"public_engagement_url"`
	DebateSummaryURL    nullString `json:"debate_summary_url"`
	Overview            nullString `json:"overview"`
}

type departmentJSON struct {
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
	URL     string `json:"url"`
}

type countryJSON struct {
	Name           string `json:"name"`
	Code           string `json:"code"`
	SignatureCount int64  `json:"signature_count"`
}

type constituencyJSON struct {
	Name           string     `json:"name"`
	ONSCode        string     `json:"ons_code"`
	MP             nullString `json:"mp"`
	SignatureCount int64      `json:"signature_count"`
}

type regionJSON struct {
	Name           string `json:"name"`
	ONSCode        string `json:"ons_code"`
	SignatureCount int64  `json:"signature_count"`
}

type otherBusinessJSON struct {
	Subject    string   `json:"subject"`
	Body       string   `json:"body"`
	OccurredOn jsonDate `json:"occurred_on"`
	CreatedAt  jsonTime `json:"created_at"`
	UpdatedAt  jsonTime `json:"updated_at"`
}

// petitionURL is the canonical URL of a petition's JSON.
func petitionURL(base string, id int64) string {
	return base + "/petitions/" + strconv.FormatInt(id, 10) + ".json"
}

// petitionItem renders one petition in the list shape (no signatures_by_*).
func petitionItem(base string, s *projections.PetitionState) petitionData {
	a := petitionAttributes{
		Action: s.Action, Background: s.Background, AdditionalDetails: s.AdditionalDetails,
		CommitteeNote: nullString(s.CommitteeNote), State: s.State, SignatureCount: s.SignatureCount,
		CreatedAt: jsonTime(s.CreatedAt), UpdatedAt: jsonTime(s.UpdatedAt), RejectedAt: jsonTime(s.RejectedAt),
		OpenedAt: jsonTime(s.OpenedAt), ClosedAt: jsonTime(s.ClosedAt),
		ModerationThresholdReachedAt: jsonTime(s.ModerationThresholdReachedAt),
		ResponseThresholdReachedAt:   jsonTime(s.ResponseThresholdReachedAt),
		GovernmentResponseAt:         jsonTime(s.GovernmentResponseAt),
		DebateThresholdReachedAt:     jsonTime(s.DebateThresholdReachedAt),
		DebateScheduledOn:            jsonDate(s.DebateScheduledOn),
		ScheduledDebateDate:          jsonDate(s.ScheduledDebateDate),
		DebateOutcomeAt:              jsonTime(s.DebateOutcomeAt),
		Departments:                  make([]departmentJSON, 0, len(s.Departments)),
		Topics:                       append(make([]string, 0, len(s.Topics)), s.Topics...),
	}
	if s.State == "open" {
		d := jsonDate(s.ClosingDate)
		a.ClosingDate = &d
	}
	if s.Rejection != nil {
		a.Rejection = &rejectionJSON{Code: s.Rejection.Code, Details: nullString(s.Rejection.Details)}
	}
	if g := s.GovernmentResponse; g != nil {
		a.GovernmentResponse = &responseJSON{RespondedOn: jsonDate(g.RespondedOn), Summary: g.Summary,
			Details: g.Details, CreatedAt: jsonTime(g.CreatedAt), UpdatedAt: jsonTime(g.UpdatedAt)}
	}
	if d := s.Debate; d != nil {
		a.Debate = &debateJSON{DebatedOn: jsonDate(d.DebatedOn), TranscriptURL: nullString(d.TranscriptURL),
			VideoURL: nullString(d.VideoURL), DebatePackURL: nullString(d.DebatePackURL),
			PublicEngagementURL: nullString(d.PublicEngagementURL), DebateSummaryURL: nullString(d.DebateSummaryURL),
			Overview: nullString(d.Overview)}
	}
	for _, d := range s.Departments {
		a.Departments = append(a.Departments, departmentJSON(d))
	}
	self := petitionURL(base, s.ID)
	return petitionData{Type: "petition", ID: s.ID, Links: linksSelf{Self: self}, Attributes: a}
}

// petitionDocument renders the single-petition document: the list shape
// plus, for open and closed petitions, the signatures_by_* blocks and
// other_parliamentary_business.
func petitionDocument(base string, s *projections.PetitionState) petitionDoc {
	d := petitionItem(base, s)
	if s.State == "open" || s.State == "closed" {
		addBreakdowns(&d.Attributes, s)
	}
	return petitionDoc{Links: linksSelf{Self: d.Links.Self}, Data: d}
}

func addBreakdowns(a *petitionAttributes, s *projections.PetitionState) {
	countries := []countryJSON{}
	for _, c := range s.SignaturesByCountry() {
		countries = append(countries, countryJSON{Name: c.Name, Code: c.Code, SignatureCount: c.SignatureCount})
	}
	constituencies := []constituencyJSON{}
	for _, c := range s.SignaturesByConstituency() {
		constituencies = append(constituencies, constituencyJSON{Name: c.Name, ONSCode: c.ONSCode,
			MP: nullString(c.MP), SignatureCount: c.SignatureCount})
	}
	regions := []regionJSON{}
	for _, r := range s.SignaturesByRegion() {
		regions = append(regions, regionJSON{Name: r.Name, ONSCode: r.ONSCode, SignatureCount: r.SignatureCount})
	}
	business := []otherBusinessJSON{}
	for _, b := range s.OtherBusiness {
		business = append(business, otherBusinessJSON{Subject: b.Subject, Body: b.Body,
			OccurredOn: jsonDate(b.OccurredOn), CreatedAt: jsonTime(b.CreatedAt), UpdatedAt: jsonTime(b.UpdatedAt)})
	}
	a.SignaturesByCountry = &countries
	a.SignaturesByConstituency = &constituencies
	a.SignaturesByRegion = &regions
	a.OtherParliamentaryBusiness = &business
}

// appendCountJSON renders count.json by hand: it is the hottest endpoint.
// Keys: signature_count, response_threshold_reached_at,
// government_response_at, debate_threshold_reached_at,
// scheduled_debate_date, debate_outcome_at, debated.
func appendCountJSON(b []byte, s *projections.PetitionState) []byte {
	b = append(b, `{"signature_count":`...)
	b = strconv.AppendInt(b, s.SignatureCount, 10)
	b = appendTimeField(b, `,"response_threshold_reached_at":`, s.ResponseThresholdReachedAt)
	b = appendTimeField(b, `,"government_response_at":`, s.GovernmentResponseAt)
	b = appendTimeField(b, `,"debate_threshold_reached_at":`, s.DebateThresholdReachedAt)
	b = append(b, `,"scheduled_debate_date":`...)
	if s.ScheduledDebateDate == "" {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendQuote(b, s.ScheduledDebateDate)
	}
	b = appendTimeField(b, `,"debate_outcome_at":`, s.DebateOutcomeAt)
	b = append(b, `,"debated":`...)
	switch {
	case s.Debate == nil:
		b = append(b, "null"...)
	default:
		b = strconv.AppendBool(b, s.Debate.Debated)
	}
	return append(b, '}')
}

func appendTimeField(b []byte, key string, t time.Time) []byte {
	b = append(b, key...)
	if t.IsZero() {
		return append(b, "null"...)
	}
	return appendTimestamp(b, t)
}

// marshalJSON encodes v as JSON without HTML escaping ("&" stays "&", as
// the UK service writes it) and without a trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
