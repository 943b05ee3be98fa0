package domain

import (
	"net/mail"
	"strings"
)

// CanonicalEmail returns the address used to tell signers apart: trimmed and
// lower-cased, with any "+tag" stripped from the local part; for gmail.com
// (and googlemail.com, which becomes gmail.com) the dots of the local part are
// removed too. A malformed address is an *Error with code invalid_email on
// field "email".
func CanonicalEmail(email string) (string, error) {
	local, domain, err := splitEmail(email)
	if err != nil {
		return "", err
	}
	local = strings.ToLower(local)
	domain = strings.ToLower(domain)
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	canonical := local + "@" + domain
	// Stripping a tag can leave a malformed address ("a.+x@b.org" -> "a.@b.org").
	if _, _, err := splitEmail(canonical); err != nil {
		return "", invalidEmail()
	}
	return canonical, nil
}

// EmailDomain returns the lower-cased domain of a well-formed address.
func EmailDomain(email string) (string, error) {
	_, domain, err := splitEmail(email)
	if err != nil {
		return "", err
	}
	return strings.ToLower(domain), nil
}

// splitEmail checks that email is a bare, well-formed address
// ("name@example.org", no display name, a dot in the domain) and splits it.
func splitEmail(email string) (local, domain string, err error) {
	email = strings.TrimSpace(email)
	if email == "" || len(email) > 254 {
		return "", "", invalidEmail()
	}
	if local, domain, ok := splitSimpleEmail(email); ok {
		return local, domain, nil
	}
	addr, perr := mail.ParseAddress(email)
	if perr != nil || addr.Name != "" || addr.Address != email {
		return "", "", invalidEmail()
	}
	at := strings.LastIndexByte(email, '@')
	local, domain = email[:at], email[at+1:]
	if local == "" || !validDomain(domain) || strings.ContainsAny(local, "\"\\ ") {
		return "", "", invalidEmail()
	}
	return local, domain, nil
}

func validDomain(domain string) bool {
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func invalidEmail() error {
	return Errorf(ECodeInvalidEmail, "email", "Enter an email address in the correct format, like name@example.com.")
}

// splitSimpleEmail recognises the common address shape without net/mail:
// a local part of letters, digits and "._+-" (no leading, trailing or
// doubled dot), one "@", and a domain validDomain accepts. Every such address
// is a dot-atom that mail.ParseAddress accepts unchanged (FuzzSimpleEmail
// checks this), so splitEmail may skip the parser for it.
func splitSimpleEmail(email string) (local, domain string, ok bool) {
	at := strings.IndexByte(email, '@')
	if at <= 0 {
		return "", "", false
	}
	local, domain = email[:at], email[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", "", false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return "", "", false
		}
	}
	if !validDomain(domain) {
		return "", "", false
	}
	return local, domain, true
}
