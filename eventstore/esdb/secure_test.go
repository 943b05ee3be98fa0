package esdb_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver/testcert"
)

// TestSecureConnection connects the backend over TLS with credentials in
// the connection string (esdb://login:password@host?tls=true&tlsCAFile=…);
// without them, or with a wrong password, writes fail as ErrAccessDenied
// and nothing is written.
func TestSecureConnection(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cert := testcert.Loopback(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := esdbserver.New(store, esdbserver.Options{Logger: quietLogger(), Security: esdbserver.Security{
		TLS: cert.Config, Users: map[string]string{"ledger": "s3cret"},
	}})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn := func(userinfo string) string {
		return "esdb://" + userinfo + lis.Addr().String() + "?tls=true&tlsCAFile=" + cert.CertFile
	}
	ctx := context.Background()
	event := func() eventstore.EventData {
		return eventstore.EventData{ID: uuid.New(), Type: "Secure", ContentType: eventstore.ContentTypeJSON, Data: []byte(`{}`)}
	}

	good := openBackendURL(t, conn("ledger:s3cret@"))
	if _, err := good.Append(ctx, "secure", eventstore.NoStream{}, event()); err != nil {
		t.Fatalf("append with credentials over TLS: %v", err)
	}
	for _, userinfo := range []string{"", "ledger:guess@"} {
		s := openBackendURL(t, conn(userinfo))
		_, err := s.Append(ctx, "secure", eventstore.Any{}, event())
		if !errors.Is(err, eventstore.ErrAccessDenied) {
			t.Errorf("append as %q: got %v, want ErrAccessDenied", userinfo, err)
		}
	}
	got, err := good.ReadStream(ctx, "secure", eventstore.ReadStreamOptions{MaxCount: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("stream holds %d events, want the 1 appended with credentials", len(got))
	}
}
