package esdbserver

import (
	"encoding/base64"
	"testing"
)

func TestParseBasic(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		value           string
		login, password string
		ok              bool
	}{
		{"Basic " + b64("admin:changeit"), "admin", "changeit", true},
		{"basic " + b64("admin:pa:ss"), "admin", "pa:ss", true},
		{"Basic " + b64("admin:"), "admin", "", true},
		{"Basic " + b64(":pw"), "", "", false},
		{"Basic " + b64("nocolon"), "", "", false},
		{"Bearer " + b64("admin:changeit"), "", "", false},
		{"Basic !!!", "", "", false},
		{"Basic", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		login, password, ok := parseBasic(tt.value)
		if ok != tt.ok || ok && (login != tt.login || password != tt.password) {
			t.Errorf("parseBasic(%q) = %q, %q, %v; want %q, %q, %v", tt.value, login, password, ok, tt.login, tt.password, tt.ok)
		}
	}
}

func FuzzParseBasic(f *testing.F) {
	f.Add("Basic YWRtaW46Y2hhbmdlaXQ=")
	f.Add("basic Og==")
	f.Add("Basic")
	f.Fuzz(func(t *testing.T, value string) {
		login, password, ok := parseBasic(value)
		if !ok {
			return
		}
		if login == "" {
			t.Fatalf("parseBasic(%q) accepted an empty login", value)
		}
		again, _, _ := parseBasic("Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+password)))
		if again != login {
			t.Fatalf("round trip of %q: login %q became %q", value, login, again)
		}
	})
}
