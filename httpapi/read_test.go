package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"github.com/petitionledger/petitionledger/httpapi"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

var gbA = domain.Location{Constituency: seatA.ONSCode, Country: "GB", Region: "E12000007"}

func TestPetitionReadHeaders(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	pos := f.sign(1, 1, gbA)
	resp, _ := f.do("GET", "/petitions/1.json", "")
	tests := []struct{ header, want string }{
		{"X-Ledger-Position", pos.String()},
		{"ETag", `"p-` + pos.String() + `"`},
		{"Cache-Control", "public, no-cache"},
		{"Access-Control-Allow-Origin", "*"},
		{"Content-Type", "application/json; charset=utf-8"},
	}
	for _, tt := range tests {
		if got := resp.Header.Get(tt.header); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestETagChangesWithTheCountAndRevalidates(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	f.sign(1, 1, gbA)
	for _, path := range []string{"/petitions/1.json", "/petitions/1/count.json", "/petitions/1/audit.json"} {
		t.Run(path, func(t *testing.T) {
			resp, _ := f.do("GET", path, "")
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			resp, body := f.do("GET", path, "", "If-None-Match", etag)
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Fatalf("revalidation: got %d %q, want 304 and no body", resp.StatusCode, body)
			}
			if resp.Header.Get("X-Ledger-Position") == "" {
				t.Error("304 without X-Ledger-Position")
			}
			f.sign(1, 100+len(path), gbA)
			resp, _ = f.do("GET", path, "", "If-None-Match", etag)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
				t.Fatalf("after a signature: got %d with ETag %s, want 200 and a new tag", resp.StatusCode, resp.Header.Get("ETag"))
			}
		})
	}
}

func TestCountFollowsSignatures(t *testing.T) {
	f := newFixture(t)
	f.openPetition(3, "Count me")
	for i := 1; i <= 4; i++ {
		f.sign(3, i, gbA)
		_, body := f.do("GET", "/petitions/3/count.json", "")
		var c struct {
			N int `json:"signature_count"`
		}
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		if c.N != i {
			t.Fatalf("after %d signatures: count %d", i, c.N)
		}
	}
}

func TestGzipWhenAccepted(t *testing.T) {
	f := newFixture(t)
	fullPetition(f, 5)
	_, plain := f.do("GET", "/petitions/5.json", "")
	req, _ := http.NewRequest("GET", f.srv.URL+"/petitions/5.json", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding: got %q, want gzip", got)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("gunzipped body differs from the plain one")
	}
}

func TestInvisiblePetitionsAreNotFound(t *testing.T) {
	f := newFixture(t)
	f.createPending(1, "Pending")
	f.openPetition(2, "Hidden by rejection")
	f.append(domain.PetitionStream(2), domain.PetitionRejected{PetitionID: 2, From: domain.StateOpen, Code: "offensive", Hidden: true, At: t0.Add(72 * time.Hour)})
	for _, path := range []string{"/petitions/1.json", "/petitions/1/count.json", "/petitions/1/audit.json", "/petitions/1/live",
		"/petitions/2.json", "/petitions/2/count.json", "/petitions/404.json", "/petitions/404/count.json"} {
		t.Run(path, func(t *testing.T) {
			resp, body := f.do("GET", path, "")
			mustProblem(t, resp, body, 404, domain.ECodePetitionNotFound, "")
		})
	}
	// The auditor sees any state.
	resp, body := f.do("GET", "/admin/petitions/1.json", "", "Authorization", "Bearer "+auditorToken)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"pending"`) {
		t.Fatalf("auditor read: %d %s", resp.StatusCode, body)
	}
}

func TestRejectedPetitionShape(t *testing.T) {
	f := newFixture(t)
	f.openPetition(4, "Rejected one")
	f.append(domain.PetitionStream(4), domain.PetitionRejected{PetitionID: 4, From: domain.StateOpen, Code: "duplicate",
		Details: "There is already a petition about this.", At: t0.Add(72 * time.Hour)})
	resp, body := f.do("GET", "/petitions/4.json", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var doc map[string]any
	_ = json.Unmarshal(body, &doc)
	attrs := doc["data"].(map[string]any)["attributes"].(map[string]any)
	checkShape(t, "rejected attributes", attrs, ukAttributes)
	checkShape(t, "rejection", attrs["rejection"].(map[string]any), ukRejection)
}

func TestBadPathsAndParameters(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	tests := []struct {
		path, code, field string
		status            int
	}{
		{"/petitions/abc.json", "invalid_parameter", "id", 400},
		{"/petitions/0.json", "invalid_parameter", "id", 400},
		{"/petitions/01.json", "invalid_parameter", "id", 400},
		{"/petitions/1.xml", "not_found", "", 404},
		{"/petitions/x/count.json", "invalid_parameter", "id", 400},
		{"/petitions.json?state=nope", "invalid_parameter", "state", 400},
		{"/petitions.json?page=0", "invalid_parameter", "page", 400},
		{"/petitions.json?page=100000", "invalid_parameter", "page", 400},
		{"/petitions.json?count=51", "invalid_parameter", "count", 400},
		{"/petitions.json?count=x", "invalid_parameter", "count", 400},
		{"/petitions/1/audit.json?count=0", "invalid_parameter", "count", 400},
		{"/petitions/1.json?as_of=yesterday", "invalid_parameter", "as_of", 400},
		{"/petitions/1.json?as_of=999999", "as_of_in_future", "as_of", 400},
		{"/petitions/1.json?as_of=2999-01-01T00:00:00Z", "as_of_in_future", "as_of", 400},
		{"/nowhere", "not_found", "", 404},
		{"/problems/no_such_code", "not_found", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.do("GET", tt.path, "")
			mustProblem(t, resp, body, tt.status, tt.code, tt.field)
			if resp.Header.Get("X-Ledger-Position") == "" {
				t.Error("problem without X-Ledger-Position")
			}
		})
	}
	t.Run("bad X-Ledger-Min-Position", func(t *testing.T) {
		resp, body := f.do("GET", "/petitions/1.json", "", "X-Ledger-Min-Position", "soon")
		mustProblem(t, resp, body, 400, "invalid_parameter", "X-Ledger-Min-Position")
	})
	t.Run("wrong method", func(t *testing.T) {
		resp, body := f.do("DELETE", "/petitions.json", "")
		mustProblem(t, resp, body, 405, "method_not_allowed", "")
	})
}

func TestProblemDocs(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("GET", "/problems/duplicate_signature", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "409") {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

type listPage struct {
	Links struct {
		Self, First, Last string
		Next, Prev        *string
	} `json:"links"`
	Data []struct {
		ID         int64 `json:"id"`
		Attributes struct {
			Action string `json:"action"`
			State  string `json:"state"`
		} `json:"attributes"`
	} `json:"data"`
}

func TestListPagingFollowsNextUntilNull(t *testing.T) {
	f := newFixture(t)
	for id := int64(1); id <= 7; id++ {
		f.openPetition(id, fmt.Sprintf("Petition number %d", id))
	}
	f.createPending(8, "Not public")
	var ids []int64
	next := "/petitions.json?count=3"
	pages := 0
	for next != "" {
		_, body := f.do("GET", next, "")
		var p listPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range p.Data {
			ids = append(ids, d.ID)
		}
		if p.Links.Last != "https://petitions.test/petitions.json?count=3&page=3" {
			t.Fatalf("last: %s", p.Links.Last)
		}
		next = ""
		if p.Links.Next != nil {
			next = strings.TrimPrefix(*p.Links.Next, "https://petitions.test")
		}
		if pages > 5 {
			t.Fatal("next never became null")
		}
	}
	if got, want := fmt.Sprint(ids), "[1 2 3 4 5 6 7]"; got != want || pages != 3 {
		t.Fatalf("ids: got %s in %d pages, want %s in 3", got, pages, want)
	}
}

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Save the hedgehogs")
	f.openPetition(2, "Build more railways")
	f.openPetition(3, "Save the railways")
	f.append(domain.PetitionStream(3), domain.PetitionClosed{PetitionID: 3, Reason: domain.CloseEarly, At: t0.Add(30 * 24 * time.Hour)})
	f.openPetition(4, "Rejected")
	f.append(domain.PetitionStream(4), domain.PetitionRejected{PetitionID: 4, From: domain.StateOpen, Code: "duplicate", At: t0.Add(72 * time.Hour)})
	f.append(domain.PetitionStream(2), domain.GovernmentResponded{PetitionID: 2, Summary: "No.", Details: "d",
		RespondedOn: "2022-01-01", Department: domain.Department{Name: "DfT"}, At: t0.Add(40 * 24 * time.Hour)})
	tests := []struct{ query, want string }{
		{"", "[1 2 3 4]"},
		{"state=open", "[1 2]"},
		{"state=closed", "[3]"},
		{"state=rejected", "[4]"},
		{"state=with_response", "[2]"},
		{"q=save", "[1 3]"},
		{"q=SAVE+railways", "[3]"},
		{"state=open&q=railways", "[2]"},
		{"topic=transport", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, body := f.do("GET", "/petitions.json?"+tt.query, "")
			var p listPage
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, d := range p.Data {
				ids = append(ids, d.ID)
			}
			if got := fmt.Sprint(ids); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAsOfReadsThePast(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	p1 := f.sign(1, 1, gbA)
	f.sign(1, 2, gbA)
	f.sign(1, 3, gbA)
	tests := []struct {
		asOf string
		want int
	}{
		{p1.String(), 1},
		{t0.Add(48*time.Hour + 2*time.Second + time.Minute).Format(time.RFC3339Nano), 2},
	}
	for _, tt := range tests {
		t.Run(tt.asOf, func(t *testing.T) {
			for _, path := range []string{"/petitions/1/count.json", "/petitions/1.json"} {
				resp, body := f.do("GET", path+"?as_of="+tt.asOf, "")
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
				}
				if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
					t.Errorf("%s: Cache-Control %q, want immutable", path, got)
				}
				if !strings.Contains(string(body), fmt.Sprintf(`"signature_count":%d`, tt.want)) {
					t.Errorf("%s: want count %d in %s", path, tt.want, body)
				}
			}
		})
	}
}

func TestMinPositionWaitsForTheProjections(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	pos := f.sign(1, 1, gbA)
	resp, body := f.do("GET", "/petitions/1/count.json", "", "X-Ledger-Min-Position", pos.String())
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"signature_count":1`) {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

func TestAuditTrail(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	f.sign(1, 1, gbA)
	f.sign(1, 2, gbA)
	_, body := f.do("GET", "/petitions/1/audit.json?count=2", "")
	var doc struct {
		Links listPage `json:"-"`
		Meta  struct {
			Total int `json:"total"`
		} `json:"meta"`
		Data []struct {
			Position  string `json:"position"`
			At        string `json:"at"`
			EventType string `json:"event_type"`
			Delta     int    `json:"delta"`
			Hash      string `json:"hash"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) != 2 || doc.Meta.Total < 4 {
		t.Fatalf("got %d entries of %d: %s", len(doc.Data), doc.Meta.Total, body)
	}
	if doc.Data[0].EventType != domain.TypePetitionCreated || !timestampPattern.MatchString(doc.Data[0].At) || len(doc.Data[0].Hash) != 64 {
		t.Fatalf("first entry: %+v", doc.Data[0])
	}
	if strings.Contains(string(body), "@") {
		t.Fatal("audit trail holds something like an email address")
	}
}

func TestConstituencies(t *testing.T) {
	f := newFixture(t)
	_, body := f.do("GET", "/constituencies.json", "")
	var rows []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Member *struct {
			Name string `json:"name"`
		} `json:"member"`
		Region struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"region"`
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].ID != seatA.ONSCode || rows[0].Member == nil || rows[0].Member.Name != seatA.MP ||
		rows[0].Region.Name != "London" || rows[2].Member != nil {
		t.Fatalf("got %s", body)
	}
}

func TestCORSPreflight(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.do("OPTIONS", "/petitions.json", "")
	if resp.StatusCode != 204 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("got %d %v", resp.StatusCode, resp.Header)
	}
}

func TestTextIsNotHTMLEscaped(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Cats & dogs <together>")
	_, body := f.do("GET", "/petitions/1.json", "")
	if !strings.Contains(string(body), `"action":"Cats & dogs <together>"`) {
		t.Fatalf("action escaped: %s", body)
	}
	_, body = f.do("GET", "/petitions.json?count=1&q=cats", "")
	if !strings.Contains(string(body), "count=1&page=1") {
		t.Fatalf("links escaped: %s", body)
	}
}

func TestMinPositionNotReachedIsRetryable(t *testing.T) {
	f := newFixture(t, func(c *httpapi.Config) { c.MinPositionWait = 20 * time.Millisecond })
	f.openPetition(1, "Plant more trees")
	resp, body := f.do("GET", "/petitions/1/count.json", "", "X-Ledger-Min-Position", "999999")
	mustProblem(t, resp, body, 503, "position_not_reached", "X-Ledger-Min-Position")
}
