package httpapi

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// Role is what an admin token may do.
type Role string

// Roles.
const (
	RoleModerator  Role = "moderator"  // moderation, closing, invalidations
	RoleGovernment Role = "government" // government responses
	RoleCommittee  Role = "committee"  // debates and other business
	RoleAuditor    Role = "auditor"    // read any petition, whatever its state
)

// Roles lists every role.
var Roles = []Role{RoleModerator, RoleGovernment, RoleCommittee, RoleAuditor}

// ErrBadToken reports a malformed token specification.
var ErrBadToken = errors.New("httpapi: bad token specification")

// minTokenLen is the shortest token accepted at start: shorter ones are
// guessable.
const minTokenLen = 16

// Tokens is the set of admin bearer tokens. Only SHA-256 hashes are kept;
// a presented token is hashed and compared with every stored hash in
// constant time, so neither the match nor its position leaks by timing.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	hash [sha256.Size]byte
	role Role
}

// Add registers a token for a role.
func (t *Tokens) Add(role Role, token string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("%w: unknown role %q (want one of %v)", ErrBadToken, role, Roles)
	}
	if len(token) < minTokenLen {
		return fmt.Errorf("%w: a %s token must be at least %d characters", ErrBadToken, role, minTokenLen)
	}
	t.entries = append(t.entries, tokenEntry{hash: sha256.Sum256([]byte(token)), role: role})
	return nil
}

// AddSpec parses "role:token" and registers it.
func (t *Tokens) AddSpec(spec string) error {
	role, token, ok := strings.Cut(strings.TrimSpace(spec), ":")
	if !ok {
		return fmt.Errorf("%w: want role:token", ErrBadToken)
	}
	return t.Add(Role(strings.TrimSpace(role)), strings.TrimSpace(token))
}

// AddList parses a comma-separated list of "role:token".
func (t *Tokens) AddList(list string) error {
	for _, spec := range strings.Split(list, ",") {
		if strings.TrimSpace(spec) == "" {
			continue
		}
		if err := t.AddSpec(spec); err != nil {
			return err
		}
	}
	return nil
}

// AddFile reads one "role:token" per line; blank lines and lines starting
// with # are ignored. Errors name the line, never the token.
func (t *Tokens) AddFile(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := t.AddSpec(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// Len is the number of tokens.
func (t *Tokens) Len() int { return len(t.entries) }

// lookup returns the roles of a presented token (none when unknown). It
// always compares with every entry.
func (t *Tokens) lookup(token string) []Role {
	h := sha256.Sum256([]byte(token))
	var roles []Role
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(h[:], e.hash[:]) == 1 {
			roles = append(roles, e.role)
		}
	}
	return roles
}

// authorize checks the request's bearer token against role: a missing or
// unknown token is 401, a valid token without the role is 403.
func (t *Tokens) authorize(r *http.Request, role Role) error {
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return newProblem(CodeUnauthorized, "", "Send an admin token: Authorization: Bearer <token>.")
	}
	roles := t.lookup(strings.TrimSpace(token))
	if len(roles) == 0 {
		return newProblem(CodeUnauthorized, "", "The token is not valid.")
	}
	if !slices.Contains(roles, role) {
		return newProblem(CodeForbidden, "", "This token does not have the "+string(role)+" role.")
	}
	return nil
}
