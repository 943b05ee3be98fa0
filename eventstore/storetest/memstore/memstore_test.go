package memstore_test

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/storetest"
	"github.com/petitionledger/petitionledger/eventstore/storetest/memstore"
)

// TestConformance runs the storetest suite against the reference store. It
// proves every case can pass, and catches mistakes in the suite itself.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) eventstore.Store {
		s := memstore.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
