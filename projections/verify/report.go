package verify

// Report is the result of Ledger. Its JSON has keys in sorted order and no
// time of the run, so two verifiers of the same ledger and checkpoint write
// byte-identical reports.
type Report struct {
	CheckpointsChecked int              `json:"checkpoints_checked"`
	FirstProblem       string           `json:"first_problem,omitempty"`
	Origin             string           `json:"origin"`
	Petitions          []PetitionReport `json:"petitions"`
	Root               string           `json:"root"`
	ServerCompared     bool             `json:"server_compared"`
	SignatureChecked   bool             `json:"signature_checked"`
	TreeSize           int64            `json:"tree_size"`
}

// PetitionReport is the recount of one petition.
type PetitionReport struct {
	AbroadCount      int64       `json:"abroad_count"`
	AbroadShare      string      `json:"abroad_share"`
	ClosedAt         string      `json:"closed_at,omitempty"`
	Constituencies   []AreaCount `json:"constituencies"`
	Countries        []AreaCount `json:"countries"`
	Fraudulent       int64       `json:"fraudulent"`
	ID               int64       `json:"id"`
	Invalidated      int64       `json:"invalidated"`
	InvalidationRate string      `json:"invalidation_rate"`
	Published        bool        `json:"published"`
	Regions          []AreaCount `json:"regions"`
	ServerMatches    *bool       `json:"server_matches,omitempty"`
	Signatures       int64       `json:"signatures"`
	Total            int64       `json:"total"`
}

// AreaCount is the counted signatures of one constituency, region or
// country and its share of the petition's total.
type AreaCount struct {
	Code  string `json:"code"`
	Count int64  `json:"count"`
	Share string `json:"share"`
}
