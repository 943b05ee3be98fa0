package domain_test

import (
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/domain"
)

func TestCanonicalEmail(t *testing.T) {
	tests := []struct{ in, want, wantCode string }{
		{"Ada@Example.org", "ada@example.org", ""},
		{"  ada@example.org ", "ada@example.org", ""},
		{"ada+petitions@example.org", "ada@example.org", ""},
		{"a.d.a@example.org", "a.d.a@example.org", ""},
		{"A.D.A+x@Gmail.com", "ada@gmail.com", ""},
		{"a.d.a@googlemail.com", "ada@gmail.com", ""},
		{"ada+1+2@gmail.com", "ada@gmail.com", ""},
		{"ada@sub.gmail.com", "ada@sub.gmail.com", ""},
		{"+tag@example.org", "", domain.ECodeInvalidEmail},
		{"", "", domain.ECodeInvalidEmail},
		{"ada", "", domain.ECodeInvalidEmail},
		{"ada@localhost", "", domain.ECodeInvalidEmail},
		{"Ada <ada@example.org>", "", domain.ECodeInvalidEmail},
		{"ada@@example.org", "", domain.ECodeInvalidEmail},
		{"ada@exa mple.org", "", domain.ECodeInvalidEmail},
		{"ada@-example.org", "", domain.ECodeInvalidEmail},
		{"ada@example..org", "", domain.ECodeInvalidEmail},
		{`"a b"@example.org`, "", domain.ECodeInvalidEmail},
		{strings.Repeat("a", 250) + "@x.org", "", domain.ECodeInvalidEmail},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := domain.CanonicalEmail(tt.in)
			wantCode(t, err, tt.wantCode, "email")
			if got != tt.want {
				t.Errorf("CanonicalEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzCanonicalEmail checks the canonicaliser never panics, is idempotent,
// and returns a lower-case address without a +tag.
func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range []string{"ada@example.org", "A.D.A+x@Gmail.com", "x@googlemail.com", "", "@", "a@b.c", "a+@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := domain.CanonicalEmail(in)
		if err != nil {
			if domain.ErrorCode(err) != domain.ECodeInvalidEmail || domain.ErrorField(err) != "email" {
				t.Fatalf("error %v is not invalid_email on email", err)
			}
			return
		}
		if got != strings.ToLower(got) || strings.Contains(got, "+") {
			t.Fatalf("CanonicalEmail(%q) = %q: not lower-case or has a tag", in, got)
		}
		again, err := domain.CanonicalEmail(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", in, got, again, err)
		}
		if strings.HasSuffix(got, "@googlemail.com") {
			t.Fatalf("googlemail not folded: %q", got)
		}
	})
}
