package storetest_test

import (
	"testing"

	"github.com/petitionledger/petitionledger/eventstore"
	"github.com/petitionledger/petitionledger/eventstore/storetest"
)

// TestReferenceStorePassesSuite runs the suite against memStore, the
// in-memory reference written from EventStoreDB's source. It proves every
// case can pass, and catches mistakes in the suite itself.
func TestReferenceStorePassesSuite(t *testing.T) {
	storetest.Run(t, func(t testing.TB) eventstore.Store {
		s := newMemStore()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
