package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/petitionledger/petitionledger/httpapi/web"
)

const (
	barnsleyNorth = "E14001074"
	bethnalGreen  = "E14001086"
)

func TestPetitionPageRendersCountMapAndTable(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Hold a public inquiry into Russian interference in UK politics", "Background text.")
	for i := range 3 {
		f.sign(1, i, bethnalGreen)
	}
	f.sign(1, 10, barnsleyNorth)

	resp, page := f.get("/petition/1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkWellFormed(t, page)
	doc := parse(t, page)
	if got, want := text(byID(doc, "signature-count")), "4"; got != want {
		t.Errorf("count %q, want %q", got, want)
	}
	hexes := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "class") == "hex" })
	if len(hexes) != 650 {
		t.Fatalf("map has %d hexes, want 650", len(hexes))
	}
	for _, h := range hexes {
		if attr(h, "aria-label") == "" || len(findAll(h, func(n *html.Node) bool { return n.Data == "title" })) != 1 {
			t.Fatalf("hex %s lacks aria-label or <title>", attr(h, "data-code"))
		}
	}
	// No-JS content: action, background, thresholds, legend, table.
	mustContain(t, page, "Hold a public inquiry", "Background text.", `id="progress-response"`,
		`max="10000" value="4"`, `max="100000" value="4"`, `class="legend"`, "Open petition")

	// The table carries the same counts as the JSON API, most first.
	rows := findAll(byID(doc, "constituency-table"), func(n *html.Node) bool { return n.Data == "tr" && attr(n, "data-code") != "" })
	if len(rows) != 650 {
		t.Fatalf("table has %d rows, want 650", len(rows))
	}
	table := map[string]int64{}
	for _, r := range rows {
		cells := findAll(r, func(n *html.Node) bool { return n.Data == "td" })
		v, err := strconv.ParseInt(attr(cells[2], "data-value"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		table[attr(r, "data-code")] = v
	}
	if got := attr(rows[0], "data-code"); got != bethnalGreen {
		t.Errorf("first row %s, want %s (most signatures first)", got, bethnalGreen)
	}
	_, body := f.get("/petitions/1.json")
	var j struct {
		Data struct {
			Attributes struct {
				SignatureCount int64 `json:"signature_count"`
				ByConst        []struct {
					Code  string `json:"ons_code"`
					Count int64  `json:"signature_count"`
				} `json:"signatures_by_constituency"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, c := range j.Data.Attributes.ByConst {
		if table[c.Code] != c.Count {
			t.Errorf("%s: table %d, JSON %d", c.Code, table[c.Code], c.Count)
		}
		sum += c.Count
	}
	var tableSum int64
	for _, v := range table {
		tableSum += v
	}
	if tableSum != sum || sum != 4 {
		t.Errorf("table total %d, JSON total %d, want 4", tableSum, sum)
	}
	_, countBody := f.get("/petitions/1/count.json")
	if !strings.Contains(countBody, `"signature_count":4`) {
		t.Errorf("count.json %s, page shows 4", countBody)
	}
}

func TestPagesEscapeUserContent(t *testing.T) {
	f := newFixture(t)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	f.openPetition(1, "Ban "+evil, "Because "+evil)
	for _, path := range []string{"/petition/1", "/?state=all", "/?q=ban", "/petition/1/audit"} {
		resp, page := f.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		checkWellFormed(t, page)
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
			t.Errorf("%s: user content not escaped", path)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(") {
			t.Errorf("%s: escaped action missing", path)
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") ||
			strings.Contains(got, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, got)
		}
	}
}

func TestListFiltersByStateAndQuery(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees", "Trees.")
	f.openPetition(2, "Fund libraries", "Books.")
	f.createPending(3, "Pending petition stays hidden")
	tests := []struct {
		path       string
		want, lack []string
	}{
		{"/", []string{"Plant more trees", "Fund libraries", "2 petitions"}, []string{"Pending petition"}},
		{"/?q=trees", []string{"Plant more trees", "1 petition"}, []string{"Fund libraries"}},
		{"/?state=closed", []string{"0 petitions"}, []string{"Plant more trees"}},
		{"/?state=all&q=pending", []string{"0 petitions"}, []string{"Pending petition stays"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, page := f.get(tt.path)
			checkWellFormed(t, page)
			mustContain(t, page, tt.want...)
			for _, l := range tt.lack {
				if strings.Contains(page, l) {
					t.Errorf("page shows %q", l)
				}
			}
		})
	}
}

func TestAuditPageListsTrail(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees", "Trees.")
	f.sign(1, 1, bethnalGreen)
	_, page := f.get("/petition/1/audit")
	checkWellFormed(t, page)
	doc := parse(t, page)
	rows := findAll(byID(doc, "audit-table"), func(n *html.Node) bool { return n.Data == "tr" })
	_, body := f.get("/petitions/1/audit.json")
	var j struct {
		Meta struct {
			Total int `json:"total"`
		} `json:"meta"`
	}
	_ = json.Unmarshal([]byte(body), &j)
	if got, want := len(rows)-1, 9; got != want { // created, confirmed, 5 sponsors, published, validated
		t.Errorf("audit rows %d, want %d (audit.json: %s)", got, want, body)
	}
	mustContain(t, page, "PetitionPublished", "SignatureValidated", "+1", `id="checkpoint"`)
}

func TestUnknownPetitionIs404(t *testing.T) {
	f := newFixture(t)
	f.createPending(3, "Pending")
	for _, path := range []string{"/petition/99", "/petition/3", "/petition/x", "/petition/3/audit", "/?state=nope"} {
		resp, page := f.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
		checkWellFormed(t, page)
	}
}

func TestStaticAssetsServedWithCSP(t *testing.T) {
	f := newFixture(t)
	for path, ctype := range map[string]string{"/static/app.css": "text/css", "/static/app.js": "text/javascript"} {
		resp, body := f.get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || len(body) == 0 {
			t.Errorf("%s: status %d, type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no CSP", path)
		}
	}
}

func TestAuditPageCheckpointSlot(t *testing.T) {
	tests := []struct {
		name       string
		checkpoint string
		want, lack string
	}{
		{"with checkpoints", "/ledger/checkpoint", `id="verify-form"`, "does not publish"},
		{"without", "", "This server does not publish signed checkpoints.", `id="verify-form"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *web.Config) { c.CheckpointURL = tt.checkpoint })
			f.openPetition(1, "Plant more trees", "Trees.")
			_, page := f.get("/petition/1/audit")
			checkWellFormed(t, page)
			mustContain(t, page, tt.want)
			if strings.Contains(page, tt.lack) {
				t.Errorf("page shows %q", tt.lack)
			}
		})
	}
}

func TestPetitionPageIsGzipped(t *testing.T) {
	f := newFixture(t)
	f.openPetition(1, "Plant more trees", "Trees.")
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/petition/1", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Content-Encoding %q: %v", resp.Header.Get("Content-Encoding"), err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, string(plain))
	t.Logf("petition page: %d bytes of HTML, %d gzipped", len(plain), len(raw))
}
