package httpapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/httpapi"
)

func TestTokenSpecs(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
		err      bool
	}{
		{"list", "moderator:" + moderatorToken + ", auditor:" + auditorToken, 2, false},
		{"empty entries", ",,moderator:" + moderatorToken + ",", 1, false},
		{"unknown role", "king:" + moderatorToken, 0, true},
		{"no colon", moderatorToken, 0, true},
		{"short token", "moderator:short", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var toks httpapi.Tokens
			err := toks.AddList(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("err: got %v, want error %v", err, tt.err)
			}
			if err != nil {
				if !errors.Is(err, httpapi.ErrBadToken) || strings.Contains(err.Error(), moderatorToken) {
					t.Fatalf("error %q must wrap ErrBadToken and not echo the token", err)
				}
				return
			}
			if toks.Len() != tt.want {
				t.Fatalf("tokens: got %d, want %d", toks.Len(), tt.want)
			}
		})
	}
}

func TestTokenFile(t *testing.T) {
	var toks httpapi.Tokens
	err := toks.AddFile(strings.NewReader("# admin tokens\n\nmoderator:" + moderatorToken + "\ngovernment:" + governmentToken + "\n"))
	if err != nil || toks.Len() != 2 {
		t.Fatalf("got %d tokens, %v", toks.Len(), err)
	}
	err = toks.AddFile(strings.NewReader("moderator:" + moderatorToken + "\nbad line\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad file: got %v, want an error naming line 2", err)
	}
}

// FuzzTokenSpec: a spec either registers one token or fails with
// ErrBadToken, and the error never repeats the token.
func FuzzTokenSpec(f *testing.F) {
	for _, s := range []string{"moderator:" + moderatorToken, "auditor:x", ":", "", "government:" + strings.Repeat("g", 40), "king:abcdefghijklmnopq", "moderator: spaced token 12345 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		var toks httpapi.Tokens
		err := toks.AddSpec(spec)
		if err == nil {
			if toks.Len() != 1 {
				t.Fatalf("%q: accepted but %d tokens", spec, toks.Len())
			}
			return
		}
		if !errors.Is(err, httpapi.ErrBadToken) {
			t.Fatalf("%q: error %v does not wrap ErrBadToken", spec, err)
		}
		role, tok, ok := strings.Cut(spec, ":")
		tok = strings.TrimSpace(tok)
		if ok && len(tok) >= 4 && !strings.Contains(role, tok) && strings.Contains(err.Error(), tok) {
			t.Fatalf("%q: error %q repeats the token", spec, err)
		}
	})
}
