package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// decodeJSON reads the request body into v strictly: the content type must
// be JSON, the body at most maxBytes, every key known, the types right and
// nothing after the value. Errors are problems naming the field at fault.
func decodeJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return newProblem(CodeUnsupportedMedia, "", "Send the body as application/json.")
		}
	}
	body := http.MaxBytesReader(w, r.Body, maxBytes)
	return decodeStrict(body, v)
}

// decodeStrict decodes exactly one JSON value from rd into v.
func decodeStrict(rd io.Reader, v any) error {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return jsonProblem(err)
		}
		return newProblem(CodeMalformedJSON, "", "The body must hold exactly one JSON object.")
	}
	return nil
}

// jsonProblem names what is wrong with a body.
func jsonProblem(err error) error {
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooBig):
		return newProblem(CodeBodyTooLarge, "", "The body is too large.")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return newProblem(CodeWrongType, field, "The field "+quote(field)+" must be a JSON "+jsonKind(typeErr.Type.Kind().String())+".")
	case errors.As(err, &synErr), errors.Is(err, io.ErrUnexpectedEOF):
		return newProblem(CodeMalformedJSON, "", "The body is not valid JSON.")
	case errors.Is(err, io.EOF):
		return newProblem(CodeMalformedJSON, "", "The body is empty; send a JSON object.")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field := strings.Trim(name, `"`)
		return newProblem(CodeUnknownField, field, "Unknown field "+quote(field)+".")
	}
	return newProblem(CodeMalformedJSON, "", "The body is not valid JSON.")
}

func quote(s string) string { return `"` + s + `"` }

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}
