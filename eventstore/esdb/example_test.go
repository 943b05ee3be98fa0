package esdb_test

import (
	"context"
	"errors"
	"log"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
)

// ExampleOpen connects to a node and appends with an Exact expectation, the
// kind of append this backend retries safely after a lost acknowledgement.
// (Compiled, not run: it needs a server.)
func ExampleOpen() {
	ctx := context.Background()
	store, err := esdb.Open(ctx, "esdb://127.0.0.1:2113?tls=false")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	event := eventstore.EventData{ID: uuid.New(), Type: "SignatureAdded", Data: []byte(`{"petition":1}`)}
	_, err = store.Append(ctx, "petition-1", eventstore.Exact(41), event)
	var wrong *eventstore.WrongExpectedRevisionError
	switch {
	case errors.As(err, &wrong):
		log.Printf("stream moved on: now at %s", wrong.Actual)
	case errors.Is(err, eventstore.ErrUnavailable):
		log.Printf("server unavailable after retries; appending the same event again is safe: %v", err)
	case err != nil:
		log.Fatal(err)
	}
}
