package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// InvalidationRequest is an administrator's request in plaintext. Rules.
// RequestInvalidation turns it into criteria of keyed hashes; the plaintext
// is never stored.
type InvalidationRequest struct {
	PetitionID    int64 // 0: every petition
	Name          string
	Postcode      string
	IP            string // an address, or a CIDR of a supported size (see PrefixBits)
	Email         string
	EmailDomain   string
	Constituency  string // ONS code
	Country       string
	CreatedAfter  time.Time
	CreatedBefore time.Time
	Reason        string
}

// RequestInvalidation validates req and returns the InvalidationRequested
// event. At least one criterion besides the petition is required.
func (r Rules) RequestInvalidation(req InvalidationRequest, id uuid.UUID, now time.Time) (InvalidationRequested, error) {
	c := InvalidationCriteria{PetitionID: req.PetitionID, Constituency: strings.ToUpper(strings.TrimSpace(req.Constituency)),
		Country: strings.ToUpper(strings.TrimSpace(req.Country))}
	if req.PetitionID < 0 {
		return InvalidationRequested{}, Errorf(EINVALID, "petition_id", "Enter a petition number.")
	}
	if strings.TrimSpace(req.Name) != "" {
		c.NameHash = r.Hasher.Name(req.Name)
	}
	if strings.TrimSpace(req.Postcode) != "" {
		pc, err := r.Places.NormalizePostcode(req.Postcode)
		if err != nil {
			return InvalidationRequested{}, Errorf(ECodeInvalidPostcode, "postcode", "Enter a real UK postcode, like SW1A 1AA.")
		}
		c.PostcodeHash = r.Hasher.Postcode(pc)
	}
	if strings.TrimSpace(req.IP) != "" {
		prefix, ipHash, err := r.Hasher.Prefix(req.IP)
		if err != nil {
			return InvalidationRequested{}, err
		}
		c.IPPrefix, c.IPHash = prefix, ipHash
	}
	if strings.TrimSpace(req.Email) != "" {
		key, err := r.SignerKeyFor(req.Email)
		if err != nil {
			return InvalidationRequested{}, err
		}
		c.SignerKey = key
	}
	if d := strings.TrimSpace(req.EmailDomain); d != "" {
		if !validDomain(d) {
			return InvalidationRequested{}, Errorf(EINVALID, "email_domain", "Enter a domain like example.com.")
		}
		c.EmailDomainHash = r.Hasher.EmailDomain(d)
	}
	if !req.CreatedAfter.IsZero() {
		t := req.CreatedAfter.UTC()
		c.CreatedAfter = &t
	}
	if !req.CreatedBefore.IsZero() {
		t := req.CreatedBefore.UTC()
		c.CreatedBefore = &t
	}
	if !c.hasCriterion() {
		return InvalidationRequested{}, Errorf(ECodeNoCriteria, "criteria",
			"Give at least one criterion besides the petition: name, postcode, IP, email, domain, constituency, country or dates.")
	}
	if err := checkLength("reason", req.Reason, r.Config.Limits.Reason); err != nil {
		return InvalidationRequested{}, err
	}
	return InvalidationRequested{InvalidationID: id, Criteria: c, Reason: req.Reason, At: now.UTC()}, nil
}

// Matches reports whether a signature by signerKey on petitionID meets every
// criterion.
func (c InvalidationCriteria) Matches(petitionID int64, signerKey string, s SignatureRecord) bool {
	return (c.PetitionID == 0 || c.PetitionID == petitionID) &&
		(c.NameHash == "" || c.NameHash == s.NameHash) &&
		(c.PostcodeHash == "" || c.PostcodeHash == s.PostcodeHash) &&
		(c.IPHash == "" || c.IPHash == s.IPHash) &&
		(c.IPPrefix == nil || hasPrefix(s.IPPrefixHashes, *c.IPPrefix)) &&
		(c.SignerKey == "" || c.SignerKey == signerKey) &&
		(c.EmailDomainHash == "" || c.EmailDomainHash == s.EmailDomain) &&
		(c.Constituency == "" || c.Constituency == s.Location.Constituency) &&
		(c.Country == "" || c.Country == s.Location.Country) &&
		(c.CreatedAfter == nil || s.SignedAt.After(*c.CreatedAfter)) &&
		(c.CreatedBefore == nil || s.SignedAt.Before(*c.CreatedBefore))
}

// MatchesSigned is Matches for the signature a SignatureSigned event
// records (every criterion depends only on what that event carries).
func (c InvalidationCriteria) MatchesSigned(e SignatureSigned) bool {
	return c.Matches(e.PetitionID, e.SignerKey, SignatureRecord{Location: e.Location, NameHash: e.NameHash,
		PostcodeHash: e.PostcodeHash, IPHash: e.IPHash, IPPrefixHashes: e.IPPrefixHashes,
		EmailDomain: e.EmailDomainHash, SignedAt: e.At})
}

func hasPrefix(hashes []PrefixHash, want PrefixHash) bool {
	for _, h := range hashes {
		if h == want {
			return true
		}
	}
	return false
}

// Invalidation is the state of one invalidation stream.
type Invalidation struct {
	ID        uuid.UUID
	Criteria  InvalidationCriteria
	Reason    string
	Requested time.Time
	Completed *InvalidationCompleted
	Version   int
}

// Apply folds one event of an invalidation stream.
func (v *Invalidation) Apply(e Event) error {
	switch e := e.(type) {
	case InvalidationRequested:
		if v.Version != 0 {
			return ErrMalformedEvent
		}
		v.ID, v.Criteria, v.Reason, v.Requested = e.InvalidationID, e.Criteria, e.Reason, e.At
	case InvalidationCompleted:
		if v.Version == 0 || v.Completed != nil {
			return ErrMalformedEvent
		}
		c := e
		v.Completed = &c
	default:
		return ErrMalformedEvent
	}
	v.Version++
	return nil
}

// Complete decides the completion with its counts.
func (v *Invalidation) Complete(matching, invalidated int, now time.Time) ([]Event, error) {
	if v.Version == 0 {
		return nil, Errorf(ECodeInvalidationNotFound, "", "There is no such invalidation.")
	}
	if v.Completed != nil {
		return nil, Errorf(ECodeAlreadyDone, "", "This invalidation is already complete.")
	}
	return []Event{InvalidationCompleted{InvalidationID: v.ID, MatchingCount: matching,
		InvalidatedCount: invalidated, At: now.UTC()}}, nil
}
