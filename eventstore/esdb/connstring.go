package esdb

import (
	"fmt"
	"math"
	"net/url"
	"strings"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/petitionledger/petitionledger/eventstore"
)

// ParseConnectionString parses an EventStoreDB connection string:
//
//	esdb://host:2113?tls=false                              (one node)
//	esdb://a:2113,b:2113,c:2113?nodepreference=leader       (gossip seeds)
//	esdb+discover://cluster.example:2113                    (DNS discovery)
//
// with the client's settings (tls, tlsVerifyCert, tlsCAFile, nodePreference,
// maxDiscoverAttempts, discoveryInterval, gossipTimeout, keepAliveInterval,
// keepAliveTimeout, defaultDeadline, userCertFile, userKeyFile) and
// credentials (esdb://user:pass@host). Errors match
// eventstore.ErrInvalidArgument.
func ParseConnectionString(connectionString string) (*client.Configuration, error) {
	if strings.TrimSpace(connectionString) == "" {
		return nil, fmt.Errorf("%w: esdb: empty connection string", eventstore.ErrInvalidArgument)
	}
	if err := checkSettings(connectionString); err != nil {
		return nil, err
	}
	cfg, err := client.ParseConnectionString(connectionString)
	if err != nil {
		return nil, fmt.Errorf("%w: esdb: connection string: %v", eventstore.ErrInvalidArgument, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: esdb: connection string: %v", eventstore.ErrInvalidArgument, err)
	}
	if cfg.Address == "" && len(cfg.GossipSeeds) == 0 {
		return nil, fmt.Errorf("%w: esdb: connection string names no host", eventstore.ErrInvalidArgument)
	}
	if !hasSetting(connectionString, "maxdiscoverattempts") {
		cfg.MaxDiscoverAttempts = unboundedDiscovery
	}
	return cfg, nil
}

// unboundedDiscovery replaces the client's default of 10 discovery attempts.
// When discovery gives up, the client's connection goroutine exits, and
// every call already waiting to talk to it (for a connection, or to report
// an Unavailable error) blocks for ever. Discovering without end keeps that
// goroutine alive: waiting calls resume when a node is back, and the Store
// releases its callers when their context ends (see Store.call). A
// connection string that sets maxDiscoverAttempts keeps its value; the
// Store then replaces a client that gave up.
const unboundedDiscovery = math.MaxInt

// hasSetting reports whether the connection string sets key (lower case).
func hasSetting(connectionString, key string) bool {
	_, query, found := strings.Cut(connectionString, "?")
	if !found {
		return false
	}
	query, _, _ = strings.Cut(query, "#")
	values, err := url.ParseQuery(query)
	if err != nil {
		return false
	}
	for k := range values {
		if strings.ToLower(k) == key {
			return true
		}
	}
	return false
}

// knownSettings are the connection-string settings client v4.2.0 reads
// (lower case). It only warns about others; a typo such as "tsl=false" would
// then silently keep TLS on, so they are refused here.
var knownSettings = map[string]bool{
	"discoveryinterval": true, "gossiptimeout": true, "maxdiscoverattempts": true, "nodepreference": true,
	"keepaliveinterval": true, "keepalivetimeout": true, "tls": true, "tlscafile": true, "usercertfile": true,
	"userkeyfile": true, "tlsverifycert": true, "defaultdeadline": true,
}

// checkSettings refuses unknown connection-string settings.
func checkSettings(connectionString string) error {
	_, query, found := strings.Cut(connectionString, "?")
	if !found {
		return nil
	}
	query, _, _ = strings.Cut(query, "#")
	values, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("%w: esdb: connection string settings: %v", eventstore.ErrInvalidArgument, err)
	}
	for k := range values {
		if !knownSettings[strings.ToLower(k)] {
			return fmt.Errorf("%w: esdb: unknown connection string setting %q", eventstore.ErrInvalidArgument, k)
		}
	}
	return nil
}
