package domain

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// appendSignatureSigned appends exactly the bytes json.Marshal gives for e
// (the hottest event: one per signature), without reflection. ok=false
// means a value it does not render itself (a time json.Marshal would
// refuse); the caller then uses json.Marshal. FuzzEncodeSignatureSigned
// checks the bytes are identical.
func appendSignatureSigned(b []byte, e SignatureSigned) (_ []byte, ok bool) {
	at, err := e.At.MarshalJSON()
	if err != nil {
		return b, false
	}
	var id [36]byte
	b = append(b, `{"signature_id":"`...)
	b = append(b, uuidText(&id, e.SignatureID)...)
	b = append(b, `","petition_id":`...)
	b = strconv.AppendInt(b, e.PetitionID, 10)
	b = appendField(b, `,"signer_key":`, e.SignerKey)
	b = appendField(b, `,"kind":`, string(e.Kind))
	b = appendField(b, `,"location":{"constituency":`, e.Location.Constituency)
	b = appendField(b, `,"country":`, e.Location.Country)
	b = appendField(b, `,"region":`, e.Location.Region)
	b = appendField(b, `},"from":`, string(e.From))
	b = appendField(b, `,"to":`, string(e.To))
	b = appendField(b, `,"name_hash":`, e.NameHash)
	b = appendField(b, `,"postcode_hash":`, e.PostcodeHash)
	b = appendField(b, `,"ip_hash":`, e.IPHash)
	b = append(b, `,"ip_prefix_hashes":`...)
	if e.IPPrefixHashes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range e.IPPrefixHashes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"bits":`...)
			b = strconv.AppendInt(b, int64(p.Bits), 10)
			b = appendField(b, `,"hash":`, p.Hash)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendField(b, `,"email_domain_hash":`, e.EmailDomainHash)
	b = appendField(b, `,"sealed":{"key_id":`, e.Sealed.KeyID)
	b = appendBytesField(b, `,"nonce":`, e.Sealed.Nonce)
	b = appendBytesField(b, `,"ciphertext":`, e.Sealed.Ciphertext)
	b = append(b, `},"notify_by_email":`...)
	b = strconv.AppendBool(b, e.NotifyByEmail)
	b = append(b, `,"at":`...)
	b = append(b, at...)
	return append(b, '}'), true
}

// appendField appends key and s as encoding/json renders a string: plain
// printable ASCII as is, anything else through json.Marshal itself.
func appendField(b []byte, key, s string) []byte {
	b = append(b, key...)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendBytesField appends key and v as encoding/json renders a []byte.
func appendBytesField(b []byte, key string, v []byte) []byte {
	b = append(b, key...)
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

// uuidText renders id in its canonical 36-character form (as
// uuid.UUID.MarshalText does) into buf, without allocating.
func uuidText(buf *[36]byte, id [16]byte) []byte {
	const digits = "0123456789abcdef"
	j := 0
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf[j] = '-'
			j++
		}
		buf[j], buf[j+1] = digits[c>>4], digits[c&15]
		j += 2
	}
	return buf[:]
}
