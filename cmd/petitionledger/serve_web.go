package main

import (
	"log/slog"

	"github.com/petitionledger/petitionledger/httpapi"
	"github.com/petitionledger/petitionledger/httpapi/web"
	"github.com/petitionledger/petitionledger/projections"
)

// registerWeb mounts the petition pages (package httpapi/web) on the API's
// server: /, /petition/{id}, /petition/{id}/audit, /static/.
func registerWeb(api *httpapi.Server, views web.Views, places *projections.Places, proofs bool, log *slog.Logger) error {
	cfg := web.Config{Views: views, Places: places, Logger: log}
	if proofs {
		cfg.CheckpointURL = "/ledger/checkpoint"
	}
	pages, err := web.New(cfg)
	if err != nil {
		return err
	}
	pages.Register(api)
	return nil
}
