package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/esdb"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver/testcert"
)

// tempFile writes content to a new file and returns its path.
func tempFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file")
	writeFile(t, path, []byte(content))
	return path
}

func TestESDBSecurityFlags(t *testing.T) {
	cert := testcert.Loopback(t)
	users := tempFile(t, "# storage node users\nledger:s3cret\n\napi:other\n")
	tests := []struct {
		name      string
		listen    string
		flags     esdbSecurityFlags
		wantErr   string
		wantTLS   bool
		wantUsers int
	}{
		{"no listener", "", esdbSecurityFlags{}, "", false, 0},
		{"loopback, open", "127.0.0.1:2113", esdbSecurityFlags{}, "", false, 0},
		{"localhost, open", "localhost:2113", esdbSecurityFlags{}, "", false, 0},
		{"ipv6 loopback, open", "[::1]:2113", esdbSecurityFlags{}, "", false, 0},
		{"all interfaces, open", "0.0.0.0:2113", esdbSecurityFlags{}, "is not a loopback address", false, 0},
		{"empty host, open", ":2113", esdbSecurityFlags{}, "is not a loopback address", false, 0},
		{"all interfaces, insecure", "0.0.0.0:2113", esdbSecurityFlags{insecure: true}, "", false, 0},
		{"all interfaces, TLS and users", "0.0.0.0:2113", esdbSecurityFlags{certFile: cert.CertFile, keyFile: cert.KeyFile, usersFile: users}, "", true, 2},
		{"loopback, TLS only", "127.0.0.1:2113", esdbSecurityFlags{certFile: cert.CertFile, keyFile: cert.KeyFile}, "", true, 0},
		{"users without TLS", "127.0.0.1:2113", esdbSecurityFlags{usersFile: users}, "needs --esdb-tls-cert", false, 0},
		{"cert without key", "127.0.0.1:2113", esdbSecurityFlags{certFile: cert.CertFile}, "go together", false, 0},
		{"TLS without listener", "", esdbSecurityFlags{certFile: cert.CertFile, keyFile: cert.KeyFile}, "need --esdb-listen", false, 0},
		{"key is not a key", "127.0.0.1:2113", esdbSecurityFlags{certFile: cert.CertFile, keyFile: cert.CertFile}, "--esdb-tls-cert", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flags.security(tt.listen)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("security(%q) error = %v, want one saying %q", tt.listen, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("security(%q): %v", tt.listen, err)
			}
			if (got.TLS != nil) != tt.wantTLS || len(got.Users) != tt.wantUsers {
				t.Fatalf("security(%q) = TLS %v, %d users; want TLS %v, %d users", tt.listen, got.TLS != nil, len(got.Users), tt.wantTLS, tt.wantUsers)
			}
		})
	}
}

func TestReadUsersFileRejects(t *testing.T) {
	tests := []struct {
		content, want string
	}{
		{"ledger\n", ":1: want login:password"},
		{"ledger:\n", ":1: want login:password"},
		{"# c\n:pw\n", ":2: want login:password"},
		{"a:b\na:c\n", `:2: login "a" given twice`},
		{"# nothing\n", "no users"},
	}
	for _, tt := range tests {
		_, err := readUsersFile(tempFile(t, tt.content))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("readUsersFile(%q) error = %v, want one saying %q", tt.content, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error %q shows a password", err)
		}
	}
	if _, err := readUsersFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("readUsersFile of a missing file succeeded")
	}
}

// TestServeSecureStorageNode runs a storage node whose EventStoreDB port
// needs TLS and a user: the esdb backend appends with the user's
// credentials, and is denied without them.
func TestServeSecureStorageNode(t *testing.T) {
	cert := testcert.Loopback(t)
	users := tempFile(t, "ledger:s3cret\n")
	_, esdbAddr := startNode(t, "--store", filepath.Join(t.TempDir(), "store"), "--esdb-listen", "127.0.0.1:0",
		"--esdb-tls-cert", cert.CertFile, "--esdb-tls-key", cert.KeyFile, "--esdb-users-file", users)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	open := func(userinfo string) *esdb.Store {
		s, err := esdb.Open(ctx, "esdb://"+userinfo+esdbAddr+"?tls=true&tlsCAFile="+cert.CertFile)
		if err != nil {
			t.Fatalf("esdb.Open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	event := eventstore.EventData{ID: uuid.New(), Type: "Probe", ContentType: eventstore.ContentTypeJSON, Data: []byte(`{}`)}
	if _, err := open("ledger:s3cret@").Append(ctx, "probe", eventstore.NoStream{}, event); err != nil {
		t.Fatalf("append with credentials: %v", err)
	}
	event.ID = uuid.New()
	if _, err := open("").Append(ctx, "probe", eventstore.Any{}, event); !errors.Is(err, eventstore.ErrAccessDenied) {
		t.Fatalf("append without credentials: got %v, want ErrAccessDenied", err)
	}
}
