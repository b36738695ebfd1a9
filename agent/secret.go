package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxBodySize bounds a request body: the largest legitimate one is a
// 16-character signing password with a reader name and a few options.
const MaxBodySize = 4 << 10

// maxPINLen is the longest PIN the API accepts: the signing password is at
// most 16 characters (docs/card.md "PIN and key EFs"); anything longer is refused
// before it reaches the card library.
const maxPINLen = 16

// PIN is a PIN in a request body, decoded from JSON straight into bytes,
// never through a string, so that it can be wiped (Wipe). In JSON it is a
// string of ASCII letters and digits without escapes, which is every PIN the
// card knows; the format rules proper are the card package's.
type PIN []byte

// MarshalJSON writes p as a JSON string, for Go clients of the API.
func (p PIN) MarshalJSON() ([]byte, error) {
	if err := checkPIN(p); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(p)+2)
	out = append(out, '"')
	out = append(out, p...)
	return append(out, '"'), nil
}

// Wipe overwrites p with zeros.
func (p PIN) Wipe() { wipe(p) }

// checkPIN checks the JSON form of a PIN.
func checkPIN(in []byte) error {
	if len(in) > maxPINLen {
		return fmt.Errorf("pin longer than %d characters", maxPINLen)
	}
	for _, c := range in {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return errors.New("pin may hold only letters and digits")
		}
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler without making a string.
func (p *PIN) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return errors.New("pin must be a JSON string")
	}
	in := data[1 : len(data)-1]
	if err := checkPIN(in); err != nil {
		return err
	}
	wipe(*p)
	*p = append(make([]byte, 0, maxPINLen), in...)
	return nil
}

// wipe overwrites b with zeros.
func wipe(b []byte) {
	clear(b)
}

// readJSON reads r's body into a buffer of its own, decodes it into v with
// unknown fields refused, and wipes the buffer, so that no copy of a PIN in
// the body outlives the call in memory the agent owns.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
		return newAPIError(http.StatusUnsupportedMediaType, CodeBadRequest, "content type must be application/json")
	}
	buf := make([]byte, MaxBodySize+1)
	defer wipe(buf)
	n, err := io.ReadFull(http.MaxBytesReader(w, r.Body, MaxBodySize+1), buf)
	switch {
	case n > MaxBodySize:
		return newAPIError(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("body over %d bytes", MaxBodySize))
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF):
		return newAPIError(http.StatusBadRequest, CodeBadRequest, "reading body failed")
	}
	dec := json.NewDecoder(bytes.NewReader(buf[:n]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// The decoder's message may quote the body near a syntax error:
		// keep only its class.
		var ue *json.UnmarshalTypeError
		msg := "malformed JSON body"
		if errors.As(err, &ue) {
			msg = "wrong type for field " + ue.Field
		} else if m := err.Error(); bytes.HasPrefix([]byte(m), []byte("json: unknown field")) {
			msg = m
		} else if bytes.Contains([]byte(m), []byte("pin")) {
			msg = "invalid pin field"
		}
		return newAPIError(http.StatusBadRequest, CodeBadRequest, msg)
	}
	if dec.More() {
		return newAPIError(http.StatusBadRequest, CodeBadRequest, "trailing data after the JSON body")
	}
	return nil
}

func isJSON(ct string) bool {
	if i := bytes.IndexByte([]byte(ct), ';'); i >= 0 {
		ct = ct[:i]
	}
	return bytes.EqualFold(bytes.TrimSpace([]byte(ct)), []byte("application/json"))
}
