package emulator

import (
	"encoding/json"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
)

// trace is the exchange's record of what each phase decided: the log line reads it, and so does the
// inspector (a copy, kept after the request). It is an array in the exchange, not a slice, so that
// recording costs no allocation.
type trace struct {
	steps [10]step
	n     int
	// ended is the step that ended the request with a gateway response (or a failure after the
	// response had started); nil when the request went through.
	ended *step
}

// step is one phase's decision.
type step struct {
	Phase string `json:"phase"`
	// Decision is what the phase decided on: the stage, the route, the API key, the integration kind.
	Decision string `json:"decision,omitempty"`
	// Skipped names a feature the phase did not apply because it is not emulated and only relaxes
	// behaviour (request validators, the stage cache, content handling).
	Skipped string `json:"skipped,omitempty"`
	// Error is the gateway response type and reason, for the step that ended the request.
	Error *gatewayresponse.Error `json:"-"`
}

// MarshalJSON writes the step as the JSON log and the inspector show it: the step that ended the request
// names its gateway response type and the cause.
func (s step) MarshalJSON() ([]byte, error) {
	out := struct {
		Phase        string `json:"phase"`
		Decision     string `json:"decision,omitempty"`
		Skipped      string `json:"skipped,omitempty"`
		ResponseType string `json:"responseType,omitempty"`
		Cause        string `json:"cause,omitempty"`
	}{Phase: s.Phase, Decision: s.Decision, Skipped: s.Skipped}
	if s.Error != nil {
		out.ResponseType, out.Cause = string(s.Error.Type), s.Error.Reason
	}
	return json.Marshal(out)
}

func (t *trace) push(s step) *step {
	if t.n == len(t.steps) {
		return nil
	}
	t.steps[t.n] = s
	t.n++
	return &t.steps[t.n-1]
}

// add records a phase that handed the exchange on.
func (t *trace) add(phase, decision string) { t.push(step{Phase: phase, Decision: decision}) }

// skip records a feature a phase skipped.
func (t *trace) skip(phase, what string) { t.push(step{Phase: phase, Skipped: what}) }

// end records the phase that ended the request with err.
func (t *trace) end(phase string, err *gatewayresponse.Error) {
	if s := t.push(step{Phase: phase, Error: err}); s != nil {
		t.ended = s
	}
}

// Steps returns the recorded steps in order.
func (t *trace) Steps() []step { return t.steps[:t.n] }

// appendReason appends what the log line says after the status: the gateway response that ended the
// request ("THROTTLED usage-plan=..."), then every skipped feature.
func (t *trace) appendReason(b []byte) []byte {
	sep := false
	if t.ended != nil {
		b = append(b, t.ended.Error.Type...)
		if r := t.ended.Error.Reason; r != "" {
			b = append(b, ' ')
			b = append(b, r...)
		}
		sep = true
	}
	for i := range t.steps[:t.n] {
		if s := &t.steps[i]; s.Skipped != "" {
			if sep {
				b = append(b, ' ')
			}
			b = append(b, "skipped: "...)
			b = append(b, s.Skipped...)
			sep = true
		}
	}
	return b
}

// reason is appendReason as a string.
func (t *trace) reason() string { return string(t.appendReason(nil)) }

func (t *trace) hasSkips() bool {
	for i := range t.steps[:t.n] {
		if t.steps[i].Skipped != "" {
			return true
		}
	}
	return false
}
