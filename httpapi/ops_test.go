package httpapi_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/httpapi"
)

func TestHealthAndReadiness(t *testing.T) {
	ready := errors.New("projections at 3 of 10")
	f := newFixture(t, func(c *httpapi.Config) { c.Ready = func() error { return ready } })
	if resp, body := f.do("GET", "/healthz", ""); resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.do("GET", "/readyz", ""); resp.StatusCode != 503 || !strings.Contains(string(body), "3 of 10") {
		t.Fatalf("readyz before catch-up: %d %s", resp.StatusCode, body)
	}
	ready = nil
	if resp, body := f.do("GET", "/readyz", ""); resp.StatusCode != 200 {
		t.Fatalf("readyz after catch-up: %d %s", resp.StatusCode, body)
	}
}

func TestMetricsExposeRequestsAppendsAndLag(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees")
	f.do("GET", "/petitions/1.json", "")
	f.do("POST", "/petitions/1/signatures", signerJSON)
	resp, body := f.do("GET", "/metrics", "")
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`petitionledger_http_request_duration_seconds_count{method="GET",route="petition",status="200"} 1`,
		`petitionledger_appends_total{command="sign"} 1`,
		`petitionledger_projection_position `,
		`petitionledger_projection_lag `,
		`petitionledger_live_subscribers 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	var logs syncBuffer
	f := newFixture(t, func(c *httpapi.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	f.ledger.err = errors.New("boom")
	f.do("POST", "/petitions/1/signatures", signerJSON, "Authorization", "Bearer "+moderatorToken)
	f.do("POST", "/admin/petitions/1/close", `{}`, "Authorization", "Bearer "+moderatorToken)
	out := logs.String()
	if !strings.Contains(out, "boom") {
		t.Fatalf("the internal error was not logged: %q", out)
	}
	if !strings.Contains(out, `"route":"close"`) {
		t.Fatalf("debug request log missing: %q", out)
	}
	f.do("GET", "/signatures/"+hexKeyA[:8]+"/verify?petition=1&signer=s&token=secret-token-value", "")
	out = logs.String()
	for _, secret := range []string{"ada@example.org", "Ada Lovelace", "SW1A", "127.0.0.1", moderatorToken, "secret-token-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}
