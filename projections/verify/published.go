package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/petitionledger/petitionledger/eventstore"
)

// HTTPPublished returns an Options.Published that fetches
// {base}/petitions/{id}.json?as_of={position} (the UK petitions JSON shape)
// from a Petition Ledger server.
func HTTPPublished(base string, client *http.Client) func(ctx context.Context, id int64, asOf eventstore.Position) (*Published, error) {
	base = strings.TrimRight(base, "/")
	if client == nil {
		client = http.DefaultClient
	}
	return func(ctx context.Context, id int64, asOf eventstore.Position) (*Published, error) {
		url := fmt.Sprintf("%s/petitions/%d.json?as_of=%s", base, id, asOf)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", url, err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s: %.200s", url, resp.Status, body)
		}
		return ParsePublished(body)
	}
}

// ParsePublished reads the counts of a petition from its UK-shaped JSON.
func ParsePublished(body []byte) (*Published, error) {
	type area struct {
		ONSCode        string `json:"ons_code"`
		Code           string `json:"code"`
		SignatureCount int64  `json:"signature_count"`
	}
	var doc struct {
		Data struct {
			Attributes struct {
				SignatureCount           *int64 `json:"signature_count"`
				SignaturesByConstituency []area `json:"signatures_by_constituency"`
				SignaturesByRegion       []area `json:"signatures_by_region"`
				SignaturesByCountry      []area `json:"signatures_by_country"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("petition JSON: %w", err)
	}
	a := doc.Data.Attributes
	if a.SignatureCount == nil {
		return nil, fmt.Errorf("petition JSON: no data.attributes.signature_count")
	}
	p := &Published{Total: *a.SignatureCount, Constituencies: map[string]int64{}, Regions: map[string]int64{}, Countries: map[string]int64{}}
	for _, x := range a.SignaturesByConstituency {
		p.Constituencies[x.ONSCode] += x.SignatureCount
	}
	for _, x := range a.SignaturesByRegion {
		p.Regions[x.ONSCode] += x.SignatureCount
	}
	for _, x := range a.SignaturesByCountry {
		p.Countries[x.Code] += x.SignatureCount
	}
	return p, nil
}
