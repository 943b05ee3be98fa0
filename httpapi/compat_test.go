package httpapi_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/domain"
)

// The UK petitions JSON API shape, written from
// /work/shared/docs/uk-petitions-facts.md, independently of the encoder:
// each key with the JSON kinds it may take ("null" where the UK service
// writes null).
var ukAttributes = map[string][]string{
	"action": {"string"}, "background": {"string"}, "additional_details": {"string"},
	"committee_note": {"string", "null"}, "state": {"string"}, "signature_count": {"number"},
	"created_at": {"timestamp"}, "updated_at": {"timestamp"},
	"rejected_at": {"timestamp", "null"}, "opened_at": {"timestamp", "null"}, "closed_at": {"timestamp", "null"},
	"moderation_threshold_reached_at": {"timestamp", "null"}, "response_threshold_reached_at": {"timestamp", "null"},
	"government_response_at": {"timestamp", "null"}, "debate_threshold_reached_at": {"timestamp", "null"},
	"debate_scheduled_on": {"date", "null"}, "scheduled_debate_date": {"date", "null"},
	"debate_outcome_at": {"timestamp", "null"}, "creator_name": {"string", "null"},
	"rejection": {"object", "null"}, "government_response": {"object", "null"}, "debate": {"object", "null"},
	"departments": {"array"}, "topics": {"array"},
}

// Keys present only while open, and only on the single-petition endpoint
// for open or closed petitions.
var (
	ukOpenOnly       = map[string][]string{"closing_date": {"date"}}
	ukSinglePetition = map[string][]string{"signatures_by_country": {"array"}, "signatures_by_constituency": {"array"}, "signatures_by_region": {"array"}, "other_parliamentary_business": {"array"}}
	ukRejection      = map[string][]string{"code": {"string"}, "details": {"string", "null"}}
	ukResponse       = map[string][]string{"responded_on": {"date"}, "summary": {"string"}, "details": {"string"}, "created_at": {"timestamp"}, "updated_at": {"timestamp"}}
	ukDebate         = map[string][]string{"debated_on": {"date", "null"}, "transcript_url": {"string", "null"}, "video_url": {"string", "null"}, "debate_pack_url": {"string", "null"}, "public_engagement_url": {"string", "null"}, "debate_summary_url": {"string", "null"}, "overview": {"string", "null"}}
	ukDepartment     = map[string][]string{"acronym": {"string"}, "name": {"string"}, "url": {"string"}}
	ukByCountry      = map[string][]string{"name": {"string"}, "code": {"string"}, "signature_count": {"number"}}
	ukByConstituency = map[string][]string{"name": {"string"}, "ons_code": {"string"}, "mp": {"string", "null"}, "signature_count": {"number"}}
	ukByRegion       = map[string][]string{"name": {"string"}, "ons_code": {"string"}, "signature_count": {"number"}}
	ukOtherBusiness  = map[string][]string{"subject": {"string"}, "body": {"string"}, "occurred_on": {"date"}, "created_at": {"timestamp"}, "updated_at": {"timestamp"}}
	ukCount          = map[string][]string{"signature_count": {"number"}, "response_threshold_reached_at": {"timestamp", "null"}, "government_response_at": {"timestamp", "null"}, "debate_threshold_reached_at": {"timestamp", "null"}, "scheduled_debate_date": {"date", "null"}, "debate_outcome_at": {"timestamp", "null"}, "debated": {"boolean", "null"}}
	timestampPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	datePattern      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func merge(ms ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// kindOf names a decoded JSON value's kind, telling timestamps and dates
// apart from other strings.
func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		switch {
		case timestampPattern.MatchString(x):
			return "timestamp"
		case datePattern.MatchString(x):
			return "date"
		}
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// checkShape reports every missing, extra or mistyped key of obj.
func checkShape(t *testing.T, where string, obj map[string]any, want map[string][]string) {
	t.Helper()
	var problems []string
	for k, kinds := range want {
		v, ok := obj[k]
		if !ok {
			problems = append(problems, "missing "+k)
			continue
		}
		got := kindOf(v)
		if got == "date" || got == "timestamp" {
			// a date or timestamp is also a string for "string" keys
			if contains(kinds, "string") && !contains(kinds, got) {
				got = "string"
			}
		}
		if !contains(kinds, got) {
			problems = append(problems, fmt.Sprintf("%s: got %s %v, want one of %v", k, got, v, kinds))
		}
	}
	for k := range obj {
		if _, ok := want[k]; !ok {
			problems = append(problems, "unexpected key "+k)
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Errorf("%s:\n  %s", where, strings.Join(problems, "\n  "))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func objects(t *testing.T, v any) []map[string]any {
	t.Helper()
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("not an array: %v", v)
	}
	var out []map[string]any
	for _, x := range arr {
		out = append(out, x.(map[string]any))
	}
	return out
}

// fullPetition builds an open petition with every block filled.
func fullPetition(f *fixture, id int64) {
	f.openPetition(id, "Hold a public inquiry into Russian interference in UK politics")
	f.sign(id, 1, domain.Location{Constituency: seatA.ONSCode, Country: "GB", Region: "E12000007"})
	f.sign(id, 2, domain.Location{Constituency: seatB.ONSCode, Country: "GB", Region: "E12000007"})
	f.sign(id, 3, domain.Location{Constituency: seatC.ONSCode, Country: "GB", Region: "S92000003"})
	f.sign(id, 4, domain.Location{Country: "FR"})
	f.sign(id, 5, domain.Location{Country: "DE"})
	f.append(domain.PetitionStream(id),
		domain.GovernmentResponded{PetitionID: id, Summary: "The Government has responded.", Details: "Details.",
			RespondedOn: "2022-03-21", Department: domain.Department{Acronym: "CO", Name: "Cabinet Office",
				URL: "https://www.gov.uk/government/organisations/cabinet-office"}, At: t0.Add(100 * 24 * 3600e9)},
		domain.DebateScheduled{PetitionID: id, DebateDate: "2022-05-25", At: t0.Add(101 * 24 * 3600e9)},
		domain.DebateOutcomeRecorded{PetitionID: id, Debated: true, DebatedOn: "2022-05-25",
			TranscriptURL: "https://hansard.parliament.uk/x", VideoURL: "https://parliamentlive.tv/y",
			Overview: "MPs debated it.", At: t0.Add(102 * 24 * 3600e9)},
		domain.OtherBusinessAdded{PetitionID: id, Subject: "Westminster Hall debate on foreign lobbying",
			Body: "MPs debated foreign lobbying in the UK.", OccurredOn: "2022-05-25", At: t0.Add(103 * 24 * 3600e9)})
}

// getObject fetches path, wants 200 and a JSON object, and returns the
// body and the object.
func (f *fixture) getObject(path string) ([]byte, map[string]any) {
	f.t.Helper()
	resp, body := f.do("GET", path, "")
	if resp.StatusCode != 200 {
		f.t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		f.t.Fatalf("GET %s: not a JSON object: %v: %s", path, err, body)
	}
	return body, doc
}

func TestPetitionJSONMatchesUKShape(t *testing.T) {
	f := newFixture(t)
	fullPetition(f, 601932)
	_, doc := f.getObject("/petitions/601932.json")
	checkShape(t, "document", doc, map[string][]string{"links": {"object"}, "data": {"object"}})
	checkShape(t, "links", doc["links"].(map[string]any), map[string][]string{"self": {"string"}})
	data := doc["data"].(map[string]any)
	checkShape(t, "data", data, map[string][]string{"type": {"string"}, "id": {"number"}, "links": {"object"}, "attributes": {"object"}})
	if data["type"] != "petition" || data["id"] != float64(601932) {
		t.Errorf("type/id: got %v/%v", data["type"], data["id"])
	}
	if got, want := doc["links"].(map[string]any)["self"], "https://petitions.test/petitions/601932.json"; got != want {
		t.Errorf("links.self: got %v, want %v", got, want)
	}
	attrs := data["attributes"].(map[string]any)
	checkShape(t, "attributes", attrs, merge(ukAttributes, ukOpenOnly, ukSinglePetition))
	checkShape(t, "government_response", attrs["government_response"].(map[string]any), ukResponse)
	checkShape(t, "debate", attrs["debate"].(map[string]any), ukDebate)
	for _, list := range []struct {
		field string
		shape map[string][]string
	}{
		{"departments", ukDepartment},
		{"signatures_by_country", ukByCountry},
		{"signatures_by_constituency", ukByConstituency},
		{"signatures_by_region", ukByRegion},
		{"other_parliamentary_business", ukOtherBusiness},
	} {
		for _, o := range objects(t, attrs[list.field]) {
			checkShape(t, list.field+"[]", o, list.shape)
		}
	}
	if attrs["creator_name"] != nil {
		t.Errorf("creator_name must stay null (personal data): got %v", attrs["creator_name"])
	}
	if got := attrs["signature_count"]; got != float64(5) {
		t.Errorf("signature_count: got %v, want 5", got)
	}
}

func TestPetitionJSONBreakdownsSorted(t *testing.T) {
	f := newFixture(t)
	fullPetition(f, 7)
	_, body := f.do("GET", "/petitions/7.json", "")
	var doc struct {
		Data struct {
			Attributes struct {
				Countries []struct {
					Name  string `json:"name"`
					Code  string `json:"code"`
					Count int    `json:"signature_count"`
				} `json:"signatures_by_country"`
				Constituencies []struct {
					ONS   string  `json:"ons_code"`
					MP    *string `json:"mp"`
					Count int     `json:"signature_count"`
				} `json:"signatures_by_constituency"`
				Regions []struct {
					ONS   string `json:"ons_code"`
					Name  string `json:"name"`
					Count int    `json:"signature_count"`
				} `json:"signatures_by_region"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Data.Attributes
	var countries, seats, regions []string
	for _, c := range a.Countries {
		countries = append(countries, fmt.Sprintf("%s:%s:%d", c.Name, c.Code, c.Count))
	}
	for _, c := range a.Constituencies {
		seats = append(seats, fmt.Sprintf("%s:%d", c.ONS, c.Count))
	}
	for _, r := range a.Regions {
		regions = append(regions, fmt.Sprintf("%s:%s:%d", r.ONS, r.Name, r.Count))
	}
	tests := []struct{ name, got, want string }{
		{"countries by name", strings.Join(countries, ","), "France:FR:1,Germany:DE:1,United Kingdom:GB:3"},
		{"constituencies by ONS code", strings.Join(seats, ","), "E14000530:1,E14000639:1,S14000021:1"},
		{"regions by ONS code", strings.Join(regions, ","), "E12000007:London:2,S92000003:Scotland:1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	if len(a.Constituencies) == 3 && a.Constituencies[2].MP != nil {
		t.Errorf("vacant seat's mp: got %q, want null", *a.Constituencies[2].MP)
	}
}

func TestCountJSONMatchesUKShape(t *testing.T) {
	f := newFixture(t)
	fullPetition(f, 9)
	body, doc := f.getObject("/petitions/9/count.json")
	checkShape(t, "count", doc, ukCount)
	if doc["signature_count"] != float64(5) || doc["debated"] != true || doc["scheduled_debate_date"] != "2022-05-25" {
		t.Errorf("values: %s", body)
	}
}

func TestListItemsHaveNoBreakdowns(t *testing.T) {
	f := newFixture(t)
	fullPetition(f, 11)
	_, body := f.do("GET", "/petitions.json", "")
	var doc struct {
		Links map[string]any   `json:"links"`
		Data  []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	checkShape(t, "list links", doc.Links, map[string][]string{"self": {"string"}, "first": {"string"},
		"last": {"string"}, "next": {"string", "null"}, "prev": {"string", "null"}})
	if len(doc.Data) != 1 {
		t.Fatalf("items: got %d, want 1", len(doc.Data))
	}
	checkShape(t, "list item attributes", doc.Data[0]["attributes"].(map[string]any), merge(ukAttributes, ukOpenOnly))
}
