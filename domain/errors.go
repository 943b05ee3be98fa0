package domain

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: callers (the HTTP layer, the CLI, tests)
// switch on them, so a code is never renamed once published.
const (
	// Generic classes, after benbjohnson/wtf.
	ECONFLICT = "conflict"
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
	EINTERNAL = "internal"

	// Input rules.
	ECodeRequired        = "required"
	ECodeFieldTooLong    = "field_too_long"
	ECodeInvalidEmail    = "invalid_email"
	ECodeInvalidPostcode = "invalid_postcode"
	ECodeInvalidCountry  = "invalid_country"
	ECodeInvalidDate     = "invalid_date"
	ECodeInvalidIP       = "invalid_ip"
	ECodeURLNotAllowed   = "url_not_allowed"
	ECodeInvalidCode     = "invalid_rejection_code"
	ECodeNoCriteria      = "no_criteria"

	// Petition lifecycle.
	ECodePetitionNotFound  = "petition_not_found"
	ECodePetitionExists    = "petition_exists"
	ECodePetitionNotOpen   = "petition_not_open"
	ECodePetitionClosed    = "petition_closed"
	ECodeInvalidTransition = "invalid_transition"
	ECodeTooManySponsors   = "too_many_sponsors"
	ECodeNotDue            = "not_due"
	ECodeAlreadyDone       = "already_done"

	// Signatures.
	ECodeTooManySignatures  = "too_many_signatures"
	ECodeDuplicateSignature = "duplicate_signature"
	ECodeSignatureNotFound  = "signature_not_found"
	ECodeInvalidToken       = "invalid_token"
	ECodeValidationExpired  = "validation_window_closed"

	// Invalidations.
	ECodeInvalidationNotFound = "invalidation_not_found"
)

// Error is the one error type the domain returns to callers. Code is stable
// and machine-readable, Field names the offending input field (empty when the
// error is not about one field), Message is written for a person and says
// what to do.
//
// Errors compare with errors.Is by Code (and Field when the target sets
// one), so errors.Is(err, &domain.Error{Code: domain.ECodeFieldTooLong})
// matches any field-too-long error.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("domain: %s (%s): %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("domain: %s: %s", e.Code, e.Message)
}

// Is reports whether target is an *Error with the same Code and, when the
// target names a field, the same Field.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Field == "" || t.Field == e.Field)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorField returns the field of the *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns the human message of the *Error in err's chain, or a
// generic message that reveals nothing internal.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
