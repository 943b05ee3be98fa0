package esdbserver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver/testcert"
)

// TestSecurityTLSAndUsers serves over TLS with one user, and connects the
// official Go client with good, wrong and no credentials.
func TestSecurityTLSAndUsers(t *testing.T) {
	cert := testcert.Loopback(t)
	addr := startServer(t, testStore(t), esdbserver.Options{Security: esdbserver.Security{
		TLS: cert.Config, Users: map[string]string{"ledger": "s3cret"},
	}})
	ctx := context.Background()
	tlsConn := func(userinfo string) string {
		return "esdb://" + userinfo + addr + "?tls=true&tlsCAFile=" + cert.CertFile
	}
	admitted := newClient(t, tlsConn("ledger:s3cret@"))
	if _, err := admitted.AppendToStream(ctx, "secure-1", client.AppendToStreamOptions{}, benchClientEvents(2)...); err != nil {
		t.Fatalf("append with good credentials over TLS: %v", err)
	}
	rs, err := admitted.ReadStream(ctx, "secure-1", client.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatalf("read with good credentials: %v", err)
	}
	n := 0
	for ; ; n++ {
		if _, err := rs.Recv(); err != nil {
			break
		}
	}
	rs.Close()
	if n != 2 {
		t.Fatalf("read %d events with good credentials, want 2", n)
	}

	tests := []struct {
		name     string
		userinfo string
		want     client.ErrorCode
	}{
		{"no credentials", "", client.ErrorCodeAccessDenied},
		{"wrong password", "ledger:guess@", client.ErrorCodeUnauthenticated},
		{"unknown user", "nobody:s3cret@", client.ErrorCodeUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tlsConn(tt.userinfo))
			_, err := c.AppendToStream(ctx, "secure-1", client.AppendToStreamOptions{}, benchClientEvents(1)...)
			var esErr *client.Error
			if !errors.As(err, &esErr) || esErr.Code() != tt.want {
				t.Fatalf("append: got %v, want error code %v", err, tt.want)
			}
		})
	}

	// Nothing was written by the refused appends.
	rs, err = admitted.ReadStream(ctx, "secure-1", client.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	got := 0
	for ; ; got++ {
		if _, err := rs.Recv(); err != nil {
			break
		}
	}
	if got != 2 {
		t.Fatalf("stream holds %d events after refused appends, want 2", got)
	}
}

// TestSecurityPlaintextClientRefusedByTLSServer: a tls=false client cannot
// talk to a TLS server.
func TestSecurityPlaintextClientRefusedByTLSServer(t *testing.T) {
	cert := testcert.Loopback(t)
	addr := startServer(t, testStore(t), esdbserver.Options{Security: esdbserver.Security{TLS: cert.Config}})
	c := newClient(t, "esdb://"+addr+"?tls=false&maxDiscoverAttempts=1&discoveryInterval=10")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.AppendToStream(ctx, "plain", client.AppendToStreamOptions{}, benchClientEvents(1)...); err == nil {
		t.Fatal("plaintext client appended to a TLS server")
	}
}

func TestSecurityUsersWithoutTLSPanics(t *testing.T) {
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, esdbserver.ErrUsersWithoutTLS) {
			t.Fatalf("New with users and no TLS: recovered %v, want ErrUsersWithoutTLS", err)
		}
	}()
	esdbserver.New(testStore(t), esdbserver.Options{Security: esdbserver.Security{Users: map[string]string{"a": "b"}}})
}
