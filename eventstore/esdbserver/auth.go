package esdbserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Security configures transport encryption and authentication. The zero
// value serves plaintext HTTP/2 (h2c) and allows every request, like
// EventStoreDB started with --insecure: for loopback or a trusted network
// only, since whoever reaches the port can append to any stream.
type Security struct {
	// TLS, when not nil, makes the server speak TLS; clients connect with
	// tls=true (and tlsCAFile=… for a private CA).
	TLS *tls.Config
	// Users, when not empty, turns authentication on: every Streams call
	// must carry HTTP Basic credentials (what esdb://login:password@host
	// sends) of one of these users, login → password. ServerFeatures and
	// Gossip stay open, as on EventStoreDB, so clients can discover the
	// node before they authenticate. The official clients send credentials
	// only over TLS, so Users needs TLS.
	Users map[string]string
}

// ErrUsersWithoutTLS reports Security.Users set without Security.TLS:
// credentials would cross the network in the clear.
var ErrUsersWithoutTLS = errors.New("esdbserver: users need TLS: credentials would travel in plaintext")

func (s Security) check() error {
	if len(s.Users) > 0 && s.TLS == nil {
		return ErrUsersWithoutTLS
	}
	for login := range s.Users {
		if login == "" || strings.Contains(login, ":") {
			return fmt.Errorf("%w: login %q is empty or holds ':'", ErrInvalidOptions, login)
		}
	}
	return nil
}

// serverOptions are the gRPC options that carry s out.
func (s Security) serverOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if s.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.TLS)))
	}
	if len(s.Users) > 0 {
		a := newAuthenticator(s.Users)
		opts = append(opts, grpc.ChainUnaryInterceptor(a.unary), grpc.ChainStreamInterceptor(a.stream))
	}
	return opts
}

// streamsMethodPrefix starts the full method name of every Streams call.
const streamsMethodPrefix = "/event_store.client.streams.Streams/"

// authenticator checks Basic credentials against known users. Passwords
// are kept as SHA-256 digests and compared in constant time.
type authenticator struct {
	users map[string][sha256.Size]byte
}

func newAuthenticator(users map[string]string) *authenticator {
	a := &authenticator{users: make(map[string][sha256.Size]byte, len(users))}
	for login, password := range users {
		a.users[login] = sha256.Sum256([]byte(password))
	}
	return a
}

func (a *authenticator) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if trailer, err := a.authorize(ctx, info.FullMethod); err != nil {
		_ = grpc.SetTrailer(ctx, trailer)
		return nil, err
	}
	return handler(ctx, req)
}

func (a *authenticator) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if trailer, err := a.authorize(ss.Context(), info.FullMethod); err != nil {
		ss.SetTrailer(trailer)
		return err
	}
	return handler(srv, ss)
}

// authorize lets through calls outside Streams, and Streams calls with the
// credentials of a known user. A call with no credentials is denied as
// EventStoreDB denies an anonymous user (PermissionDenied, "access-denied");
// one with wrong credentials fails authentication (Unauthenticated).
// The trailer goes with the error.
func (a *authenticator) authorize(ctx context.Context, method string) (metadata.MD, error) {
	if !strings.HasPrefix(method, streamsMethodPrefix) {
		return nil, nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		return metadata.Pairs(trailerException, exceptionAccessDenied), status.Error(codes.PermissionDenied, "Access Denied")
	}
	login, password, ok := parseBasic(values[0])
	want, known := a.users[login]
	got := sha256.Sum256([]byte(password))
	if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !known {
		return nil, status.Error(codes.Unauthenticated, "Bad username or password.")
	}
	return nil, nil
}

// parseBasic decodes an HTTP Basic authorization value (RFC 7617).
func parseBasic(value string) (login, password string, ok bool) {
	scheme, encoded, found := strings.Cut(value, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", "", false
	}
	login, password, ok = strings.Cut(string(raw), ":")
	return login, password, ok && login != ""
}
