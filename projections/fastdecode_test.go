package projections

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

// referenceSig decodes the counting fields with encoding/json: the
// reference the fast decoder is cross-checked against.
func referenceSig(data []byte) (sigFields, bool) {
	var v struct {
		PetitionID int64 `json:"petition_id"`
		Location   struct {
			Constituency string `json:"constituency"`
			Country      string `json:"country"`
		} `json:"location"`
		From        domain.SignatureState `json:"from"`
		To          domain.SignatureState `json:"to"`
		At          time.Time             `json:"at"`
		SignedAt    time.Time             `json:"signed_at"`
		ValidatedAt time.Time             `json:"validated_at"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return sigFields{}, false
	}
	return sigFields{PetitionID: v.PetitionID, Constituency: v.Location.Constituency, Country: v.Location.Country,
		From: v.From, To: v.To, At: unixNanos(v.At), SignedAt: unixNanos(v.SignedAt), ValidatedAt: unixNanos(v.ValidatedAt)}, true
}

func TestFastDecoderMatchesEncodingJSON(t *testing.T) {
	evs := recorded(t, fill(t, mustHistory(t, genOptions(11, 4, 1500))))
	n := 0
	for _, ev := range evs {
		switch ev.Type {
		case domain.TypeSignatureValidated, domain.TypeSignatureInvalidated, domain.TypeSignatureMarkedFraudulent:
		default:
			continue
		}
		var got sigFields
		if err := decodeSigFast(ev.Data, &got, testPlaces(t)); err != nil {
			t.Fatalf("fast decoder declined a domain-encoded %s: %v\n%s", ev.Type, err, ev.Data)
		}
		want, _ := referenceSig(ev.Data)
		if got.withoutSlots() != want {
			t.Fatalf("%s:\n got %+v\nwant %+v", ev.Type, got, want)
		}
		n++
	}
	if n < 500 {
		t.Fatalf("only %d signature events checked", n)
	}
}

func TestFastDecoderCases(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantSlow bool
		want     sigFields
	}{
		{"Minimal", `{"petition_id":7,"at":"2025-01-02T03:04:05Z"}`, false,
			sigFields{PetitionID: 7, At: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()}},
		{"FractionAndWhitespace", ` { "petition_id" : 7 , "to" : "validated", "at" : "2025-01-02T03:04:05.5Z" , "x":[1,{"y":"}"}]} `, false,
			sigFields{PetitionID: 7, To: "validated", At: time.Date(2025, 1, 2, 3, 4, 5, 5e8, time.UTC).UnixNano()}},
		{"ZeroTime", `{"petition_id":7,"at":"2025-01-02T03:04:05Z","validated_at":"0001-01-01T00:00:00Z"}`, false,
			sigFields{PetitionID: 7, At: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()}},
		{"OffsetTimeParsedSlowly", `{"petition_id":7,"at":"2025-01-02T04:04:05+01:00"}`, false,
			sigFields{PetitionID: 7, At: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()}},
		{"EscapedCode", `{"petition_id":7,"at":"2025-01-02T03:04:05Z","location":{"country":"G\u0042"}}`, true, sigFields{}},
		{"MissingAt", `{"petition_id":7}`, true, sigFields{}},
		{"FloatID", `{"petition_id":7.5,"at":"2025-01-02T03:04:05Z"}`, true, sigFields{}},
		{"Trailing", `{"petition_id":7,"at":"2025-01-02T03:04:05Z"}x`, true, sigFields{}},
		{"BadDate", `{"petition_id":7,"at":"2025-02-31T03:04:05Z"}`, true, sigFields{}},
		{"Truncated", `{"petition_id":7,"at":"2025-01-02T03:04:05Z"`, true, sigFields{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got sigFields
			err := decodeSigFast([]byte(tt.in), &got, nil)
			if (err != nil) != tt.wantSlow {
				t.Fatalf("err = %v, want slow path %v", err, tt.wantSlow)
			}
			if err == nil && got.withoutSlots() != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// FuzzFastDecoder: the fast decoder never panics, and whenever it accepts
// an input that encoding/json also accepts, they agree.
func FuzzFastDecoder(f *testing.F) {
	f.Add([]byte(`{"petition_id":7,"location":{"constituency":"E14000001","country":"GB","region":"E12000001"},"from":"pending","to":"validated","signed_at":"2025-01-02T03:04:05Z","at":"2025-01-02T03:04:06.123Z"}`))
	f.Add([]byte(`{"petition_id":-1,"at":"2025-01-02T03:04:05Z","sealed":{"nonce":"AAE=","x":[null,true,false,1e5]}}`))
	f.Add([]byte(`{"at":"2025-13-02T03:04:05Z","petition_id":1}`))
	f.Add([]byte(`{"petition_id":1,"petition_id":2,"at":"2025-01-02T03:04:05Z"}`))
	for _, bad := range fastDecoderMustDecline {
		f.Add([]byte(bad))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got sigFields
		if err := decodeSigFast(data, &got, fuzzPlaces); err != nil {
			return
		}
		want, ok := referenceSig(data)
		if !ok {
			t.Fatalf("fast decoder accepted %q, which encoding/json rejects", data)
		}
		if got.withoutSlots() != want {
			t.Fatalf("fast %+v != encoding/json %+v for %q", got, want, data)
		}
	})
}

// TestParseUTCEveryDay checks the fast time parser against time.Parse on
// every day from 1970 to 2100 (leap years, month ends) at varied times.
func TestParseUTCEveryDay(t *testing.T) {
	start := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 131*366; d++ {
		want := start.AddDate(0, 0, d).Add(time.Duration(d%86400)*time.Second + time.Duration(d*7919%1e9))
		text := want.Format(time.RFC3339Nano)
		got, err := parseUTC([]byte(text))
		if err != nil || got != want.UnixNano() {
			t.Fatalf("parseUTC(%q) = %d, %v; want %d", text, got, err, want.UnixNano())
		}
	}
	for _, bad := range []string{"2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z"} {
		if _, err := parseUTC([]byte(bad)); err == nil {
			t.Errorf("parseUTC(%q) accepted an impossible time", bad)
		}
	}
}

var fuzzPlaces = func() *Places {
	p, err := NewPlaces([]Constituency{{ONSCode: "E14000001", RegionCode: "R"}}, []Region{{"R", "Region"}}, []Country{{"GB", "United Kingdom"}})
	if err != nil {
		panic(err)
	}
	return p
}()

// TestPlainWord checks the 8-byte test against a byte loop for every byte
// value in every lane.
func TestPlainWord(t *testing.T) {
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			b := []byte("abcdefgh")
			b[lane] = byte(c)
			want := true
			for _, x := range b {
				if x == '"' || x == '\\' || x < 0x20 || x >= 0x80 {
					want = false
				}
			}
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			if got := plainWord(w); got != want {
				t.Fatalf("lane %d byte %#x: got %v, want %v", lane, c, got, want)
			}
		}
	}
}

// fastDecoderMustDecline are documents encoding/json rejects; the fast
// decoder must decline each, or projections would count what verify
// refuses.
var fastDecoderMustDecline = []string{
	`{"petition_id":007,"at":"2025-01-02T03:04:05Z"}`,
	`{"petition_id":-,"at":"2025-01-02T03:04:05Z"}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":01}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":1.}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":1e}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":tru}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":nul}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":abc}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":{garbage}}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":[1,,2]}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":{"a" 1}}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":[1 2]}`,
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","x":"a\qb"}`,
	"{\"petition_id\":1,\"at\":\"2025-01-02T03:04:05Z\",\"x\":\"a\x01b\"}",
	`{"petition_id":1,"at":"2025-01-02T03:04:05Z","location":{"region":+1}}`,
}

func TestFastDecoderDeclinesInvalidJSON(t *testing.T) {
	for _, doc := range fastDecoderMustDecline {
		if _, ok := referenceSig([]byte(doc)); ok {
			t.Fatalf("test case %q is valid for encoding/json; it should not be", doc)
		}
		var got sigFields
		if err := decodeSigFast([]byte(doc), &got, fuzzPlaces); err == nil {
			t.Errorf("decodeSigFast(%q) accepted invalid JSON: %+v", doc, got)
		}
	}
}
