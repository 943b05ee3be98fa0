package domain

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Field validation. Every error names its field.

// checkRequired rejects an empty (or all-space) value.
func checkRequired(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return Errorf(ECodeRequired, field, "Enter the %s.", humanField(field))
	}
	return nil
}

// checkLength rejects a value longer than max characters (runes).
func checkLength(field, value string, max int) error {
	if !utf8.ValidString(value) {
		return Errorf(EINVALID, field, "The %s contains invalid characters.", humanField(field))
	}
	if n := utf8.RuneCountInString(value); n > max {
		return Errorf(ECodeFieldTooLong, field, "The %s is %d characters long; it must be %d characters or fewer.",
			humanField(field), n, max)
	}
	return nil
}

// checkText is checkRequired then checkLength.
func checkText(field, value string, max int) error {
	if err := checkRequired(field, value); err != nil {
		return err
	}
	return checkLength(field, value, max)
}

// checkInputDate parses a YYYY-MM-DD date.
func checkInputDate(field, value string) error {
	if _, err := time.Parse(DateLayout, value); err != nil {
		return Errorf(ECodeInvalidDate, field, "Enter the %s as a date like 2022-03-21.", humanField(field))
	}
	return nil
}

// CheckURL accepts an empty URL or an https URL whose host is one of
// domains or a subdomain of one ("hansard.parliament.uk"). Look-alikes such as
// "evilparliament.uk" or "parliament.uk.evil.com" are rejected, as are
// credentials, ports and IP-address hosts.
func CheckURL(field, raw string, domains []string) error {
	if raw == "" {
		return nil
	}
	notAllowed := Errorf(ECodeURLNotAllowed, field,
		"The %s must be an https link on %s.", humanField(field), strings.Join(domains, ", "))
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || u.Opaque != "" {
		return notAllowed
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range domains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return nil
		}
	}
	return notAllowed
}

// humanField turns "additional_details" into "additional details".
func humanField(field string) string { return strings.ReplaceAll(field, "_", " ") }
