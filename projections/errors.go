package projections

import "errors"

// Sentinel errors. Callers test them with errors.Is.
var (
	ErrInvalidArgument    = errors.New("projections: invalid argument")
	ErrCheckpointCorrupt  = errors.New("projections: checkpoint corrupt")
	ErrCheckpointVersion  = errors.New("projections: checkpoint version mismatch")
	ErrPetitionNotFound   = errors.New("projections: petition not found")
	ErrRunnerStopped      = errors.New("projections: runner stopped")
	ErrPositionNotReached = errors.New("projections: position not reached")
)
