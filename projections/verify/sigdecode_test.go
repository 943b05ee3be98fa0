package verify

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/eventstore"
)

// sigDecodeSeeds are the domain's golden signature events plus edge cases
// the scanner must hand to encoding/json (or read identically).
func sigDecodeSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"SignatureSigned", "SignatureValidated", "SignatureInvalidated", "SignatureMarkedFraudulent"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "domain", "testdata", "golden", name+".v1.json"))
		if err != nil {
			t.Fatalf("read domain golden file: %v", err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range []string{
		`{}`, `{"petition_id":1.0}`, `{"petition_id":01}`, `{"petition_id":-5}`, `{"Petition_ID":7}`,
		`{"to":"pending","to":"validated"}`, `{"to":null}`, `{"to":"a\"b"}`, `{"location":{"Country":"GB"}}`,
		`{"location":{"country":"G\u0042"}}`, `{"x":[1,{"y":[true,false]},"z"],"petition_id":3}`,
		`{"at":"2024-01-02T03:04:05Z"}`, `{"at":"2024-13-02T03:04:05Z"}`, `{"signature_id":"6f1c1f0e-8a3b-4c4e-9b1a-1d2e3f405162"}`,
		`{"signature_id":"nope"}`, `{"x":1e5}`, `{"x":nul}`, `{"a":1}x`, ` { "to" : "pending" } `, "{\"to\":\"\xff\"}",
		`{"petition_id":99999999999999999999}`, `[]`, `{"x":{}}`, `{"x":[]}`,
		`{"x":"abcdefghijklmnop\"qrstuvw","petition_id":3}`, "{\"to\":\"abcdefghij\x01klmnopq\"}",
		`{"to":"validatedvalidatedvalidated","petition_id":12345678}`, `{"to":"abcdefgh"}`, `{"to":"abcdefg"}`,
		"{\"to\":\"ab\u00e9\u00e9cdefgh\u00ffij\"}", `{"x":"abcdefgh\\"}`,
		`{"at":"2024-02-29T23:59:59.999999999Z"}`, `{"at":"2023-02-29T00:00:00Z"}`, `{"signed_at":"2021-01-01T00:00:00.1234567891Z"}`,
		`{"validated_at":"2021-01-01T24:00:00Z"}`, `{"at":"2021-01-01T00:00:00+01:00"}`, `{"at":"0000-01-01T00:00:00.5Z"}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzDecodeSigFields: whatever decodeSigFields accepts, json.Unmarshal
// accepts too and reads into the same sigFields.
func FuzzDecodeSigFields(f *testing.F) {
	for _, s := range sigDecodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got sigFields
		if !decodeSigFields(data, &got) {
			return
		}
		var want sigFields
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("decodeSigFields accepted %q, json.Unmarshal rejects it: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeSigFields(%q) = %+v, json.Unmarshal gives %+v", data, got, want)
		}
	})
}

// TestDecodeSigFieldsGolden: the domain's golden signature events take the
// fast path and read as encoding/json reads them.
func TestDecodeSigFieldsGolden(t *testing.T) {
	for _, data := range sigDecodeSeeds(t)[:4] {
		var got, want sigFields
		if !decodeSigFields(data, &got) {
			t.Fatalf("decodeSigFields rejected a domain golden event: %s", data)
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
}

// TestDecodeSigFieldsDemoHistory cross-checks the scanner on every
// signature event of the demo history: it takes the fast path, reads what
// encoding/json reads, and agrees with domain.DecodeEventWithID.
func TestDecodeSigFieldsDemoHistory(t *testing.T) {
	evs, streams := demoEvents(t)
	n := 0
	for i, ev := range evs {
		switch ev.Type {
		case typeSigned, typeValidated, typeInvalidated, typeFraudulent:
		default:
			continue
		}
		n++
		var got, want sigFields
		if !decodeSigFields(ev.Data, &got) {
			t.Fatalf("event %d (%s) left the fast path: %s", i, ev.Type, ev.Data)
		}
		if err := json.Unmarshal(ev.Data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d: got %+v, want %+v", i, got, want)
		}
		rec := &eventstore.RecordedEvent{ID: ev.ID, Type: ev.Type, Stream: streams[i], Data: ev.Data}
		if err := checkWithDomain(rec, got); err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatal("the demo history has no signature events")
	}
}

func TestHasSpecial(t *testing.T) {
	for _, tt := range []struct {
		word string
		want bool
	}{
		{"abcdefgh", false}, {"ABCD_-09", false}, {"\x7f\x80\xff~ !#$", false}, {"        ", false},
		{"\"bcdefgh", true}, {"abcdefg\"", true}, {"abc\\efgh", true}, {"\x00bcdefgh", true},
		{"abcdefg\x1f", true}, {"abcd\nfgh", true}, {"\x1f\x20\x21\x22\x5b\x5c\x5d\x00", true},
	} {
		if got := hasSpecial(binary.LittleEndian.Uint64([]byte(tt.word))); got != tt.want {
			t.Errorf("hasSpecial(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

// TestParseUTCReadsAsTimeDoes: whatever parseUTC accepts, time's own JSON
// reading gives the same time.Time (also pinned by FuzzDecodeSigFields).
func TestParseUTCReadsAsTimeDoes(t *testing.T) {
	for _, s := range []string{
		"2021-09-21T10:15:00.123Z", "2021-09-21T10:15:00Z", "2024-02-29T23:59:59.999999999Z", "2023-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.1Z",
		"2021-04-31T00:00:00Z", "2021-13-01T00:00:00Z", "2021-00-01T00:00:00Z", "2021-01-01T24:00:00Z",
		"2021-01-01T00:60:00Z", "2021-01-01T00:00:60Z", "2021-01-01T00:00:00.Z", "2021-01-01T00:00:00.1234567891Z",
		"2021-01-01T00:00:00.12a4Z", "2021-01-01 00:00:00Z", "2021-01-01T00:00:00+01:00", "+021-01-01T00:00:00Z",
		"2021-1-01T00:00:00Z", "2021-01-01T00:00:00.000000000Z", "2021-01-01T00:00:00z",
	} {
		got, ok := parseUTC([]byte(s))
		var want time.Time
		err := want.UnmarshalJSON([]byte(`"` + s + `"`))
		if ok && (err != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("parseUTC(%q) = %v; time reads %v, %v", s, got, want, err)
		}
		if !ok && strings.HasPrefix(s, "2021-09-21") {
			t.Errorf("parseUTC(%q) refused the domain's own form", s)
		}
	}
}
