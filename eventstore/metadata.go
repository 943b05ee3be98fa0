package eventstore

import (
	"encoding/json"
	"fmt"
	"math"
)

// MetadataEventType is the type of the events of a "$$X" metadata stream.
const MetadataEventType = "$metadata"

// TombstoneEventType is the type of the event a tombstone writes.
const TombstoneEventType = "$streamDeleted"

// DeletedStreamTruncateBefore is the $tb a soft delete writes: every event
// of the stream is hidden. (A later append rewrites $tb to the revision of
// its first event.)
const DeletedStreamTruncateBefore = math.MaxInt64

// StreamMetadata is the JSON body of a $metadata event, as EventStoreDB
// defines it. Unknown keys are preserved in Custom.
type StreamMetadata struct {
	MaxAge         *uint64                    `json:"$maxAge,omitempty"` // seconds
	MaxCount       *uint64                    `json:"$maxCount,omitempty"`
	TruncateBefore *uint64                    `json:"$tb,omitempty"`
	CacheControl   *uint64                    `json:"$cacheControl,omitempty"` // seconds
	ACL            json.RawMessage            `json:"$acl,omitempty"`
	Custom         map[string]json.RawMessage `json:"-"`
}

// ParseStreamMetadata decodes a $metadata event body. It keeps unknown keys.
func ParseStreamMetadata(data []byte) (StreamMetadata, error) {
	var m StreamMetadata
	if err := json.Unmarshal(data, &m); err != nil {
		return StreamMetadata{}, fmt.Errorf("%w: stream metadata: %v", ErrInvalidArgument, err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return StreamMetadata{}, fmt.Errorf("%w: stream metadata: %v", ErrInvalidArgument, err)
	}
	for _, k := range []string{"$maxAge", "$maxCount", "$tb", "$cacheControl", "$acl"} {
		delete(all, k)
	}
	if len(all) > 0 {
		m.Custom = all
	}
	return m, nil
}
