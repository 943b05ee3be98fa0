package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// sign prepares and decides one signature, applying it to s on success.
func sign(tb testing.TB, r domain.Rules, p *domain.Petition, s *domain.Signer, in domain.SignerInput,
	kind domain.SignatureKind, at time.Time, opts domain.SignOptions) ([]domain.Event, error) {
	tb.Helper()
	sig, err := r.PrepareSignature(in, p.ID, uuid.New(), kind, at)
	if err != nil {
		return nil, err
	}
	events, err := s.Sign(r.Config, p, sig, opts)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := s.Apply(e); err != nil {
			tb.Fatal(err)
		}
	}
	return events, nil
}

func TestSignRules(t *testing.T) {
	r := mustRules(t)
	open := newPetition(t, r, domain.StateOpen)
	type attempt struct {
		in   domain.SignerInput
		kind domain.SignatureKind
	}
	ada := signer("Ada Lovelace", "ada@gmail.com", "SW1A 1AA")
	tests := []struct {
		name      string
		state     domain.PetitionState
		at        time.Time
		prior     []domain.SignerInput // earlier signatures by the same email
		try       attempt
		wantCode  string
		wantField string
	}{
		{"OpenFirst", domain.StateOpen, t0, nil, attempt{ada, domain.KindSigner}, "", ""},
		{"SecondDifferentNameSamePostcode", domain.StateOpen, t0,
			[]domain.SignerInput{ada}, attempt{signer("Charles Babbage", "a.d.a+x@googlemail.com", "sw1a1aa"), domain.KindSigner}, "", ""},
		{"SecondSameName", domain.StateOpen, t0,
			[]domain.SignerInput{ada}, attempt{signer("ADA  lovelace", "ada@gmail.com", "SW1A 1AA"), domain.KindSigner},
			domain.ECodeDuplicateSignature, "name"},
		{"SecondOtherPostcode", domain.StateOpen, t0,
			[]domain.SignerInput{ada}, attempt{signer("Charles Babbage", "ada@gmail.com", "EH1 1YZ"), domain.KindSigner},
			domain.ECodeDuplicateSignature, "postcode"},
		{"Third", domain.StateOpen, t0,
			[]domain.SignerInput{ada, signer("Charles Babbage", "ada@gmail.com", "SW1A 1AA")},
			attempt{signer("Mary Somerville", "ada@gmail.com", "SW1A 1AA"), domain.KindSigner},
			domain.ECodeTooManySignatures, "email"},
		{"AfterDeadline", domain.StateOpen, open.ClosesAt, nil, attempt{ada, domain.KindSigner}, domain.ECodePetitionClosed, ""},
		{"Closed", domain.StateClosed, t0, nil, attempt{ada, domain.KindSigner}, domain.ECodePetitionClosed, ""},
		{"Sponsored", domain.StateSponsored, t0, nil, attempt{ada, domain.KindSigner}, domain.ECodePetitionNotOpen, ""},
		{"SponsorWhileValidated", domain.StateValidated, t0, nil, attempt{ada, domain.KindSponsor}, "", ""},
		{"SponsorWhileOpen", domain.StateOpen, t0, nil, attempt{ada, domain.KindSponsor}, domain.ECodePetitionNotOpen, ""},
		{"CreatorCannotSponsor", domain.StateValidated, t0, nil, attempt{creator(), domain.KindSponsor},
			domain.ECodeDuplicateSignature, "email"},
		{"CreatorKindRefused", domain.StateOpen, t0, nil, attempt{ada, domain.KindCreator}, domain.EINVALID, "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPetition(t, r, tt.state)
			s := &domain.Signer{}
			for _, in := range tt.prior {
				if _, err := sign(t, r, p, s, in, domain.KindSigner, t0, domain.SignOptions{}); err != nil {
					t.Fatalf("prior signature: %v", err)
				}
			}
			events, err := sign(t, r, p, s, tt.try.in, tt.try.kind, tt.at, domain.SignOptions{})
			wantCode(t, err, tt.wantCode, tt.wantField)
			if err == nil && (len(events) != 1 || events[0].(domain.SignatureSigned).To != domain.SigPending) {
				t.Errorf("events = %v, want one pending signature", events)
			}
		})
	}
	t.Run("NotFound", func(t *testing.T) {
		sig, _ := r.PrepareSignature(ada, 9, uuid.New(), domain.KindSigner, t0)
		_, err := (&domain.Signer{}).Sign(r.Config, &domain.Petition{}, sig, domain.SignOptions{})
		wantCode(t, err, domain.ECodePetitionNotFound, "")
	})
	t.Run("OverRateLimitIsKeptAsFraudulent", func(t *testing.T) {
		s := &domain.Signer{}
		events, err := sign(t, r, open, s, ada, domain.KindSigner, t0, domain.SignOptions{FraudReason: domain.ReasonRateBurst})
		if err != nil || len(events) != 2 {
			t.Fatalf("events = %v, %v; want signed + fraudulent", events, err)
		}
		if got := s.Signatures[0].State; got != domain.SigFraudulent {
			t.Errorf("state = %s, want fraudulent", got)
		}
	})
}

func TestValidateRules(t *testing.T) {
	r := mustRules(t)
	grace := r.Config.ValidationGrace
	tests := []struct {
		name     string
		early    bool          // close the petition early at t0+1h
		signAt   time.Duration // from t0
		validate func(p *domain.Petition) time.Time
		wantCode string
	}{
		{"WhileOpen", false, 0, func(p *domain.Petition) time.Time { return t0.Add(time.Minute) }, ""},
		{"WithinGraceAfterDeadline", false, 0, func(p *domain.Petition) time.Time { return p.ClosesAt.Add(grace) }, ""},
		{"AfterGrace", false, 0, func(p *domain.Petition) time.Time { return p.ClosesAt.Add(grace + time.Second) },
			domain.ECodeValidationExpired},
		{"WithinGraceAfterEarlyClose", true, 0, func(p *domain.Petition) time.Time { return p.ClosedAt.Add(time.Hour) }, ""},
		{"AfterGraceAfterEarlyClose", true, 0, func(p *domain.Petition) time.Time { return p.ClosedAt.Add(grace + 1) },
			domain.ECodeValidationExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPetition(t, r, domain.StateOpen)
			s := &domain.Signer{}
			if _, err := sign(t, r, p, s, signer("Ada", "ada@example.org", ""), domain.KindSigner, t0.Add(tt.signAt),
				domain.SignOptions{}); err != nil {
				t.Fatal(err)
			}
			if tt.early {
				ev, err := p.Close(domain.CloseEarly, t0.Add(time.Hour))
				apply(t, p, ev, err)
			}
			events, err := s.Validate(r.Config, p, s.Signatures[0].ID, tt.validate(p))
			wantCode(t, err, tt.wantCode, "")
			if err != nil {
				return
			}
			for _, e := range events {
				if err := s.Apply(e); err != nil {
					t.Fatal(err)
				}
			}
			again, err := s.Validate(r.Config, p, s.Signatures[0].ID, tt.validate(p))
			if err != nil || len(again) != 0 {
				t.Errorf("second validation = %v, %v; want no events", again, err)
			}
		})
	}
	t.Run("UnknownSignature", func(t *testing.T) {
		p := newPetition(t, r, domain.StateOpen)
		_, err := (&domain.Signer{}).Validate(r.Config, p, uuid.New(), t0)
		wantCode(t, err, domain.ECodeSignatureNotFound, "")
	})
	t.Run("FraudulentCannotValidate", func(t *testing.T) {
		p := newPetition(t, r, domain.StateOpen)
		s := &domain.Signer{}
		sign(t, r, p, s, signer("Ada", "ada@example.org", ""), domain.KindSigner, t0, domain.SignOptions{FraudReason: "x"})
		_, err := s.Validate(r.Config, p, s.Signatures[0].ID, t0)
		wantCode(t, err, domain.ECodeInvalidTransition, "")
	})
}

func TestInvalidateAndFraud(t *testing.T) {
	r := mustRules(t)
	p := newPetition(t, r, domain.StateOpen)
	s := &domain.Signer{}
	sign(t, r, p, s, signer("Ada", "ada@example.org", ""), domain.KindSigner, t0, domain.SignOptions{})
	id := s.Signatures[0].ID
	_, err := s.MarkFraudulent(id, "", t0)
	wantCode(t, err, domain.ECodeRequired, "reason")
	ev, err := s.Invalidate(id, uuid.New(), "bulk", t0)
	if err != nil || len(ev) != 1 {
		t.Fatalf("Invalidate = %v, %v", ev, err)
	}
	if err := s.Apply(ev[0]); err != nil {
		t.Fatal(err)
	}
	ev, err = s.Invalidate(id, uuid.New(), "bulk", t0)
	if err != nil || len(ev) != 0 {
		t.Errorf("second Invalidate = %v, %v; want nothing", ev, err)
	}
	_, err = s.MarkFraudulent(id, "x", t0)
	wantCode(t, err, domain.ECodeInvalidTransition, "")
}

func TestRequestInvalidation(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		name      string
		req       domain.InvalidationRequest
		wantCode  string
		wantField string
	}{
		{"PetitionOnly", domain.InvalidationRequest{PetitionID: 1}, domain.ECodeNoCriteria, "criteria"},
		{"Country", domain.InvalidationRequest{PetitionID: 1, Country: "fr"}, "", ""},
		{"BadPostcode", domain.InvalidationRequest{PetitionID: 1, Postcode: "zzz"}, domain.ECodeInvalidPostcode, "postcode"},
		{"BadCIDR", domain.InvalidationRequest{PetitionID: 1, IP: "10.0.0.0/12"}, domain.ECodeInvalidIP, "ip"},
		{"BadEmail", domain.InvalidationRequest{PetitionID: 1, Email: "x"}, domain.ECodeInvalidEmail, "email"},
		{"BadDomain", domain.InvalidationRequest{PetitionID: 1, EmailDomain: "not a domain"}, domain.EINVALID, "email_domain"},
		{"Dates", domain.InvalidationRequest{CreatedAfter: t0, CreatedBefore: t0.Add(time.Hour)}, "", ""},
		{"Negative", domain.InvalidationRequest{PetitionID: -1, Country: "FR"}, domain.EINVALID, "petition_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := r.RequestInvalidation(tt.req, uuid.New(), t0)
			wantCode(t, err, tt.wantCode, tt.wantField)
			if err == nil {
				if _, err := domain.EncodeEvent(ev); err != nil {
					t.Errorf("event does not encode: %v", err)
				}
			}
		})
	}
	t.Run("MatchesByDateAndCountry", func(t *testing.T) {
		ev, _ := r.RequestInvalidation(domain.InvalidationRequest{PetitionID: 1, Country: "FR", CreatedAfter: t0}, uuid.New(), t0)
		c := ev.Criteria
		rec := domain.SignatureRecord{Location: domain.Location{Country: "FR"}, SignedAt: t0.Add(time.Second)}
		if !c.Matches(1, "", rec) {
			t.Error("no match")
		}
		if c.Matches(2, "", rec) {
			t.Error("matches another petition")
		}
		rec.SignedAt = t0
		if c.Matches(1, "", rec) {
			t.Error("created_after is not exclusive")
		}
	})
}
