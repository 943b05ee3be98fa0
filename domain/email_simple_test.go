package domain

import (
	"net/mail"
	"testing"
)

// checkSimpleEmail: whatever the fast path accepts, net/mail accepts as the
// same bare address and splitEmail's full checks split the same way.
func checkSimpleEmail(t *testing.T, s string) {
	t.Helper()
	local, domain, ok := splitSimpleEmail(s)
	if !ok {
		return
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		t.Fatalf("splitSimpleEmail(%q) accepted; mail.ParseAddress = %+v, %v", s, addr, err)
	}
	if local+"@"+domain != s || local == "" || !validDomain(domain) {
		t.Fatalf("splitSimpleEmail(%q) = %q, %q", s, local, domain)
	}
}

func TestSplitSimpleEmail(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"bench1@example.org", true}, {"A.D.A+petitions@GoogleMail.com", true}, {"a_b-c@x-y.co.uk", true},
		{".a@b.org", false}, {"a.@b.org", false}, {"a..b@c.org", false}, {"a@b", false}, {"@b.org", false},
		{"a b@c.org", false}, {"a@b@c.org", false}, {"\"a\"@b.org", false}, {"a@-b.org", false}, {"é@b.org", false},
		{"Ada <a@b.org>", false}, {"a@b.org.", false},
	}
	for _, tt := range tests {
		if _, _, got := splitSimpleEmail(tt.in); got != tt.want {
			t.Errorf("splitSimpleEmail(%q) ok = %v, want %v", tt.in, got, tt.want)
		}
		checkSimpleEmail(t, tt.in)
	}
}

func FuzzSimpleEmail(f *testing.F) {
	for _, s := range []string{"bench1@example.org", "a.b+c@d-e.f", "a@b@c.d", "x@y..z", "-@0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSimpleEmail(t, s) })
}
