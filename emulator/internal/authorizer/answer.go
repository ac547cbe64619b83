package authorizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Answer is a Lambda authorizer's answer, validated (reference §d output).
type Answer struct {
	PrincipalID string
	// Context is the answer's context, in the order written: strings, numbers (as written) and booleans.
	Context []ContextValue
	// UsageIdentifierKey is the API key for APIs whose apiKeySource is AUTHORIZER ("" when absent).
	UsageIdentifierKey string
	policy             *policy
	// simple marks an HTTP API simple response ({"isAuthorized": ..., "context": ...}): authorized
	// decides, there is no policy and no principal.
	simple, authorized bool
}

// ContextValue is one entry of an authorizer's context.
type ContextValue struct {
	Key string
	// Text is the value as templates see it ($context.authorizer.key is always a string: 1, true).
	Text string
	// JSON is the value as the proxy event carries it (numbers and booleans keep their type).
	JSON json.RawMessage
}

// Template is the answer as $context.authorizer.* shows it: principalId and the context, all strings.
func (a *Answer) Template() map[string]string {
	m := make(map[string]string, len(a.Context)+1)
	for _, c := range a.Context {
		m[c.Key] = c.Text
	}
	if !a.simple {
		m["principalId"] = a.PrincipalID
	}
	return m
}

// Event is the answer as a proxy event's requestContext.authorizer carries it: principalId, then the
// context with its JSON types (integrationLatency is the gateway's to add).
func (a *Answer) Event() map[string]any {
	m := make(map[string]any, len(a.Context)+2)
	for _, c := range a.Context {
		m[c.Key] = c.JSON
	}
	if !a.simple {
		m["principalId"] = a.PrincipalID
	}
	return m
}

// Lambda is the answer's context as an HTTP API's payload-2.0 event carries it,
// requestContext.authorizer.lambda: the context alone, values keeping their JSON types, objects and
// lists included (reference §j.6). Assumed: a policy answer's principalId is not added there (AWS's
// examples show only the context).
func (a *Answer) Lambda() map[string]any {
	m := make(map[string]any, len(a.Context))
	for _, c := range a.Context {
		m[c.Key] = c.JSON
	}
	return m
}

// parseAnswer validates what the function returned. An answer API Gateway would not accept is an
// error, which the gateway answers with 500 AuthorizerConfigurationException.
func parseAnswer(payload []byte) (*Answer, error) { return parsePolicyAnswer(payload, false) }

// parsePolicyAnswer is parseAnswer; structured lets context values be objects and lists (HTTP APIs).
func parsePolicyAnswer(payload []byte, structured bool) (*Answer, error) {
	if len(payload) > MaxAnswerBytes {
		return nil, fmt.Errorf("%d bytes, over Lambda's %d", len(payload), MaxAnswerBytes)
	}
	var raw struct {
		PrincipalID        json.RawMessage `json:"principalId"`
		PolicyDocument     json.RawMessage `json:"policyDocument"`
		Context            json.RawMessage `json:"context"`
		UsageIdentifierKey json.RawMessage `json:"usageIdentifierKey"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	a := &Answer{}
	if err := json.Unmarshal(raw.PrincipalID, &a.PrincipalID); err != nil || isNull(raw.PrincipalID) {
		return nil, fmt.Errorf("principalId must be a string")
	}
	if isNull(raw.PolicyDocument) {
		return nil, fmt.Errorf("policyDocument is missing")
	}
	p, err := parsePolicy(raw.PolicyDocument)
	if err != nil {
		return nil, fmt.Errorf("policyDocument: %v", err)
	}
	a.policy = p
	if !isNull(raw.UsageIdentifierKey) {
		if err := json.Unmarshal(raw.UsageIdentifierKey, &a.UsageIdentifierKey); err != nil {
			return nil, fmt.Errorf("usageIdentifierKey must be a string")
		}
	}
	if !isNull(raw.Context) {
		if a.Context, err = parseContext(raw.Context, structured); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// parseContext reads the context object in order. Values must be strings, numbers or booleans: a REST
// API refuses objects and lists (500); an HTTP API (structured) takes them, and templates see them as
// JSON text. A null value is left out (assumed: no recording of it).
func parseContext(raw json.RawMessage, structured bool) ([]ContextValue, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("context must be an object")
	}
	var out []ContextValue
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("context: %v", err)
		}
		key := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("context.%s: %v", key, err)
		}
		v = bytes.TrimSpace(v)
		var text string
		switch v[0] {
		case '{', '[':
			if !structured {
				return nil, fmt.Errorf("context.%s is an object or a list; API Gateway accepts only strings, numbers and booleans there", key)
			}
			var compact bytes.Buffer
			_ = json.Compact(&compact, v)
			v = compact.Bytes()
			text = string(v)
		case 'n':
			continue
		case '"':
			_ = json.Unmarshal(v, &text)
		default: // a number or a boolean, as written
			text = string(v)
		}
		out = append(out, ContextValue{Key: key, Text: text, JSON: v})
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}
