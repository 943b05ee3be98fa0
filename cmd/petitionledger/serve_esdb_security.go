package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

// esdbSecurityFlags secure the EventStoreDB protocol port. Whoever reaches
// that port can append any event to any stream, bypassing the domain's
// rules and the admin tokens, so serve refuses to open it beyond loopback
// without users and TLS, unless told --esdb-insecure.
type esdbSecurityFlags struct {
	certFile, keyFile, usersFile string
	insecure                     bool
}

func (f *esdbSecurityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.certFile, "esdb-tls-cert", "", "PEM certificate (chain) for the EventStoreDB protocol port; with --esdb-tls-key, clients connect with tls=true")
	fs.StringVar(&f.keyFile, "esdb-tls-key", "", "PEM private key of --esdb-tls-cert")
	fs.StringVar(&f.usersFile, "esdb-users-file", "", "file of login:password lines; when given, every Streams call on the EventStoreDB protocol port needs one of them (esdb://login:password@host?tls=true); needs TLS")
	fs.BoolVar(&f.insecure, "esdb-insecure", false, "allow --esdb-listen beyond loopback without users and TLS (anyone reaching the port can write to the ledger)")
}

// security checks the flags against the listen address and loads what they
// name.
func (f *esdbSecurityFlags) security(listen string) (esdbserver.Security, error) {
	var sec esdbserver.Security
	if (f.certFile == "") != (f.keyFile == "") {
		return sec, usageError{"--esdb-tls-cert and --esdb-tls-key go together"}
	}
	if listen == "" {
		if f.certFile != "" || f.usersFile != "" {
			return sec, usageError{"--esdb-tls-cert, --esdb-tls-key and --esdb-users-file need --esdb-listen"}
		}
		return sec, nil
	}
	if f.usersFile != "" && f.certFile == "" {
		return sec, usageError{"--esdb-users-file needs --esdb-tls-cert and --esdb-tls-key: credentials would travel in plaintext (the official clients refuse to send them without TLS)"}
	}
	if f.usersFile == "" && !f.insecure && !loopbackAddress(listen) {
		return sec, usageError{fmt.Sprintf("--esdb-listen %s is not a loopback address: give --esdb-users-file with --esdb-tls-cert/--esdb-tls-key, or --esdb-insecure to let anyone who reaches it write to the ledger", listen)}
	}
	if f.certFile != "" {
		cert, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
		if err != nil {
			return sec, fmt.Errorf("--esdb-tls-cert %s / --esdb-tls-key %s: %w", f.certFile, f.keyFile, err)
		}
		sec.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if f.usersFile != "" {
		users, err := readUsersFile(f.usersFile)
		if err != nil {
			return sec, err
		}
		sec.Users = users
	}
	return sec, nil
}

// loopbackAddress reports whether a listen address (host:port) only
// accepts connections from this machine.
func loopbackAddress(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readUsersFile reads login:password lines; blank lines and lines starting
// with # are skipped. Errors name the file and line, never the password.
func readUsersFile(path string) (map[string]string, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--esdb-users-file: %w", err)
	}
	defer file.Close()
	users := map[string]string{}
	lines := bufio.NewScanner(file)
	for n := 1; lines.Scan(); n++ {
		line := strings.TrimSpace(lines.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		login, password, ok := strings.Cut(line, ":")
		switch {
		case !ok || login == "" || password == "":
			return nil, fmt.Errorf("--esdb-users-file %s:%d: want login:password with both non-empty", path, n)
		case users[login] != "":
			return nil, fmt.Errorf("--esdb-users-file %s:%d: login %q given twice", path, n, login)
		}
		users[login] = password
	}
	if err := lines.Err(); err != nil {
		return nil, fmt.Errorf("--esdb-users-file %s: %w", path, err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("--esdb-users-file %s: no users", path)
	}
	return users, nil
}
