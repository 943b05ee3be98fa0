package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/demo"
	"github.com/petitionledger/petitionledger/projections/verify"
)

// TestBenchVerifyBuildsAndVerifiesALedger runs `bench verify` on a ledger
// just longer than one demo history (so a second history, moved to
// petitions 6.., is cut to fit), then again on the same directory, which
// it must reuse; both runs time `verify ledger` to OK.
func TestBenchVerifyBuildsAndVerifiesALedger(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "ledger")
	const events = "100300"
	for i, want := range []string{"built in", "reused"} {
		out, err := exec.Command(bin, "bench", "verify", "--events", events, "--dir", dir).CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, out)
		}
		for _, w := range []string{want, "raw $all read", "verify ledger", "load average"} {
			if !strings.Contains(string(out), w) {
				t.Fatalf("run %d: output lacks %q:\n%s", i+1, w, out)
			}
		}
	}
	var rep verify.Report
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.TreeSize != 100300 || rep.CheckpointsChecked != 10 || !rep.SignatureChecked || rep.FirstProblem != "" {
		t.Fatalf("report: size %d, %d checkpoints, signature checked %v, problem %q", rep.TreeSize, rep.CheckpointsChecked, rep.SignatureChecked, rep.FirstProblem)
	}
	ids := map[int64]bool{}
	for _, p := range rep.Petitions {
		ids[p.ID] = true
	}
	if !ids[1] || !ids[5] || !ids[6] {
		t.Fatalf("petitions recounted: %v; want 1-5 from the first history and 6 from the second", ids)
	}
	// a directory holding something else is never taken over
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "precious"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "bench", "verify", "--events", "10", "--dir", foreign).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "holds no bench verify manifest") {
		t.Fatalf("foreign directory: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(foreign, "precious")); err != nil {
		t.Fatalf("the foreign file is gone: %v", err)
	}
}

func TestBenchVerifyRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--events", "0"}, {"--events", "-3"}, {"--repeat", "0"}, {"--events", "ten"}, {"--nope"}, {"extra"},
	} {
		var stdout, stderr bytes.Buffer
		err := runBenchVerify(context.Background(), args, &stdout, &stderr)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}

// TestBenchRemapMovesEveryPetitionID: a remapped record names the new
// petition everywhere (stream, event, invalidation criteria), its seal
// opens only for the new petition, and the IDs the ledger derives from a
// petition stream's name follow.
func TestBenchRemapMovesEveryPetitionID(t *testing.T) {
	_, keys, sealer, err := benchSecrets()
	if err != nil {
		t.Fatal(err)
	}
	m := petitionRemap{offset: 10, open: keys, seal: sealer}
	sigID, key := uuid.New(), strings.Repeat("ab", 32)
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	sealed, err := sealer.SealPersonal(domain.PersonalData{Name: "A", Email: "a@example.org"}, domain.SignatureAAD(2, sigID))
	if err != nil {
		t.Fatal(err)
	}
	signed := demo.Record{Stream: domain.SignerStream(2, key), EventID: uuid.New(),
		Event: domain.SignatureSigned{SignatureID: sigID, PetitionID: 2, SignerKey: key, Sealed: sealed, At: at}}
	got, err := m.record(signed)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Event.(domain.SignatureSigned)
	if got.Stream != domain.SignerStream(12, key) || s.PetitionID != 12 || got.EventID != signed.EventID {
		t.Errorf("signed: stream %s, petition %d, id %s", got.Stream, s.PetitionID, got.EventID)
	}
	if p, err := keys.OpenPersonal(s.Sealed, domain.SignatureAAD(12, sigID)); err != nil || p.Email != "a@example.org" {
		t.Errorf("resealed data does not open for petition 12: %+v, %v", p, err)
	}
	if _, err := keys.OpenPersonal(s.Sealed, domain.SignatureAAD(2, sigID)); err == nil {
		t.Error("resealed data still opens for petition 2")
	}
	closed := demo.Record{Stream: domain.PetitionStream(2), EventID: domain.ClosedEventID(2), Event: domain.PetitionClosed{PetitionID: 2, At: at}}
	if got, err = m.record(closed); err != nil || got.Stream != "petition-12" || got.EventID != domain.ClosedEventID(12) {
		t.Errorf("closed: %+v, %v", got, err)
	}
	inv := demo.Record{Stream: "invalidation-x", EventID: uuid.New(),
		Event: domain.InvalidationRequested{InvalidationID: uuid.New(), Criteria: domain.InvalidationCriteria{PetitionID: 5, Country: "GB"}}}
	if got, err = m.record(inv); err != nil || got.Stream != "invalidation-x" || got.Event.(domain.InvalidationRequested).Criteria.PetitionID != 15 {
		t.Errorf("invalidation: %+v, %v", got, err)
	}
	if _, err := m.record(demo.Record{Stream: "other-1", Event: domain.PetitionClosed{PetitionID: 1}}); err == nil {
		t.Error("a stream of an unknown kind was accepted")
	}
}
