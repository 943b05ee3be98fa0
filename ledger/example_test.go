package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/ledger"
)

// Example wires a Service to the embedded store and the reference data,
// creates a petition, gathers its sponsors, publishes it, and signs it.
func Example() {
	dir, _ := os.MkdirTemp("", "ledger-example")
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	store, err := embedded.Open(dir, embedded.WithLogger(quiet))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	// Secrets come from the deployment's secret store (docs/privacy.md).
	hasher, _ := domain.NewHasher(bytes.Repeat([]byte{1}, 32))
	keys, _ := domain.NewKeyring("2021-09", map[string][]byte{"2021-09": bytes.Repeat([]byte{2}, 32)})
	outbox := ledger.NewOutbox(quiet)
	now := time.Date(2021, 9, 21, 10, 0, 0, 0, time.UTC)
	svc, err := ledger.New(ledger.Options{Store: store, TokenSecret: bytes.Repeat([]byte{3}, 32), Mailer: outbox,
		Rules:  domain.Rules{Config: domain.DefaultConfig(), Hasher: hasher, Keys: keys, Places: domain.DefaultPlaces()},
		Now:    func() time.Time { return now },
		Logger: quiet})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	confirm := func(r ledger.Receipt) {
		msg, _ := outbox.For(r.SignatureID)
		link, _ := ledger.ParseConfirmURL(msg.Link)
		if _, err := svc.ValidateSignature(ctx, link); err != nil {
			fmt.Println(err)
		}
	}

	created, err := svc.CreatePetition(ctx, domain.CreatePetition{
		Action:     "Hold a public inquiry into Russian interference in UK politics",
		Background: "The Government should hold a public inquiry.",
		Creator:    domain.SignerInput{Name: "A Creator", Email: "creator@example.org", Country: "FR"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	confirm(created)
	for i := 1; i <= 5; i++ {
		r, err := svc.Sponsor(ctx, created.PetitionID, domain.SignerInput{Name: fmt.Sprint("Sponsor ", i),
			Email: fmt.Sprintf("sponsor%d@example.org", i), Country: "FR"}, uuid.Nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		confirm(r)
	}
	if _, err := svc.Moderate(ctx, created.PetitionID, domain.Moderation{Outcome: domain.OutcomePublish}); err != nil {
		fmt.Println(err)
		return
	}
	signed, err := svc.Sign(ctx, ledger.SignRequest{PetitionID: created.PetitionID,
		Signer: domain.SignerInput{Name: "A Signer", Email: "signer@example.org", Country: "FR"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	confirm(signed)
	_, err = svc.Sign(ctx, ledger.SignRequest{PetitionID: created.PetitionID,
		Signer: domain.SignerInput{Name: "A Signer", Email: "Signer+again@example.org", Country: "FR"}})
	fmt.Println("second signature, same name:", domain.ErrorCode(err), domain.ErrorField(err))

	p, _ := svc.Petition(ctx, created.PetitionID)
	fmt.Println("petition", p.ID, p.State, "deadline", p.Deadline, "sponsors", len(p.Sponsors))
	// Output:
	// second signature, same name: duplicate_signature name
	// petition 1 open deadline 2022-03-21 sponsors 5
}
