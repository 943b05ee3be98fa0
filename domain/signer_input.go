package domain

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Rules bundles the configuration with the keyed services the decisions
// need. All fields are required.
type Rules struct {
	Config Config
	Hasher *Hasher
	Keys   *Keyring
	Places Places
}

// SignerInput is what a person types to sign (or create, or sponsor) a
// petition, plus the address they came from. It is plaintext and never
// leaves the process except as keyed hashes and sealed data.
type SignerInput struct {
	Name          string
	Email         string
	Postcode      string // required only when Country is "GB"
	Country       string // ISO 3166 alpha-2; "GB" for the UK
	IP            string // the client address; empty if unknown
	NotifyByEmail bool
}

// PrepareSignature validates in and builds the SignatureSigned event for a
// new signature (pending), hashing and sealing personal data. It does not
// decide whether the signature is allowed: see Signer.Sign.
func (r Rules) PrepareSignature(in SignerInput, petitionID int64, sigID uuid.UUID, kind SignatureKind, now time.Time) (SignatureSigned, error) {
	lim := r.Config.Limits
	if err := checks(checkText("name", in.Name, lim.Name), checkLength("email", in.Email, lim.Email)); err != nil {
		return SignatureSigned{}, err
	}
	canonical, err := CanonicalEmail(in.Email)
	if err != nil {
		return SignatureSigned{}, err
	}
	domain, _ := EmailDomain(in.Email) // well-formed: checked above
	loc, postcode, err := r.locate(in)
	if err != nil {
		return SignatureSigned{}, err
	}
	ipHash, prefixes, err := r.hashIP(in.IP)
	if err != nil {
		return SignatureSigned{}, err
	}
	sealed, err := r.Keys.SealPersonal(PersonalData{Name: strings.TrimSpace(in.Name), Email: strings.TrimSpace(in.Email)},
		SignatureAAD(petitionID, sigID))
	if err != nil {
		return SignatureSigned{}, fmt.Errorf("domain: seal personal data: %w", err)
	}
	return SignatureSigned{SignatureID: sigID, PetitionID: petitionID, SignerKey: r.Hasher.SignerKey(canonical),
		Kind: kind, Location: loc, From: SigNone, To: SigPending, NameHash: r.Hasher.Name(in.Name),
		PostcodeHash: r.Hasher.Postcode(postcode), IPHash: ipHash, IPPrefixHashes: prefixes,
		EmailDomainHash: r.Hasher.EmailDomain(domain), Sealed: sealed, NotifyByEmail: in.NotifyByEmail,
		At: now.UTC()}, nil
}

// locate checks the country and postcode and returns the location.
func (r Rules) locate(in SignerInput) (Location, string, error) {
	country := strings.ToUpper(strings.TrimSpace(in.Country))
	if country == "" {
		return Location{}, "", Errorf(ECodeRequired, "country", "Choose the country you live in.")
	}
	if !r.Places.KnownCountry(country) {
		return Location{}, "", Errorf(ECodeInvalidCountry, "country", "Choose a country from the list.")
	}
	if country != "GB" {
		return Location{Country: country}, "", nil
	}
	if strings.TrimSpace(in.Postcode) == "" {
		return Location{}, "", Errorf(ECodeRequired, "postcode", "Enter your postcode; it is required for the UK.")
	}
	pc, err := r.Places.NormalizePostcode(in.Postcode)
	if err != nil {
		return Location{}, "", Errorf(ECodeInvalidPostcode, "postcode", "Enter a real UK postcode, like SW1A 1AA.")
	}
	ons, region := r.Places.Locate(pc)
	return Location{Constituency: ons, Country: country, Region: region}, pc, nil
}

// hashIP hashes a client address and its prefixes; empty means unknown.
func (r Rules) hashIP(raw string) (string, []PrefixHash, error) {
	if raw == "" {
		return "", nil, nil
	}
	ip, err := netip.ParseAddr(raw)
	if err != nil {
		return "", nil, Errorf(ECodeInvalidIP, "ip", "The client address is not an IP address.")
	}
	return r.Hasher.IP(ip), r.Hasher.IPPrefixes(ip), nil
}

// CreatePetition is the command to start a petition.
type CreatePetition struct {
	Action            string
	Background        string
	AdditionalDetails string
	Creator           SignerInput
}

// CreatePetition validates cmd and returns the petition's first event and
// the creator's (pending) signature.
func (r Rules) CreatePetition(cmd CreatePetition, petitionID int64, creatorSigID uuid.UUID, now time.Time) (PetitionCreated, SignatureSigned, error) {
	lim := r.Config.Limits
	if err := checks(checkText("action", cmd.Action, lim.Action),
		checkText("background", cmd.Background, lim.Background),
		checkLength("additional_details", cmd.AdditionalDetails, lim.AdditionalDetails)); err != nil {
		return PetitionCreated{}, SignatureSigned{}, err
	}
	sig, err := r.PrepareSignature(cmd.Creator, petitionID, creatorSigID, KindCreator, now)
	if err != nil {
		return PetitionCreated{}, SignatureSigned{}, err
	}
	created := PetitionCreated{PetitionID: petitionID, Action: strings.TrimSpace(cmd.Action),
		Background: strings.TrimSpace(cmd.Background), AdditionalDetails: strings.TrimSpace(cmd.AdditionalDetails),
		CreatorKey: sig.SignerKey, CreatorSignatureID: creatorSigID, CreatorSealed: sig.Sealed, At: now.UTC()}
	return created, sig, nil
}

// SignerKeyFor returns the signer key of an email address, or an *Error.
func (r Rules) SignerKeyFor(email string) (string, error) {
	canonical, err := CanonicalEmail(email)
	if err != nil {
		return "", err
	}
	return r.Hasher.SignerKey(canonical), nil
}
