package domain

import (
	"time"
	_ "time/tzdata" // Europe/London without relying on the host's zoneinfo
)

// Config holds every threshold and duration of the rules. DefaultConfig
// returns the values of the UK petitions service.
type Config struct {
	SponsorThreshold      int           // validated sponsors needed for moderation (5)
	MaxSponsors           int           // sponsors allowed (20)
	PetitionMonths        int           // how long a petition runs (6 months)
	ValidationGrace       time.Duration // validation allowed after close (24 h)
	ResponseThreshold     int           // signatures for a government response (10,000)
	DebateThreshold       int           // signatures for a debate (100,000)
	MaxSignaturesPerEmail int           // per petition and canonical email (2)
	Limits                FieldLimits
	Rate                  RateLimits
	AllowedURLDomains     []string       // debate URL domains (and their subdomains)
	RejectionCodes        []string       // accepted rejection codes
	HiddenRejectionCodes  []string       // rejection codes that hide the petition
	Zone                  *time.Location // where "end of the day" is (Europe/London)
}

// FieldLimits bounds input fields, in characters (runes), not bytes.
type FieldLimits struct {
	Action            int // 80
	Background        int // 300
	AdditionalDetails int // 800
	ResponseSummary   int // 200
	ResponseDetails   int // 6000
	Name              int // 255
	Email             int // 254
	RejectionDetails  int // 4000
	DebateOverview    int // 6000
	BusinessSubject   int // 200
	BusinessBody      int // 6000
	Reason            int // 500
}

// RateLimits are the per-IP, per-petition signing limits: more than
// Burst.Max signatures in Burst.Window, or more than Sustained.Max in
// Sustained.Window, is over the limit.
type RateLimits struct {
	Burst     RateRule
	Sustained RateRule
}

// RateRule allows at most Max events in any Window.
type RateRule struct {
	Max    int
	Window time.Duration
}

// DefaultConfig returns the rules of the UK petitions service.
func DefaultConfig() Config {
	zone, err := time.LoadLocation("Europe/London")
	if err != nil { // cannot happen with time/tzdata embedded
		zone = time.UTC
	}
	return Config{
		SponsorThreshold:      5,
		MaxSponsors:           20,
		PetitionMonths:        6,
		ValidationGrace:       24 * time.Hour,
		ResponseThreshold:     10_000,
		DebateThreshold:       100_000,
		MaxSignaturesPerEmail: 2,
		Limits: FieldLimits{
			Action: 80, Background: 300, AdditionalDetails: 800,
			ResponseSummary: 200, ResponseDetails: 6000,
			Name: 255, Email: 254, RejectionDetails: 4000, DebateOverview: 6000,
			BusinessSubject: 200, BusinessBody: 6000, Reason: 500,
		},
		Rate: RateLimits{
			Burst:     RateRule{Max: 1, Window: 60 * time.Second},
			Sustained: RateRule{Max: 5, Window: 300 * time.Second},
		},
		AllowedURLDomains: []string{"parliament.uk", "parliamentlive.tv", "youtube.com", "shorthandstories.com"},
		RejectionCodes: []string{"duplicate", "irrelevant", "no-action", "honours", "fake-name", "foi",
			"libellous", "offensive", "not-suitable"},
		HiddenRejectionCodes: []string{"libellous", "offensive"},
		Zone:                 zone,
	}
}

func (c Config) zone() *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}
