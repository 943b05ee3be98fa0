package domain_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/internal/golden"
)

// TestGoldenEvents pins the JSON encoding of every event type. Regenerate
// with UPDATE_GOLDEN=1 go test ./domain -run TestGoldenEvents.
func TestGoldenEvents(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range sampleEvents() {
		typ := e.EventType()
		seen[typ] = true
		t.Run(typ, func(t *testing.T) {
			got, err := domain.EncodeEvent(e)
			if err != nil {
				t.Fatalf("EncodeEvent: %v", err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			want := golden.Check(t, filepath.Join("testdata", "golden", typ+".json"), pretty.Bytes())
			back, err := domain.DecodeEvent(typ, want)
			if err != nil {
				t.Fatalf("DecodeEvent(golden): %v", err)
			}
			if !reflect.DeepEqual(back, e) {
				t.Errorf("decode(golden) = %#v, want %#v", back, e)
			}
		})
	}
	var missing []string
	for _, typ := range domain.EventTypes() {
		if !seen[typ] {
			missing = append(missing, typ)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no sample/golden for registered types %v", missing)
	}
}

func TestEventTypeNames(t *testing.T) {
	for _, typ := range domain.EventTypes() {
		name, version, ok := strings.Cut(typ, ".")
		if !ok || name == "" || !strings.HasPrefix(version, "v") {
			t.Errorf("type %q is not Name.vN", typ)
		}
	}
	types := domain.EventTypes()
	if !sort.StringsAreSorted(types) || len(types) != 20 {
		t.Errorf("EventTypes() = %v (%d), want 20 sorted names", types, len(types))
	}
}

func TestDecodeEventRejects(t *testing.T) {
	golden := func(typ string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", typ+".json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name, typ, data string
		wantErr         error
		wantInMsg       string
	}{
		{"UnknownType", "PetitionExploded.v1", `{}`, domain.ErrUnknownEventType, "PetitionExploded.v1"},
		{"UnknownVersion", "PetitionCreated.v9", golden(domain.TypePetitionCreated), domain.ErrUnknownEventType, "PetitionCreated.v9"},
		{"NotJSON", domain.TypePetitionClosed, `not json`, domain.ErrMalformedEvent, "PetitionClosed.v1"},
		{"Null", domain.TypePetitionClosed, `null`, domain.ErrMalformedEvent, "petition_id"},
		{"Empty", domain.TypePetitionClosed, ``, domain.ErrMalformedEvent, "PetitionClosed.v1"},
		{"UnknownField", domain.TypePetitionClosed,
			`{"petition_id":1,"reason":"early","at":"2022-01-01T00:00:00Z","extra":1}`, domain.ErrMalformedEvent, "extra"},
		{"TrailingData", domain.TypePetitionClosed,
			`{"petition_id":1,"reason":"early","at":"2022-01-01T00:00:00Z"} {}`, domain.ErrMalformedEvent, "trailing"},
		{"BadReason", domain.TypePetitionClosed,
			`{"petition_id":1,"reason":"bored","at":"2022-01-01T00:00:00Z"}`, domain.ErrMalformedEvent, "reason"},
		{"ZeroPetition", domain.TypePetitionClosed,
			`{"petition_id":0,"reason":"early","at":"2022-01-01T00:00:00Z"}`, domain.ErrMalformedEvent, "petition_id"},
		{"NotUTC", domain.TypePetitionClosed,
			`{"petition_id":1,"reason":"early","at":"2022-01-01T00:00:00+01:00"}`, domain.ErrMalformedEvent, "not UTC"},
		{"MissingAt", domain.TypePetitionClosed, `{"petition_id":1,"reason":"early"}`, domain.ErrMalformedEvent, "at"},
		{"BadDate", domain.TypeDebateScheduled,
			`{"petition_id":1,"debate_date":"25/05/2022","at":"2022-01-01T00:00:00Z"}`, domain.ErrMalformedEvent, "debate_date"},
		{"WrongType", domain.TypePetitionClosed,
			`{"petition_id":"1","reason":"early","at":"2022-01-01T00:00:00Z"}`, domain.ErrMalformedEvent, "petition_id"},
		{"BadTransition", domain.TypeSignatureValidated,
			strings.Replace(golden(domain.TypeSignatureValidated), `"from": "pending"`, `"from": "fraudulent"`, 1),
			domain.ErrMalformedEvent, "from"},
		{"BadSignerKey", domain.TypeSignatureSigned,
			strings.Replace(golden(domain.TypeSignatureSigned), `"signer_key": "abab`, `"signer_key": "zzab`, 1),
			domain.ErrMalformedEvent, "signer_key"},
		{"NoCriteria", domain.TypeInvalidationRequested,
			`{"invalidation_id":"0b7e3c55-2d4f-4a61-8e0f-9c8d7b6a5f41","criteria":{"petition_id":1},"reason":"","at":"2022-01-01T00:00:00Z"}`,
			domain.ErrMalformedEvent, "criteria"},
		{"CountsInverted", domain.TypeInvalidationCompleted,
			`{"invalidation_id":"0b7e3c55-2d4f-4a61-8e0f-9c8d7b6a5f41","matching_count":1,"invalidated_count":2,"at":"2022-01-01T00:00:00Z"}`,
			domain.ErrMalformedEvent, "invalidated_count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.DecodeEventWithID(tt.typ, "evt-42", []byte(tt.data))
			if err == nil {
				t.Fatalf("DecodeEvent = %#v, want error", got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			var de *domain.DecodeError
			if !errors.As(err, &de) || de.Type != tt.typ || de.EventID != "evt-42" {
				t.Errorf("err = %#v, want *DecodeError naming type %q and id evt-42", err, tt.typ)
			}
			for _, want := range []string{tt.typ, "evt-42", tt.wantInMsg} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestEncodeEventRefusesMalformed(t *testing.T) {
	_, err := domain.EncodeEvent(domain.PetitionClosed{PetitionID: 1, Reason: "early"})
	if !errors.Is(err, domain.ErrMalformedEvent) {
		t.Fatalf("err = %v, want ErrMalformedEvent", err)
	}
	if _, err := domain.EncodeEvent(nil); !errors.Is(err, domain.ErrMalformedEvent) {
		t.Fatalf("EncodeEvent(nil) err = %v, want ErrMalformedEvent", err)
	}
}

// FuzzDecodeEvent checks that the decoder never panics and that whatever it
// accepts re-encodes to something it decodes to the same value.
func FuzzDecodeEvent(f *testing.F) {
	for _, e := range sampleEvents() {
		data, err := domain.EncodeEvent(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(e.EventType(), data)
	}
	f.Add("PetitionClosed.v1", []byte(`{"petition_id":1,"reason":"early","at":"2022-01-01T00:00:00Z"}`))
	f.Add("Nope.v1", []byte(`{}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := domain.DecodeEvent(typ, data)
		if err != nil {
			var de *domain.DecodeError
			if !errors.As(err, &de) || de.Type != typ {
				t.Fatalf("error %v is not a *DecodeError naming %q", err, typ)
			}
			return
		}
		if e.EventType() != typ {
			t.Fatalf("decoded %q as %q", typ, e.EventType())
		}
		again, err := domain.EncodeEvent(e)
		if err != nil {
			t.Fatalf("accepted event does not re-encode: %v", err)
		}
		back, err := domain.DecodeEvent(typ, again)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if !reflect.DeepEqual(normalize(t, back), normalize(t, e)) {
			t.Fatalf("round trip changed the event:\n%#v\n%#v", back, e)
		}
	})
}

// normalize re-encodes an event so time values compare by instant.
func normalize(t *testing.T, e domain.Event) string {
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
