package geo_test

import (
	"github.com/petitionledger/petitionledger/domain"
	"github.com/petitionledger/petitionledger/domain/geo"
)

// *geo.Data is the domain's Places port.
var _ domain.Places = (*geo.Data)(nil)
