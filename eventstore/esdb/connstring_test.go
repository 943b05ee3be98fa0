package esdb

import (
	"errors"
	"testing"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

func TestParseConnectionString(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		wantAddress string
		wantSeeds   []string
		wantDNS     bool
		wantNoTLS   bool
		wantPref    client.NodePreference
	}{
		{name: "SingleNode", in: "esdb://127.0.0.1:2113?tls=false", wantAddress: "127.0.0.1:2113", wantNoTLS: true, wantPref: client.NodePreferenceLeader},
		{name: "DefaultPort", in: "esdb://localhost?tls=false", wantAddress: "localhost:2113", wantNoTLS: true, wantPref: client.NodePreferenceLeader},
		{name: "TLS", in: "esdb://db.example:2113", wantAddress: "db.example:2113", wantPref: client.NodePreferenceLeader},
		{name: "Cluster", in: "esdb://a:2113,b:2114,c:2115?nodepreference=leader&tls=false",
			wantSeeds: []string{"a:2113", "b:2114", "c:2115"}, wantNoTLS: true, wantPref: client.NodePreferenceLeader},
		{name: "ClusterFollower", in: "esdb://a:2113,b:2113?nodePreference=follower",
			wantSeeds: []string{"a:2113", "b:2113"}, wantPref: client.NodePreferenceFollower},
		{name: "Discover", in: "esdb+discover://cluster.example:2113?tls=false", wantAddress: "cluster.example:2113", wantDNS: true, wantNoTLS: true, wantPref: client.NodePreferenceLeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConnectionString(tt.in)
			if err != nil {
				t.Fatalf("ParseConnectionString(%q): %v", tt.in, err)
			}
			if len(tt.wantSeeds) == 0 && cfg.Address != tt.wantAddress {
				t.Errorf("got address %q, want %q", cfg.Address, tt.wantAddress)
			}
			var seeds []string
			for _, s := range cfg.GossipSeeds {
				seeds = append(seeds, s.String())
			}
			if len(seeds) != len(tt.wantSeeds) {
				t.Fatalf("got seeds %v, want %v", seeds, tt.wantSeeds)
			}
			for i := range seeds {
				if seeds[i] != tt.wantSeeds[i] {
					t.Errorf("got seeds %v, want %v", seeds, tt.wantSeeds)
				}
			}
			if cfg.DnsDiscover != tt.wantDNS || cfg.DisableTLS != tt.wantNoTLS || cfg.NodePreference != tt.wantPref {
				t.Errorf("got dns=%v notls=%v pref=%v, want %v %v %v", cfg.DnsDiscover, cfg.DisableTLS, cfg.NodePreference, tt.wantDNS, tt.wantNoTLS, tt.wantPref)
			}
		})
	}
}

func TestParseConnectionStringRejects(t *testing.T) {
	for _, in := range []string{
		"", "   ", "http://127.0.0.1:2113", "esdb://127.0.0.1:2113?tls=maybe", "esdb://127.0.0.1:notaport",
		"esdb://127.0.0.1:2113?nodepreference=boss", "esdb://127.0.0.1:2113?unknownsetting=1",
		"esdb://127.0.0.1:2113?usercertfile=/x",
	} {
		if _, err := ParseConnectionString(in); !errors.Is(err, eventstore.ErrInvalidArgument) {
			t.Errorf("ParseConnectionString(%q) = %v, want ErrInvalidArgument", in, err)
		}
	}
}

// FuzzParseConnectionString checks the parser never panics and that what it
// accepts names a host.
func FuzzParseConnectionString(f *testing.F) {
	for _, seed := range []string{
		"esdb://127.0.0.1:2113?tls=false", "esdb://a:1,b:2,c:3?nodepreference=leader", "esdb+discover://x:2113",
		"esdb://u:p@h:1?tls=false&keepAliveInterval=-1", "esdb://", "esdb://,,,", "esdb://h:99999",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := ParseConnectionString(in)
		if err != nil {
			if !errors.Is(err, eventstore.ErrInvalidArgument) {
				t.Errorf("error %v does not match ErrInvalidArgument", err)
			}
			return
		}
		if cfg.Address == "" && len(cfg.GossipSeeds) == 0 {
			t.Errorf("accepted %q without a host", in)
		}
	})
}
