package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
)

// TestPetitionTransitions tries every command from every reachable state.
func TestPetitionTransitions(t *testing.T) {
	r := mustRules(t)
	cfg := r.Config
	later := t0.Add(time.Hour)
	type command func(p *domain.Petition) ([]domain.Event, error)
	cmds := map[string]command{
		"confirm": func(p *domain.Petition) ([]domain.Event, error) { return p.ConfirmCreator(later) },
		"sponsor": func(p *domain.Petition) ([]domain.Event, error) {
			return p.SupportSponsor(cfg, strings.Repeat("f", 64), domain.SignatureValidated{SignatureID: uuid.New()}, later)
		},
		"publish": func(p *domain.Petition) ([]domain.Event, error) {
			return p.Moderate(cfg, domain.Moderation{Outcome: domain.OutcomePublish}, later)
		},
		"reject": func(p *domain.Petition) ([]domain.Event, error) {
			return p.Moderate(cfg, domain.Moderation{Outcome: domain.OutcomeReject, Code: "duplicate", Details: "d"}, later)
		},
		"rejectHidden": func(p *domain.Petition) ([]domain.Event, error) {
			return p.Moderate(cfg, domain.Moderation{Outcome: domain.OutcomeReject, Code: "offensive"}, later)
		},
		"hide": func(p *domain.Petition) ([]domain.Event, error) {
			return p.Moderate(cfg, domain.Moderation{Outcome: domain.OutcomeHide}, later)
		},
		"flag": func(p *domain.Petition) ([]domain.Event, error) {
			return p.Moderate(cfg, domain.Moderation{Outcome: domain.OutcomeFlag}, later)
		},
		"stop":       func(p *domain.Petition) ([]domain.Event, error) { return p.Stop(later) },
		"closeEarly": func(p *domain.Petition) ([]domain.Event, error) { return p.Close(domain.CloseEarly, later) },
		"closeDue":   func(p *domain.Petition) ([]domain.Event, error) { return p.Close(domain.CloseAtDeadline, later) },
		"respond": func(p *domain.Petition) ([]domain.Event, error) {
			return p.RespondAsGovernment(cfg, domain.GovernmentResponse{Summary: "s", RespondedOn: "2022-03-21",
				Department: domain.Department{Name: "Cabinet Office"}}, later)
		},
		"schedule": func(p *domain.Petition) ([]domain.Event, error) { return p.ScheduleDebate("2022-05-25", later) },
		"debated": func(p *domain.Petition) ([]domain.Event, error) {
			return p.RecordDebateOutcome(cfg, domain.DebateOutcome{Debated: true, DebatedOn: "2022-05-25"}, later)
		},
		"business": func(p *domain.Petition) ([]domain.Event, error) {
			return p.AddOtherBusiness(cfg, domain.OtherBusiness{Subject: "s", OccurredOn: "2022-05-25"}, later)
		},
	}
	// want[state][command] = resulting state, or an error code.
	tests := []struct {
		from domain.PetitionState
		want map[string]string
	}{
		{domain.StatePending, map[string]string{"confirm": "validated", "sponsor": domain.ECodeInvalidTransition,
			"publish": domain.ECodeInvalidTransition, "reject": domain.ECodeInvalidTransition, "stop": "stopped",
			"closeEarly": domain.ECodeInvalidTransition, "respond": domain.ECodeInvalidTransition,
			"schedule": domain.ECodeInvalidTransition, "debated": domain.ECodeInvalidTransition,
			"business": domain.ECodeInvalidTransition, "flag": domain.ECodeInvalidTransition, "hide": domain.ECodeInvalidTransition}},
		{domain.StateValidated, map[string]string{"confirm": "validated (no event)", "sponsor": "validated",
			"publish": domain.ECodeInvalidTransition, "stop": "stopped", "closeDue": domain.ECodeInvalidTransition}},
		{domain.StateSponsored, map[string]string{"sponsor": "sponsored", "publish": "open", "reject": "rejected",
			"rejectHidden": "hidden", "hide": "hidden", "flag": "flagged", "stop": "stopped",
			"closeEarly": domain.ECodeInvalidTransition, "respond": domain.ECodeInvalidTransition}},
		{domain.StateOpen, map[string]string{"sponsor": domain.ECodeInvalidTransition, "publish": domain.ECodeInvalidTransition,
			"reject": domain.ECodeInvalidTransition, "hide": "hidden", "stop": domain.ECodeInvalidTransition,
			"closeEarly": "closed", "closeDue": domain.ECodeNotDue, "respond": "open", "schedule": "open",
			"debated": "open", "business": "open", "flag": domain.ECodeInvalidTransition}},
		{domain.StateClosed, map[string]string{"closeEarly": domain.ECodeAlreadyDone, "closeDue": domain.ECodeAlreadyDone,
			"respond": "closed", "schedule": "closed", "debated": "closed", "business": "closed",
			"publish": domain.ECodeInvalidTransition, "stop": domain.ECodeInvalidTransition, "confirm": "closed (no event)"}},
	}
	for _, tt := range tests {
		for name, want := range tt.want {
			t.Run(string(tt.from)+"/"+name, func(t *testing.T) {
				p := newPetition(t, r, tt.from)
				events, err := cmds[name](p)
				if base, ok := strings.CutSuffix(want, " (no event)"); ok {
					if err != nil || len(events) != 0 {
						t.Fatalf("got %v, %v; want no event and no error", events, err)
					}
					want = base
				} else if !strings.ContainsAny(want, "_") && want != "" {
					if err != nil || len(events) == 0 {
						t.Fatalf("got %v, %v; want an event", events, err)
					}
				} else {
					wantCode(t, err, want, "")
					return
				}
				apply(t, p, events, nil)
				if got := string(p.State); got != want {
					t.Errorf("state = %s, want %s", got, want)
				}
			})
		}
	}
}

func TestSponsorThresholdAndLimit(t *testing.T) {
	r := mustRules(t)
	p := newPetition(t, r, domain.StateValidated)
	for i := 0; i < r.Config.MaxSponsors; i++ {
		ev, err := p.SupportSponsor(r.Config, keyN(i), domain.SignatureValidated{SignatureID: uuid.New()}, t0)
		apply(t, p, ev, err)
		want := domain.StateValidated
		if i+1 >= r.Config.SponsorThreshold {
			want = domain.StateSponsored
		}
		if p.State != want {
			t.Fatalf("after %d sponsors state = %s, want %s", i+1, p.State, want)
		}
	}
	ev, err := p.SupportSponsor(r.Config, keyN(3), domain.SignatureValidated{SignatureID: uuid.New()}, t0)
	if err != nil || len(ev) != 0 {
		t.Errorf("repeat sponsor: %v, %v; want nothing", ev, err)
	}
	_, err = p.SupportSponsor(r.Config, keyN(40), domain.SignatureValidated{SignatureID: uuid.New()}, t0)
	wantCode(t, err, domain.ECodeTooManySponsors, "")
}

func TestDeadline(t *testing.T) {
	cfg := domain.DefaultConfig()
	tests := []struct {
		opened       time.Time
		wantDeadline string
		wantCloses   time.Time
	}{
		// Opened in BST (UTC+1), closes at the end of the day in GMT.
		{time.Date(2021, 9, 21, 10, 0, 0, 0, time.UTC), "2022-03-21", time.Date(2022, 3, 22, 0, 0, 0, 0, time.UTC)},
		// 23:30 UTC on 30 June is already 1 July in London.
		{time.Date(2021, 6, 30, 23, 30, 0, 0, time.UTC), "2022-01-01", time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC)},
		// 31 August + 6 months clamps to the end of February.
		{time.Date(2021, 8, 31, 12, 0, 0, 0, time.UTC), "2022-02-28", time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)},
		// Closing in summer time: midnight BST is 23:00 UTC.
		{time.Date(2022, 1, 10, 12, 0, 0, 0, time.UTC), "2022-07-10", time.Date(2022, 7, 10, 23, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.opened.String(), func(t *testing.T) {
			d, c := domain.Deadline(cfg, tt.opened)
			if d != tt.wantDeadline || !c.Equal(tt.wantCloses) {
				t.Errorf("Deadline = %s, %s; want %s, %s", d, c, tt.wantDeadline, tt.wantCloses)
			}
		})
	}
}

func TestCloseAtDeadline(t *testing.T) {
	r := mustRules(t)
	p := newPetition(t, r, domain.StateOpen)
	_, err := p.Close(domain.CloseAtDeadline, p.ClosesAt.Add(-time.Nanosecond))
	wantCode(t, err, domain.ECodeNotDue, "")
	ev, err := p.Close(domain.CloseAtDeadline, p.ClosesAt.Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := ev[0].(domain.PetitionClosed); !got.At.Equal(p.ClosesAt) || got.Reason != domain.CloseAtDeadline {
		t.Errorf("close = %+v, want at ClosesAt %s", got, p.ClosesAt)
	}
	early, err := p.Close(domain.CloseEarly, p.ClosesAt.Add(time.Hour))
	if err != nil || early[0].(domain.PetitionClosed).Reason != domain.CloseAtDeadline {
		t.Errorf("early close after the deadline = %v, %v; want a deadline close", early, err)
	}
}

func TestParliamentInputRules(t *testing.T) {
	r := mustRules(t)
	cfg := r.Config
	p := newPetition(t, r, domain.StateClosed)
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name      string
		run       func() ([]domain.Event, error)
		wantCode  string
		wantField string
	}{
		{"Summary200", func() ([]domain.Event, error) {
			return p.RespondAsGovernment(cfg, domain.GovernmentResponse{Summary: long(200), RespondedOn: "2022-03-21",
				Department: domain.Department{Name: "CO"}}, t0)
		}, "", ""},
		{"Summary201", func() ([]domain.Event, error) {
			return p.RespondAsGovernment(cfg, domain.GovernmentResponse{Summary: long(201), RespondedOn: "2022-03-21",
				Department: domain.Department{Name: "CO"}}, t0)
		}, domain.ECodeFieldTooLong, "summary"},
		{"Details6001", func() ([]domain.Event, error) {
			return p.RespondAsGovernment(cfg, domain.GovernmentResponse{Summary: "s", Details: long(6001),
				RespondedOn: "2022-03-21", Department: domain.Department{Name: "CO"}}, t0)
		}, domain.ECodeFieldTooLong, "details"},
		{"RespondedOnBad", func() ([]domain.Event, error) {
			return p.RespondAsGovernment(cfg, domain.GovernmentResponse{Summary: "s", RespondedOn: "21/03/2022",
				Department: domain.Department{Name: "CO"}}, t0)
		}, domain.ECodeInvalidDate, "responded_on"},
		{"NoDepartment", func() ([]domain.Event, error) {
			return p.RespondAsGovernment(cfg, domain.GovernmentResponse{Summary: "s", RespondedOn: "2022-03-21"}, t0)
		}, domain.ECodeRequired, "department"},
		{"DebateDateBad", func() ([]domain.Event, error) { return p.ScheduleDebate("soon", t0) }, domain.ECodeInvalidDate, "debate_date"},
		{"DebatedNeedsDate", func() ([]domain.Event, error) {
			return p.RecordDebateOutcome(cfg, domain.DebateOutcome{Debated: true}, t0)
		}, domain.ECodeInvalidDate, "debated_on"},
		{"NotDebatedNoDate", func() ([]domain.Event, error) {
			return p.RecordDebateOutcome(cfg, domain.DebateOutcome{Overview: "Not debated."}, t0)
		}, "", ""},
		{"LookAlikeVideo", func() ([]domain.Event, error) {
			return p.RecordDebateOutcome(cfg, domain.DebateOutcome{Debated: true, DebatedOn: "2022-05-25",
				VideoURL: "https://evilparliament.uk/v"}, t0)
		}, domain.ECodeURLNotAllowed, "video_url"},
		{"HTTPTranscript", func() ([]domain.Event, error) {
			return p.RecordDebateOutcome(cfg, domain.DebateOutcome{Debated: true, DebatedOn: "2022-05-25",
				TranscriptURL: "http://hansard.parliament.uk/t"}, t0)
		}, domain.ECodeURLNotAllowed, "transcript_url"},
		{"BusinessNoSubject", func() ([]domain.Event, error) {
			return p.AddOtherBusiness(cfg, domain.OtherBusiness{OccurredOn: "2022-05-25"}, t0)
		}, domain.ECodeRequired, "subject"},
		{"BusinessBadDate", func() ([]domain.Event, error) {
			return p.AddOtherBusiness(cfg, domain.OtherBusiness{Subject: "s", OccurredOn: "May"}, t0)
		}, domain.ECodeInvalidDate, "occurred_on"},
		{"RejectBadCode", func() ([]domain.Event, error) {
			q := newPetition(t, r, domain.StateSponsored)
			return q.Moderate(cfg, domain.Moderation{Outcome: domain.OutcomeReject, Code: "meh"}, t0)
		}, domain.ECodeInvalidCode, "code"},
		{"ModerateBadOutcome", func() ([]domain.Event, error) {
			q := newPetition(t, r, domain.StateSponsored)
			return q.Moderate(cfg, domain.Moderation{Outcome: "maybe"}, t0)
		}, domain.EINVALID, "outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := tt.run()
			wantCode(t, err, tt.wantCode, tt.wantField)
			for _, e := range ev {
				if _, err := domain.EncodeEvent(e); err != nil {
					t.Errorf("decided event does not encode: %v", err)
				}
			}
		})
	}
}

// TestReplayRejectsInconsistentLogs feeds event sequences the rules could
// never have produced.
func TestReplayRejectsInconsistentLogs(t *testing.T) {
	r := mustRules(t)
	created, sig, err := r.CreatePetition(domain.CreatePetition{Action: "A", Background: "B", Creator: creator()}, 7, uuid.New(), t0)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := r.PrepareSignature(signer("Bob", "bob@example.org", ""), 7, uuid.New(), domain.KindSigner, t0)
	wrongPetition := sig
	wrongPetition.PetitionID, wrongPetition.SignatureID = 8, uuid.New()
	validated := domain.SignatureValidated{SignatureID: sig.SignatureID, PetitionID: 7, SignerKey: sig.SignerKey,
		Kind: sig.Kind, Location: sig.Location, From: domain.SigPending, To: domain.SigValidated, SignedAt: t0, At: t0}
	fromFraud := validated
	fromFraud.From = domain.SigFraudulent
	petitionLogs := map[string][]domain.Event{
		"EventBeforeCreation": {domain.PetitionClosed{PetitionID: 7, Reason: domain.CloseEarly, At: t0}},
		"CreatedTwice":        {created, created},
		"CloseWhilePending":   {created, domain.PetitionClosed{PetitionID: 7, Reason: domain.CloseEarly, At: t0}},
		"PublishFromWrongState": {created, domain.PetitionPublished{PetitionID: 7, From: domain.StateSponsored,
			Deadline: "2022-03-21", ClosesAt: t0, At: t0}},
		"ConfirmTwice": {created, domain.PetitionCreatorConfirmed{PetitionID: 7, At: t0},
			domain.PetitionCreatorConfirmed{PetitionID: 7, At: t0}},
		"SignatureEvent": {created, sig},
	}
	for name, log := range petitionLogs {
		t.Run("Petition/"+name, func(t *testing.T) {
			if _, err := domain.ReplayPetition(log); !errors.Is(err, domain.ErrMalformedEvent) {
				t.Errorf("ReplayPetition err = %v, want ErrMalformedEvent", err)
			}
		})
	}
	signerLogs := map[string][]domain.Event{
		"OtherKey":            {sig, other},
		"OtherPetition":       {sig, wrongPetition},
		"SignedTwice":         {sig, sig},
		"UnknownSignature":    {validated},
		"WrongFrom":           {sig, fromFraud},
		"ValidatedTwice":      {sig, validated, validated},
		"PetitionEventInside": {sig, created},
	}
	for name, log := range signerLogs {
		t.Run("Signer/"+name, func(t *testing.T) {
			if _, err := domain.ReplaySigner(log); !errors.Is(err, domain.ErrMalformedEvent) {
				t.Errorf("ReplaySigner err = %v, want ErrMalformedEvent", err)
			}
		})
	}
}

func TestWithdrawSponsor(t *testing.T) {
	r := mustRules(t)
	cfg := r.Config
	tests := []struct {
		name      string
		state     domain.PetitionState
		extra     int // sponsors beyond the threshold
		key       string
		wantState domain.PetitionState
		wantEvent bool
	}{
		{"BelowThreshold", domain.StateSponsored, 0, keyN(0), domain.StateValidated, true},
		{"StillEnough", domain.StateSponsored, 1, keyN(0), domain.StateSponsored, true},
		{"NotASponsor", domain.StateSponsored, 0, keyN(30), domain.StateSponsored, false},
		{"AlreadyOpen", domain.StateOpen, 0, keyN(0), domain.StateOpen, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPetition(t, r, tt.state)
			for i := 0; i < tt.extra; i++ {
				ev, err := p.SupportSponsor(cfg, keyN(10+i), domain.SignatureValidated{SignatureID: uuid.New()}, t0)
				apply(t, p, ev, err)
			}
			before := len(p.Sponsors)
			ev, err := p.WithdrawSponsor(cfg, tt.key, uuid.New(), t0)
			apply(t, p, ev, err)
			if (len(ev) > 0) != tt.wantEvent || p.State != tt.wantState {
				t.Fatalf("events %v, state %s; want event %v, state %s", ev, p.State, tt.wantEvent, tt.wantState)
			}
			if tt.wantEvent && (len(p.Sponsors) != before-1 || p.HasSponsor(tt.key)) {
				t.Errorf("sponsors = %d (had %d), still has %s: %v", len(p.Sponsors), before, tt.key, p.HasSponsor(tt.key))
			}
			if tt.wantState == domain.StateValidated && !p.SponsoredAt.IsZero() {
				t.Error("moderation threshold timestamp not undone")
			}
		})
	}
}
