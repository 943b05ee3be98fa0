package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/httpapi"
)

const signerJSON = `{"name":"Ada Lovelace","email":"ada@example.org","postcode":"SW1A 1AA","country":"GB","notify_by_email":true}`

var signerInput = domain.SignerInput{Name: "Ada Lovelace", Email: "ada@example.org", Postcode: "SW1A 1AA",
	Country: "GB", IP: "127.0.0.1", NotifyByEmail: true}

// TestWriteRoutesPassTheCommand checks that every write route decodes its
// body into the right command, answers with a receipt and the position.
func TestWriteRoutesPassTheCommand(t *testing.T) {
	sigID := uuid.MustParse("6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162")
	tests := []struct {
		name, path, token, body string
		status                  int
		wantCall                call
	}{
		{"create", "/petitions", "", `{"action":"Plant trees","background":"Because.","additional_details":"More.","creator":` + signerJSON + `}`,
			201, call{"create", 0, domain.CreatePetition{Action: "Plant trees", Background: "Because.", AdditionalDetails: "More.", Creator: signerInput}}},
		{"sponsor", "/petitions/12/sponsors", "", signerJSON, 202, call{"sponsor", 12, signArg{signerInput, uuid.Nil}}},
		{"sign", "/petitions/12/signatures", "", signerJSON, 202, call{"sign", 12, signArg{signerInput, uuid.Nil}}},
		{"validate", "/signatures/" + sigID.String() + "/verify?petition=12&signer=" + hexKeyA + "&token=t0k", "", "", 200,
			call{"validate", 12, httpapi.SignatureLink{PetitionID: 12, SignerKey: hexKeyA, SignatureID: sigID, Token: "t0k"}}},
		{"moderate", "/admin/petitions/12/moderation", moderatorToken, `{"outcome":"reject","code":"duplicate","details":"Dup."}`, 200,
			call{"moderate", 12, domain.Moderation{Outcome: "reject", Code: "duplicate", Details: "Dup."}}},
		{"close", "/admin/petitions/12/close", moderatorToken, `{"reason":"early"}`, 200, call{"close", 12, domain.CloseEarly}},
		{"respond", "/admin/petitions/12/government-response", governmentToken,
			`{"summary":"S","details":"D","responded_on":"2022-03-21","department":{"acronym":"CO","name":"Cabinet Office","url":"https://gov.uk/co"}}`, 200,
			call{"respond", 12, domain.GovernmentResponse{Summary: "S", Details: "D", RespondedOn: "2022-03-21",
				Department: domain.Department{Acronym: "CO", Name: "Cabinet Office", URL: "https://gov.uk/co"}}}},
		{"schedule debate", "/admin/petitions/12/debate", committeeToken, `{"debate_date":"2022-05-25"}`, 200, call{"schedule_debate", 12, "2022-05-25"}},
		{"debate outcome", "/admin/petitions/12/debate-outcome", committeeToken,
			`{"debated":true,"debated_on":"2022-05-25","transcript_url":"https://hansard.parliament.uk/x","video_url":"https://parliamentlive.tv/y","overview":"O"}`, 200,
			call{"debate_outcome", 12, domain.DebateOutcome{Debated: true, DebatedOn: "2022-05-25",
				TranscriptURL: "https://hansard.parliament.uk/x", VideoURL: "https://parliamentlive.tv/y", Overview: "O"}}},
		{"other business", "/admin/petitions/12/other-business", committeeToken, `{"subject":"S","body":"B","occurred_on":"2022-05-25"}`, 200,
			call{"other_business", 12, domain.OtherBusiness{Subject: "S", Body: "B", OccurredOn: "2022-05-25"}}},
		{"invalidate", "/admin/invalidations", moderatorToken, `{"petition_id":12,"ip":"10.0.0.0/24","created_after":"2022-01-01T00:00:00Z","reason":"bot"}`, 200,
			call{"invalidate", 12, domain.InvalidationRequest{PetitionID: 12, IP: "10.0.0.0/24",
				CreatedAfter: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), Reason: "bot"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			method := "POST"
			if tt.name == "validate" {
				method = "GET"
			}
			var hdr []string
			if tt.token != "" {
				hdr = []string{"Authorization", "Bearer " + tt.token}
			}
			resp, body := f.do(method, tt.path, tt.body, hdr...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status: got %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if got := f.ledger.last(); !reflect.DeepEqual(got, tt.wantCall) {
				t.Fatalf("command:\n got  %+v\n want %+v", got, tt.wantCall)
			}
			var rc map[string]any
			if err := json.Unmarshal(body, &rc); err != nil {
				t.Fatal(err)
			}
			if rc["position"] != "10" || resp.Header.Get("X-Ledger-Position") != "10" {
				t.Fatalf("receipt position: %s / header %q", body, resp.Header.Get("X-Ledger-Position"))
			}
			if tt.name == "sign" && (rc["signature_id"] == nil || rc["event_id"] == nil) {
				t.Fatalf("sign receipt lacks signature_id or event_id: %s", body)
			}
			if tt.name == "invalidate" && (rc["matching_count"] != float64(7) || rc["invalidated_count"] != float64(5)) {
				t.Fatalf("invalidation receipt: %s", body)
			}
		})
	}
}

func TestIdempotencyKeyReachesTheLedger(t *testing.T) {
	f := newFixture(t)
	key := uuid.New()
	f.do("POST", "/petitions/3/signatures", signerJSON, "Idempotency-Key", key.String())
	if got := f.ledger.last().Arg.(signArg).EventID; got != key {
		t.Fatalf("event id: got %s, want %s", got, key)
	}
	resp, body := f.do("POST", "/petitions/3/signatures", signerJSON, "Idempotency-Key", "not-a-uuid")
	mustProblem(t, resp, body, 400, "invalid_parameter", "Idempotency-Key")
}

func TestAdminAuth(t *testing.T) {
	tests := []struct {
		name, auth, code string
		status           int
	}{
		{"no token", "", "unauthorized", 401},
		{"not bearer", "Basic " + moderatorToken, "unauthorized", 401},
		{"empty bearer", "Bearer ", "unauthorized", 401},
		{"unknown token", "Bearer wrong-token-0123456789", "unauthorized", 401},
		{"wrong role", "Bearer " + governmentToken, "forbidden", 403},
	}
	routes := []string{"/admin/petitions/1/moderation", "/admin/petitions/1/close", "/admin/invalidations"}
	for _, tt := range tests {
		for _, route := range routes {
			t.Run(tt.name+" "+route, func(t *testing.T) {
				f := newFixture(t)
				var hdr []string
				if tt.auth != "" {
					hdr = []string{"Authorization", tt.auth}
				}
				resp, body := f.do("POST", route, `{"outcome":"publish"}`, hdr...)
				mustProblem(t, resp, body, tt.status, tt.code, "")
				if f.ledger.count() != 0 {
					t.Fatal("the ledger was called without authorization")
				}
			})
		}
	}
	t.Run("each role its routes", func(t *testing.T) {
		f := newFixture(t)
		cases := []struct{ route, token string }{
			{"/admin/petitions/1/government-response", committeeToken},
			{"/admin/petitions/1/debate", governmentToken},
			{"/admin/petitions/1/other-business", moderatorToken},
			{"/admin/petitions/1/debate-outcome", auditorToken},
		}
		for _, c := range cases {
			resp, body := f.do("POST", c.route, `{}`, "Authorization", "Bearer "+c.token)
			mustProblem(t, resp, body, 403, "forbidden", "")
		}
		resp, body := f.do("GET", "/admin/petitions/1.json", "", "Authorization", "Bearer "+moderatorToken)
		mustProblem(t, resp, body, 403, "forbidden", "")
	})
}

func TestBadBodies(t *testing.T) {
	tests := []struct {
		name, body, contentType, code, field string
		status                               int
	}{
		{"unknown field", `{"name":"A","email":"a@b.c","country":"GB","postcode":"x","age":3}`, "application/json", "unknown_field", "age", 400},
		{"wrong type", `{"name":5}`, "application/json", "wrong_type", "name", 400},
		{"malformed", `{"name":`, "application/json", "malformed_json", "", 400},
		{"empty", ``, "application/json", "malformed_json", "", 400},
		{"two values", `{"name":"a"}{"name":"b"}`, "application/json", "malformed_json", "", 400},
		{"not json", `name=a`, "application/x-www-form-urlencoded", "unsupported_media_type", "", 415},
		{"too large", `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, "application/json", "body_too_large", "", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			req, _ := http.NewRequest("POST", f.srv.URL+"/petitions/1/signatures", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = fmt.Fprint(&b, "")
			body := make([]byte, 4096)
			n, _ := resp.Body.Read(body)
			mustProblem(t, resp, body[:n], tt.status, tt.code, tt.field)
			if f.ledger.count() != 0 {
				t.Fatal("the ledger was called with a bad body")
			}
		})
	}
	t.Run("nested wrong type names the path", func(t *testing.T) {
		f := newFixture(t)
		resp, body := f.do("POST", "/petitions", `{"action":"a","creator":{"name":1}}`)
		mustProblem(t, resp, body, 400, "wrong_type", "creator.name")
	})
	t.Run("bad time", func(t *testing.T) {
		f := newFixture(t)
		resp, body := f.do("POST", "/admin/invalidations", `{"petition_id":1,"created_before":"last week"}`, "Authorization", "Bearer "+moderatorToken)
		mustProblem(t, resp, body, 422, domain.ECodeInvalidDate, "created_before")
	})
	t.Run("bad close reason", func(t *testing.T) {
		f := newFixture(t)
		resp, body := f.do("POST", "/admin/petitions/1/close", `{"reason":"bored"}`, "Authorization", "Bearer "+moderatorToken)
		mustProblem(t, resp, body, 422, domain.EINVALID, "reason")
	})
	t.Run("moderation without outcome", func(t *testing.T) {
		f := newFixture(t)
		resp, body := f.do("POST", "/admin/petitions/1/moderation", `{}`, "Authorization", "Bearer "+moderatorToken)
		mustProblem(t, resp, body, 422, domain.ECodeRequired, "outcome")
	})
	t.Run("verify link missing its token", func(t *testing.T) {
		f := newFixture(t)
		resp, body := f.do("GET", "/signatures/"+uuid.NewString()+"/verify?petition=1&signer="+hexKeyA, "")
		mustProblem(t, resp, body, 422, domain.ECodeRequired, "token")
	})
	t.Run("verify link with a bad signature id", func(t *testing.T) {
		f := newFixture(t)
		resp, body := f.do("GET", "/signatures/zzz/verify?petition=1&signer=a&token=b", "")
		mustProblem(t, resp, body, 403, domain.ECodeInvalidToken, "signature_id")
	})
}

// TestDomainErrorsMapToProblems checks the one code → status table with the
// ledger's typed errors, and that a field survives.
func TestDomainErrorsMapToProblems(t *testing.T) {
	tests := []struct {
		err          error
		status       int
		code, field  string
		detailSecret string // must not leak
	}{
		{domain.Errorf(domain.ECodeFieldTooLong, "action", "Action is too long."), 422, domain.ECodeFieldTooLong, "action", ""},
		{domain.Errorf(domain.ECodeInvalidPostcode, "postcode", "Enter a real UK postcode."), 422, domain.ECodeInvalidPostcode, "postcode", ""},
		{domain.Errorf(domain.ECodePetitionNotFound, "", "No such petition."), 404, domain.ECodePetitionNotFound, "", ""},
		{domain.Errorf(domain.ECodeDuplicateSignature, "email", "Already signed."), 409, domain.ECodeDuplicateSignature, "email", ""},
		{domain.Errorf(domain.ECodePetitionClosed, "", "Closed."), 409, domain.ECodePetitionClosed, "", ""},
		{domain.Errorf(domain.ECodeInvalidToken, "token", "Broken link."), 403, domain.ECodeInvalidToken, "token", ""},
		{domain.Errorf(domain.ECodeValidationExpired, "", "Too late."), 410, domain.ECodeValidationExpired, "", ""},
		{fmt.Errorf("append: %w", eventstore.ErrUnavailable), 503, "unavailable", "", "append"},
		{fmt.Errorf("disk at /secret/path: boom"), 500, "internal", "", "/secret/path"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := newFixture(t)
			f.ledger.err = tt.err
			resp, body := f.do("POST", "/petitions/1/signatures", signerJSON)
			mustProblem(t, resp, body, tt.status, tt.code, tt.field)
			if tt.detailSecret != "" && strings.Contains(string(body), tt.detailSecret) {
				t.Fatalf("problem leaks internals: %s", body)
			}
		})
	}
}

func TestPublicWritesAreRateLimitedPerAddress(t *testing.T) {
	f := newFixture(t, func(c *httpapi.Config) { c.PublicWrites = httpapi.RateLimit{Rate: 0.001, Burst: 2} })
	for i := 0; i < 2; i++ {
		if resp, body := f.do("POST", "/petitions/1/signatures", signerJSON); resp.StatusCode != 202 {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := f.do("POST", "/petitions/1/signatures", signerJSON)
	mustProblem(t, resp, body, 429, "rate_limited", "")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if f.ledger.count() != 2 {
		t.Fatalf("ledger calls: got %d, want 2", f.ledger.count())
	}
	// Reads and admin writes are not limited.
	if resp, _ := f.do("GET", "/petitions.json", ""); resp.StatusCode != 200 {
		t.Fatalf("read after limit: %d", resp.StatusCode)
	}
	if resp, _ := f.do("POST", "/admin/petitions/1/close", `{}`, "Authorization", "Bearer "+moderatorToken); resp.StatusCode != 200 {
		t.Fatalf("admin write after limit: %d", resp.StatusCode)
	}
}

func TestTrustProxyUsesForwardedAddress(t *testing.T) {
	f := newFixture(t, func(c *httpapi.Config) { c.TrustProxy = true })
	f.do("POST", "/petitions/1/signatures", signerJSON, "X-Forwarded-For", "203.0.113.9, 198.51.100.7")
	if got := f.ledger.last().Arg.(signArg).In.IP; got != "198.51.100.7" {
		t.Fatalf("client IP: got %q, want the last forwarded address", got)
	}
	g := newFixture(t)
	g.do("POST", "/petitions/1/signatures", signerJSON, "X-Forwarded-For", "203.0.113.9")
	if got := g.ledger.last().Arg.(signArg).In.IP; got != "127.0.0.1" {
		t.Fatalf("client IP without trust: got %q, want the peer", got)
	}
}

func TestVerifyAcceptsPOST(t *testing.T) {
	f := newFixture(t)
	sig := uuid.New()
	resp, body := f.do("POST", "/signatures/"+sig.String()+"/verify?petition=3&signer="+hexKeyA+"&token=abc", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	want := httpapi.SignatureLink{PetitionID: 3, SignerKey: hexKeyA, SignatureID: sig, Token: "abc"}
	if got := f.ledger.last().Arg; got != want {
		t.Fatalf("link: got %+v, want %+v", got, want)
	}
	resp, body = f.do("GET", "/signatures/"+sig.String()+"/verify?petition=x&signer=a&token=b", "")
	mustProblem(t, resp, body, 403, domain.ECodeInvalidToken, "petition")
}
