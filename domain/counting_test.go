package domain_test

import (
	"testing"
	"time"

	"github.com/petitionledger/petitionledger/domain"
)

func TestCounts(t *testing.T) {
	closed := t0.Add(100 * time.Hour)
	grace := 24 * time.Hour
	tests := []struct {
		name     string
		f        domain.CountFacts
		closedAt time.Time
		want     bool
	}{
		{"OpenValidated", domain.CountFacts{State: domain.SigValidated, SignedAt: t0, ValidatedAt: t0}, time.Time{}, true},
		{"OpenPending", domain.CountFacts{State: domain.SigPending, SignedAt: t0}, time.Time{}, false},
		{"Invalidated", domain.CountFacts{State: domain.SigInvalidated, SignedAt: t0, ValidatedAt: t0}, time.Time{}, false},
		{"Fraudulent", domain.CountFacts{State: domain.SigFraudulent, SignedAt: t0, ValidatedAt: t0}, time.Time{}, false},
		{"ValidatedBeforeClose", domain.CountFacts{State: domain.SigValidated, SignedAt: t0, ValidatedAt: t0}, closed, true},
		{"ValidatedAtGraceEnd", domain.CountFacts{State: domain.SigValidated, SignedAt: closed, ValidatedAt: closed.Add(grace)}, closed, true},
		{"ValidatedAfterGrace", domain.CountFacts{State: domain.SigValidated, SignedAt: t0, ValidatedAt: closed.Add(grace + 1)}, closed, false},
		{"SignedAfterClose", domain.CountFacts{State: domain.SigValidated, SignedAt: closed.Add(1), ValidatedAt: closed.Add(2)}, closed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.Counts(tt.f, tt.closedAt, grace); got != tt.want {
				t.Errorf("Counts = %v, want %v", got, tt.want)
			}
		})
	}
}
