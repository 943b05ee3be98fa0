// Command esdbfixture serves the EventStoreDB gRPC protocol (package
// eventstore/esdbserver) over a fresh embedded store, for the end-to-end
// tests of stock clients. It is test scaffolding, not a product command.
//
//	esdbfixture -listen 127.0.0.1:0 [-dir DIR]
//
// It prints "listening HOST:PORT" on stdout once it accepts connections, and
// stops on SIGINT or SIGTERM. Without -dir it uses a temporary directory and
// removes it on exit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/petitionledger/petitionledger/eventstore/embedded"
	"github.com/petitionledger/petitionledger/eventstore/esdbserver"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "esdbfixture:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("esdbfixture", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to serve on (loopback only)")
	dir := fs.String("dir", "", "store directory (default: a temporary one, removed on exit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "esdbfixture-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	store, err := embedded.Open(*dir)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := esdbserver.New(store, esdbserver.Options{Logger: log})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Stop()
	}()
	fmt.Printf("listening %s\n", lis.Addr())
	return srv.Serve(lis)
}

// checkLoopback refuses to serve anywhere but on the loopback interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return errors.New("-listen must be a loopback address (127.0.0.1, [::1] or localhost)")
	}
	return nil
}
