package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/projections"
)

// writeSmallHistory appends one published petition with three validated
// signatures (one later invalidated) to a new embedded store in dir.
func writeSmallHistory(t *testing.T, dir string) {
	t.Helper()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	key := strings.Repeat("ab", 32)
	sealed := domain.Sealed{KeyID: "k", Nonce: []byte("n"), Ciphertext: []byte("c")}
	loc := domain.Location{Constituency: "E14001063", Country: "GB", Region: "E12000008"}
	appendEv := func(stream string, e domain.Event) {
		data, err := domain.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(context.Background(), stream, eventstore.Any{}, eventstore.EventData{ID: uuid.New(), Type: e.EventType(), Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	appendEv(domain.PetitionStream(1), domain.PetitionCreated{PetitionID: 1, Action: "Test", CreatorKey: key,
		CreatorSignatureID: uuid.New(), CreatorSealed: sealed, At: at})
	for i := 0; i < 3; i++ {
		id := uuid.New()
		appendEv(domain.SignerStream(1, key), domain.SignatureSigned{SignatureID: id, PetitionID: 1, SignerKey: key, Kind: domain.KindSigner,
			Location: loc, From: domain.SigNone, To: domain.SigPending, NameHash: key, EmailDomainHash: key, Sealed: sealed, At: at})
		appendEv(domain.SignerStream(1, key), domain.SignatureValidated{SignatureID: id, PetitionID: 1, SignerKey: key, Kind: domain.KindSigner,
			Location: loc, From: domain.SigPending, To: domain.SigValidated, SignedAt: at, At: at.Add(time.Minute)})
		if i == 2 {
			appendEv(domain.SignerStream(1, key), domain.SignatureInvalidated{SignatureID: id, PetitionID: 1, SignerKey: key, Location: loc,
				From: domain.SigValidated, To: domain.SigInvalidated, InvalidationID: uuid.New(), Reason: "test",
				SignedAt: at, ValidatedAt: at.Add(time.Minute), At: at.Add(time.Hour)})
		}
	}
}

func TestRebuildCommand(t *testing.T) {
	dir := t.TempDir()
	writeSmallHistory(t, dir)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"rebuild", "--store", dir, "--progress-every", "1ms"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	// 1 creation + 3 validations + 1 invalidation; the 3 SignatureSigned are skipped.
	if want := "rebuilt 1 petitions up to position"; !strings.Contains(out.String(), want) || !strings.Contains(out.String(), ": 5 events folded") {
		t.Fatalf("stdout %q does not report 1 petition and 5 events folded", out.String())
	}
	if !strings.Contains(errb.String(), "rebuild: 100.0% position=") {
		t.Fatalf("stderr has no final plain progress line: %q", errb.String())
	}
	// The checkpoint it wrote loads, with the right count.
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	places, err := projections.PlacesFromGeo(geo.Default())
	if err != nil {
		t.Fatal(err)
	}
	r, err := projections.NewRunner(projections.Config{Store: s, Dir: filepath.Join(dir, "projections"), Places: places})
	if err != nil {
		t.Fatal(err)
	}
	st, ok := r.View().Petition(1)
	if !ok || st.SignatureCount != 2 {
		t.Fatalf("petition 1 from the checkpoint: %v, count %d; want 2", ok, st.SignatureCount)
	}
	if c := st.SignaturesByConstituency(); len(c) != 1 || c[0].ONSCode != "E14001063" || c[0].Name != "Aldershot" || c[0].SignatureCount != 2 {
		t.Fatalf("by constituency: %+v", c)
	}
}

func TestRebuildCommandErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"NoStore", []string{"rebuild"}, 2, "--store DIR is required"},
		{"ExtraArgument", []string{"rebuild", "--store", "x", "y"}, 2, `unexpected argument "y"`},
		{"MissingDirectory", []string{"rebuild", "--store", filepath.Join(os.TempDir(), "no-such-petitionledger-store")}, 1, "no-such-petitionledger-store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := run(context.Background(), tt.args, &out, &errb); got != tt.wantCode {
				t.Fatalf("exit: got %d, want %d (stderr %q)", got, tt.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Fatalf("stderr %q does not name %q", errb.String(), tt.wantErr)
			}
		})
	}
}

func TestRebuildProgressBar(t *testing.T) {
	p := projections.Progress{Applied: 7, At: eventstore.Position{Commit: 50, Prepare: 50}, Target: eventstore.Position{Commit: 100, Prepare: 100}}
	tests := []struct {
		name string
		tty  bool
		want []string
	}{
		{"Terminal", true, []string{"\r[###############...............]  50.0% position 50 of 100, 7 folded", "\n"}},
		{"Plain", false, []string{"rebuild:  50.0% position=50 target=100 folded=7", "\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			b := &progressBar{w: &buf, tty: tt.tty, start: time.Now()}
			b.report(p)
			b.finish()
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Fatalf("got %q, want it to contain %q", buf.String(), w)
				}
			}
		})
	}
}
