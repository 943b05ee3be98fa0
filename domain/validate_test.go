package domain_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/petitionledger/petitionledger/domain"
)

func TestCheckURL(t *testing.T) {
	domains := domain.DefaultConfig().AllowedURLDomains
	tests := []struct {
		url string
		ok  bool
	}{
		{"", true},
		{"https://parliament.uk/x", true},
		{"https://hansard.parliament.uk/debates/1", true},
		{"https://HANSARD.Parliament.UK/x", true},
		{"https://parliamentlive.tv/Event/Index/1", true},
		{"https://www.youtube.com/watch?v=1", true},
		{"https://youtube.com/watch?v=1", true},
		{"https://ukparliament.shorthandstories.com/x", true},
		{"http://hansard.parliament.uk/x", false},
		{"https://evilparliament.uk/x", false},
		{"https://parliament.uk.evil.com/x", false},
		{"https://notyoutube.com/x", false},
		{"https://youtu.be/x", false},
		{"https://user:pw@parliament.uk/x", false},
		{"https://parliament.uk:8443/x", false},
		{"javascript:alert(1)", false},
		{"parliament.uk/x", false},
		{"https://203.0.113.1/x", false},
		{"ftp://parliament.uk/x", false},
		{"https://parliament.uk./x", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := domain.CheckURL("video_url", tt.url, domains)
			if tt.ok {
				wantCode(t, err, "", "")
			} else {
				wantCode(t, err, domain.ECodeURLNotAllowed, "video_url")
			}
		})
	}
}

func TestFieldLimitsCountCharacters(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		name      string
		cmd       domain.CreatePetition
		wantCode  string
		wantField string
	}{
		{"Ok", domain.CreatePetition{Action: "a", Background: "b", Creator: creator()}, "", ""},
		{"Action80Multibyte", domain.CreatePetition{Action: strings.Repeat("é", 80), Background: "b", Creator: creator()}, "", ""},
		{"Action81", domain.CreatePetition{Action: strings.Repeat("a", 81), Background: "b", Creator: creator()},
			domain.ECodeFieldTooLong, "action"},
		{"ActionMissing", domain.CreatePetition{Action: "  ", Background: "b", Creator: creator()}, domain.ECodeRequired, "action"},
		{"Background301", domain.CreatePetition{Action: "a", Background: strings.Repeat("ü", 301), Creator: creator()},
			domain.ECodeFieldTooLong, "background"},
		{"Details800", domain.CreatePetition{Action: "a", Background: "b", AdditionalDetails: strings.Repeat("€", 800), Creator: creator()}, "", ""},
		{"Details801", domain.CreatePetition{Action: "a", Background: "b", AdditionalDetails: strings.Repeat("x", 801), Creator: creator()},
			domain.ECodeFieldTooLong, "additional_details"},
		{"InvalidUTF8", domain.CreatePetition{Action: "\xff", Background: "b", Creator: creator()}, domain.EINVALID, "action"},
		{"BadEmail", domain.CreatePetition{Action: "a", Background: "b", Creator: signer("Ada", "nope", "SW1A 1AA")},
			domain.ECodeInvalidEmail, "email"},
		{"NoName", domain.CreatePetition{Action: "a", Background: "b", Creator: signer("", "a@b.org", "SW1A 1AA")},
			domain.ECodeRequired, "name"},
		{"GBNeedsPostcode", domain.CreatePetition{Action: "a", Background: "b",
			Creator: domain.SignerInput{Name: "A", Email: "a@b.org", Country: "GB"}}, domain.ECodeRequired, "postcode"},
		{"BadPostcode", domain.CreatePetition{Action: "a", Background: "b", Creator: signer("A", "a@b.org", "NOT A PC")},
			domain.ECodeInvalidPostcode, "postcode"},
		{"AbroadNoPostcode", domain.CreatePetition{Action: "a", Background: "b", Creator: signer("A", "a@b.org", "")}, "", ""},
		{"UnknownCountry", domain.CreatePetition{Action: "a", Background: "b",
			Creator: domain.SignerInput{Name: "A", Email: "a@b.org", Country: "XX"}}, domain.ECodeInvalidCountry, "country"},
		{"NoCountry", domain.CreatePetition{Action: "a", Background: "b",
			Creator: domain.SignerInput{Name: "A", Email: "a@b.org"}}, domain.ECodeRequired, "country"},
		{"BadIP", domain.CreatePetition{Action: "a", Background: "b",
			Creator: domain.SignerInput{Name: "A", Email: "a@b.org", Country: "FR", IP: "1.2.3"}}, domain.ECodeInvalidIP, "ip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := r.CreatePetition(tt.cmd, 1, newID(), t0)
			wantCode(t, err, tt.wantCode, tt.wantField)
		})
	}
}

func TestErrorIsAndMessage(t *testing.T) {
	err := domain.Errorf(domain.ECodeFieldTooLong, "action", "too long")
	if !strings.Contains(err.Error(), "field_too_long") || !strings.Contains(err.Error(), "action") {
		t.Errorf("Error() = %q", err.Error())
	}
	for _, tt := range []struct {
		target *domain.Error
		want   bool
	}{
		{&domain.Error{Code: domain.ECodeFieldTooLong}, true},
		{&domain.Error{Code: domain.ECodeFieldTooLong, Field: "action"}, true},
		{&domain.Error{Code: domain.ECodeFieldTooLong, Field: "background"}, false},
		{&domain.Error{Code: domain.ECodeRequired}, false},
	} {
		if got := err.Is(tt.target); got != tt.want {
			t.Errorf("Is(%+v) = %v, want %v", tt.target, got, tt.want)
		}
	}
	if got := domain.ErrorCode(strings.NewReader("").UnreadByte()); got != domain.EINTERNAL {
		t.Errorf("ErrorCode(other) = %q, want internal", got)
	}
	if got := domain.ErrorCode(nil); got != "" {
		t.Errorf("ErrorCode(nil) = %q", got)
	}
}

// FuzzCheckURL checks that every accepted URL is https on an allowed host.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://hansard.parliament.uk/x", "https://evilparliament.uk", "http://youtube.com",
		"https://youtube.com@evil.com/", "https://evil.com\\@youtube.com", "https://parliament.uk%2eevil.com/"} {
		f.Add(s)
	}
	domains := domain.DefaultConfig().AllowedURLDomains
	f.Fuzz(func(t *testing.T, raw string) {
		err := domain.CheckURL("url", raw, domains)
		if err != nil {
			if domain.ErrorCode(err) != domain.ECodeURLNotAllowed {
				t.Fatalf("err = %v", err)
			}
			return
		}
		if raw == "" {
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.Scheme != "https" {
			t.Fatalf("accepted %q", raw)
		}
		host := strings.ToLower(u.Hostname())
		ok := false
		for _, d := range domains {
			ok = ok || host == d || strings.HasSuffix(host, "."+d)
		}
		if !ok {
			t.Fatalf("accepted %q with host %q", raw, host)
		}
	})
}
