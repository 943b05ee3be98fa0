package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/projections"
)

// Problem codes of the HTTP layer itself. Like the domain's codes they are
// stable: a client may switch on them.
const (
	CodeMalformedJSON      = "malformed_json"
	CodeUnknownField       = "unknown_field"
	CodeWrongType          = "wrong_type"
	CodeBodyTooLarge       = "body_too_large"
	CodeUnsupportedMedia   = "unsupported_media_type"
	CodeInvalidParameter   = "invalid_parameter"
	CodeUnauthorized       = "unauthorized"
	CodeForbidden          = "forbidden"
	CodeRateLimited        = "rate_limited"
	CodeNotFound           = domain.ENOTFOUND
	CodeMethodNotAllowed   = "method_not_allowed"
	CodeAsOfUnavailable    = "as_of_unavailable"
	CodeAsOfInFuture       = "as_of_in_future"
	CodeUnavailable        = "unavailable"
	CodeInternal           = domain.EINTERNAL
	CodeShuttingDown       = "shutting_down"
	CodePositionNotReached = "position_not_reached"
)

// Problem is an RFC 9457 problem detail with the ledger's extensions: a
// stable Code and, for validation errors, the Field at fault.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
}

// problemStatus maps every stable code to its HTTP status: the one table.
var problemStatus = map[string]int{
	// Domain: input rules.
	domain.EINVALID:             http.StatusUnprocessableEntity,
	domain.ECodeRequired:        http.StatusUnprocessableEntity,
	domain.ECodeFieldTooLong:    http.StatusUnprocessableEntity,
	domain.ECodeInvalidEmail:    http.StatusUnprocessableEntity,
	domain.ECodeInvalidPostcode: http.StatusUnprocessableEntity,
	domain.ECodeInvalidCountry:  http.StatusUnprocessableEntity,
	domain.ECodeInvalidDate:     http.StatusUnprocessableEntity,
	domain.ECodeInvalidIP:       http.StatusUnprocessableEntity,
	domain.ECodeURLNotAllowed:   http.StatusUnprocessableEntity,
	domain.ECodeInvalidCode:     http.StatusUnprocessableEntity,
	domain.ECodeNoCriteria:      http.StatusUnprocessableEntity,
	// Domain: not found.
	domain.ENOTFOUND:                 http.StatusNotFound,
	domain.ECodePetitionNotFound:     http.StatusNotFound,
	domain.ECodeSignatureNotFound:    http.StatusNotFound,
	domain.ECodeInvalidationNotFound: http.StatusNotFound,
	// Domain: conflicts with the current state.
	domain.ECONFLICT:               http.StatusConflict,
	domain.ECodePetitionExists:     http.StatusConflict,
	domain.ECodePetitionNotOpen:    http.StatusConflict,
	domain.ECodePetitionClosed:     http.StatusConflict,
	domain.ECodeInvalidTransition:  http.StatusConflict,
	domain.ECodeTooManySponsors:    http.StatusConflict,
	domain.ECodeNotDue:             http.StatusConflict,
	domain.ECodeAlreadyDone:        http.StatusConflict,
	domain.ECodeTooManySignatures:  http.StatusConflict,
	domain.ECodeDuplicateSignature: http.StatusConflict,
	domain.ECodeInvalidToken:       http.StatusForbidden,
	domain.ECodeValidationExpired:  http.StatusGone,
	domain.EINTERNAL:               http.StatusInternalServerError,
	// HTTP layer.
	CodeMalformedJSON:      http.StatusBadRequest,
	CodeUnknownField:       http.StatusBadRequest,
	CodeWrongType:          http.StatusBadRequest,
	CodeBodyTooLarge:       http.StatusRequestEntityTooLarge,
	CodeUnsupportedMedia:   http.StatusUnsupportedMediaType,
	CodeInvalidParameter:   http.StatusBadRequest,
	CodeUnauthorized:       http.StatusUnauthorized,
	CodeForbidden:          http.StatusForbidden,
	CodeRateLimited:        http.StatusTooManyRequests,
	CodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	CodeAsOfUnavailable:    http.StatusNotImplemented,
	CodeAsOfInFuture:       http.StatusBadRequest,
	CodeUnavailable:        http.StatusServiceUnavailable,
	CodeShuttingDown:       http.StatusServiceUnavailable,
	CodePositionNotReached: http.StatusServiceUnavailable,
}

// statusOf returns the status of a code (500 for an unknown one).
func statusOf(code string) int {
	if s, ok := problemStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// newProblem builds a problem for code.
func newProblem(code, field, detail string) *Problem {
	status := statusOf(code)
	return &Problem{Type: "/problems/" + code, Title: http.StatusText(status), Status: status,
		Detail: detail, Code: code, Field: field}
}

func (p *Problem) Error() string {
	if p.Field != "" {
		return "httpapi: " + p.Code + " (" + p.Field + "): " + p.Detail
	}
	return "httpapi: " + p.Code + ": " + p.Detail
}

// problemFor turns any error into a problem. Domain errors keep their code,
// field and message; store and projection failures become "unavailable";
// anything else is "internal" with a message that reveals nothing.
func problemFor(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EINTERNAL {
		return newProblem(de.Code, de.Field, de.Message)
	}
	switch {
	case errors.Is(err, eventstore.ErrUnavailable), errors.Is(err, eventstore.ErrClosed),
		errors.Is(err, projections.ErrRunnerStopped):
		return newProblem(CodeUnavailable, "", "The ledger is unavailable; try again shortly.")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, projections.ErrPositionNotReached):
		return newProblem(CodeUnavailable, "", "The ledger did not answer in time; try again.")
	case errors.Is(err, projections.ErrPetitionNotFound):
		return newProblem(CodeNotFound, "", "There is no such petition.")
	}
	return newProblem(CodeInternal, "", "Internal error.")
}

// writeProblem sends p as application/problem+json. Internal errors are
// logged (the error text, never a request body); client errors are not.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := *problemFor(err)
	p.Instance = r.URL.Path
	if p.Status >= 500 {
		s.log.Error("httpapi: request failed", slog.String("route", routeOf(w)),
			slog.Int("status", p.Status), slog.String("code", p.Code), slog.Any("error", err))
	}
	writeProblemBody(w, &p)
}

func writeProblemBody(w http.ResponseWriter, p *Problem) {
	body, _ := marshalJSON(p)
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

// problemDocs explains each code, served at /problems/{code}.
func problemDoc(code string) (string, bool) {
	status, ok := problemStatus[code]
	if !ok {
		return "", false
	}
	return code + ": HTTP " + strconv.Itoa(status) + " " + http.StatusText(status) +
		".\nThis code is stable: clients may switch on it. See the \"field\" member for the input at fault.\n", true
}
