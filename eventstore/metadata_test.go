package eventstore_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
)

func u64(v uint64) *uint64 { return &v }

func eqPtr(a, b *uint64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestParseStreamMetadata(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		maxAge     *uint64
		maxCount   *uint64
		tb         *uint64
		cache      *uint64
		acl        string
		customKeys []string
	}{
		{"EmptyObjectSetsNothing", `{}`, nil, nil, nil, nil, "", nil},
		{"NullSetsNothing", `null`, nil, nil, nil, nil, "", nil},
		{"MaxCount", `{"$maxCount":3}`, nil, u64(3), nil, nil, "", nil},
		{"MaxAgeInSeconds", `{"$maxAge":86400}`, u64(86400), nil, nil, nil, "", nil},
		{"TruncateBefore", `{"$tb":4}`, nil, nil, u64(4), nil, "", nil},
		{"SoftDeleteTruncateBefore", `{"$tb":9223372036854775807}`, nil, nil, u64(math.MaxInt64), nil, "", nil},
		{"CacheControl", `{"$cacheControl":5}`, nil, nil, nil, u64(5), "", nil},
		{"ACLKeptRaw", `{"$acl":{"$r":"$all","$w":["ops"]}}`, nil, nil, nil, nil, `{"$r":"$all","$w":["ops"]}`, nil},
		{"EveryKnownKey", `{"$maxAge":1,"$maxCount":2,"$tb":3,"$cacheControl":4}`, u64(1), u64(2), u64(3), u64(4), "", nil},
		{"UnknownKeysKeptInCustom", `{"$maxCount":1,"owner":"petitions","nested":{"a":[1,2]}}`, nil, u64(1), nil, nil, "", []string{"nested", "owner"}},
		{"ZeroIsASetLimit", `{"$maxCount":0}`, nil, u64(0), nil, nil, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := eventstore.ParseStreamMetadata([]byte(tc.body))
			if err != nil {
				t.Fatalf("ParseStreamMetadata(%s): %v", tc.body, err)
			}
			if !eqPtr(m.MaxAge, tc.maxAge) || !eqPtr(m.MaxCount, tc.maxCount) || !eqPtr(m.TruncateBefore, tc.tb) || !eqPtr(m.CacheControl, tc.cache) {
				t.Errorf("limits: got maxAge %v maxCount %v tb %v cache %v, want %v %v %v %v",
					deref(m.MaxAge), deref(m.MaxCount), deref(m.TruncateBefore), deref(m.CacheControl),
					deref(tc.maxAge), deref(tc.maxCount), deref(tc.tb), deref(tc.cache))
			}
			if string(m.ACL) != tc.acl {
				t.Errorf("ACL: got %s, want %s", m.ACL, tc.acl)
			}
			if len(m.Custom) != len(tc.customKeys) {
				t.Errorf("Custom: got %d keys %v, want %v", len(m.Custom), m.Custom, tc.customKeys)
			}
			for _, k := range tc.customKeys {
				if _, ok := m.Custom[k]; !ok {
					t.Errorf("Custom: key %q missing", k)
				}
			}
		})
	}
}

func deref(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestParseStreamMetadataRejectsBadBodies(t *testing.T) {
	cases := []struct{ name, body string }{
		{"NotJSON", `{"$maxCount":`},
		{"Array", `[1,2]`},
		{"String", `"metadata"`},
		{"NegativeMaxCount", `{"$maxCount":-1}`},
		{"FractionalMaxAge", `{"$maxAge":1.5}`},
		{"StringTruncateBefore", `{"$tb":"4"}`},
		{"Empty", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eventstore.ParseStreamMetadata([]byte(tc.body))
			if !errors.Is(err, eventstore.ErrInvalidArgument) {
				t.Errorf("ParseStreamMetadata(%q): got %v, want ErrInvalidArgument", tc.body, err)
			}
		})
	}
}

// FuzzParseStreamMetadata: the parser never panics, accepts only JSON,
// rejects with ErrInvalidArgument, and never files a reserved key under
// Custom.
func FuzzParseStreamMetadata(f *testing.F) {
	for _, seed := range []string{`{}`, `null`, `{"$maxCount":3,"$tb":4}`, `{"$maxAge":1,"x":{"y":[1]}}`,
		`{"$tb":9223372036854775807}`, `{"$acl":{"$r":"$all"}}`, `[1]`, `{"$maxCount":-1}`, `{`, ``} {
		f.Add([]byte(seed))
	}
	reserved := map[string]bool{"$maxAge": true, "$maxCount": true, "$tb": true, "$cacheControl": true, "$acl": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := eventstore.ParseStreamMetadata(body)
		if err != nil {
			if !errors.Is(err, eventstore.ErrInvalidArgument) {
				t.Fatalf("error %v does not match ErrInvalidArgument", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		for k, v := range m.Custom {
			if reserved[k] {
				t.Errorf("reserved key %q in Custom", k)
			}
			if !json.Valid(v) {
				t.Errorf("Custom[%q] = %q is not JSON", k, v)
			}
		}
	})
}
