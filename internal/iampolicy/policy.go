package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Budgets of Parse. They bound what one Evaluate can cost, whatever document a Lambda authorizer returns.
const (
	// MaxPolicyBytes is 8 times API Gateway's default resource-policy quota (8192 characters): room for
	// a raised quota and for the escaping of a policy carried as a JSON string. Authorizer output policies
	// have no documented limit; none we know of comes near this.
	MaxPolicyBytes = 64 << 10
	// MaxStatements caps the statements of one policy.
	MaxStatements = 256
	// MaxValues caps the values (action and resource patterns, principals, CIDRs) of one policy in all.
	MaxValues = 2048
)

// The Version values IAM accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed and compiled policy document, ready for Evaluate.
type Policy struct {
	Version string // "" when the document has none
	ID      string // the document's Id, if any
	// Unsupported names, in document order, each part of the document the emulator does not evaluate as
	// AWS would, and what it does instead, for `validate` to warn about.
	Unsupported []string

	statements []statement
}

// Error is a problem with a policy document: where it is (Path, e.g. Statement[1].Effect; "" for the
// document as a whole) and what is wrong.
type Error struct {
	Path    string
	Problem string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Problem
	}
	return e.Path + " " + e.Problem
}

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Problem: fmt.Sprintf(format, args...)}
}

type statement struct {
	sid  string
	deny bool

	notAction   bool
	actions     []pattern // lower-cased: actions match case-insensitively
	notResource bool
	resources   []pattern

	// principal is nil when the statement has neither Principal nor NotPrincipal.
	principal    *principals
	notPrincipal bool

	conditions []ipCondition
	// unsupported: a condition the emulator cannot evaluate; the statement never matches.
	unsupported bool
}

// principals is a compiled Principal (or NotPrincipal) element.
type principals struct {
	any      bool     // "*" or {"AWS": "*"}
	accounts []string // 12-digit account ids, from an id or arn:...:iam::ACCOUNT:root
	arns     []string // caller ARNs, matched exactly
}

// ipCondition is IpAddress (not == false) or NotIpAddress on aws:SourceIp.
type ipCondition struct {
	not      bool
	prefixes []netip.Prefix
}

var documentKeys = map[string]bool{"Version": true, "Id": true, "Statement": true}

var statementKeys = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true, "Action": true, "NotAction": true,
	"Resource": true, "NotResource": true, "Condition": true,
}

// Parse checks and compiles a policy document. The document may also come as a JSON string holding the
// document, as API Gateway carries x-amazon-apigateway-policy and some authorizers return policyDocument.
// Errors are *Error values naming where the document is wrong.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxPolicyBytes {
		return nil, errorf("", "policy is %d bytes; at most %d are accepted", len(data), MaxPolicyBytes)
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var inner string
		if err := json.Unmarshal(data, &inner); err != nil {
			return nil, at("", "is not valid JSON: %v", err)
		}
		data = bytes.TrimSpace([]byte(inner))
		if len(data) > 0 && data[0] == '"' {
			return nil, errorf("", "policy is a JSON string holding another JSON string; expected a policy document")
		}
	}
	var doc map[string]json.RawMessage
	if err := unmarshalObject(data, &doc, ""); err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(doc) {
		if !documentKeys[k] {
			return nil, errorf(k, "is not a policy element (expected Version, Id or Statement; names are case-sensitive)")
		}
	}
	p := &Policy{}
	if raw, ok := doc["Version"]; ok {
		v, err := stringValue(raw, "Version")
		if err != nil {
			return nil, err
		}
		if v != Version2012 && v != Version2008 {
			return nil, errorf("Version", "must be %q or %q, got %q", Version2012, Version2008, v)
		}
		p.Version = v
	}
	if raw, ok := doc["Id"]; ok {
		v, err := stringValue(raw, "Id")
		if err != nil {
			return nil, err
		}
		p.ID = v
	}
	raw, ok := doc["Statement"]
	if !ok {
		return nil, errorf("", "policy has no Statement")
	}
	var items []json.RawMessage
	single := false
	switch kind(raw) {
	case "object":
		items, single = []json.RawMessage{raw}, true
	case "array":
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errorf("Statement", "is not valid JSON: %v", err)
		}
	default:
		return nil, errorf("Statement", "must be an object or a list of objects, got %s", kind(raw))
	}
	if len(items) > MaxStatements {
		return nil, errorf("Statement", "has %d statements; at most %d are accepted", len(items), MaxStatements)
	}
	c := compiler{policy: p}
	for i, item := range items {
		path := "Statement"
		if !single {
			path = "Statement[" + strconv.Itoa(i) + "]"
		}
		s, err := c.statement(item, path)
		if err != nil {
			return nil, err
		}
		p.statements = append(p.statements, s)
	}
	return p, nil
}

// compiler carries what the statements of one document share: the value budget and the report.
type compiler struct {
	policy *Policy
	values int
}

func (c *compiler) count(path string, n int) error {
	c.values += n
	if c.values > MaxValues {
		return errorf(path, "brings the policy over %d values (actions, resources, principals, CIDRs)", MaxValues)
	}
	return nil
}

func (c *compiler) unsupported(format string, args ...any) {
	c.policy.Unsupported = append(c.policy.Unsupported, fmt.Sprintf(format, args...))
}

func (c *compiler) statement(raw json.RawMessage, path string) (statement, error) {
	var s statement
	var m map[string]json.RawMessage
	if err := unmarshalObject(raw, &m, path); err != nil {
		return s, err
	}
	for _, k := range sortedKeys(m) {
		if !statementKeys[k] {
			return s, errorf(path+"."+k, "is not a statement element (names are case-sensitive)")
		}
	}
	if raw, ok := m["Sid"]; ok {
		sid, err := stringValue(raw, path+".Sid")
		if err != nil {
			return s, err
		}
		s.sid = sid
	}
	rawEffect, ok := m["Effect"]
	if !ok {
		return s, errorf(path, "has no Effect")
	}
	effect, err := stringValue(rawEffect, path+".Effect")
	if err != nil {
		return s, err
	}
	switch effect {
	case "Allow":
	case "Deny":
		s.deny = true
	default:
		return s, errorf(path+".Effect", "must be \"Allow\" or \"Deny\", got %q", effect)
	}

	name, rawActions, err := exactlyOne(m, path, "Action", "NotAction")
	if err != nil {
		return s, err
	}
	s.notAction = name == "NotAction"
	actions, err := c.stringList(rawActions, path+"."+name)
	if err != nil {
		return s, err
	}
	for _, a := range actions {
		s.actions = append(s.actions, compile(asciiLower(a)))
	}

	name, rawResources, err := exactlyOne(m, path, "Resource", "NotResource")
	if err != nil {
		return s, err
	}
	s.notResource = name == "NotResource"
	resources, err := c.stringList(rawResources, path+"."+name)
	if err != nil {
		return s, err
	}
	for _, r := range resources {
		s.resources = append(s.resources, compile(r))
	}

	rawP, hasP := m["Principal"]
	rawNP, hasNP := m["NotPrincipal"]
	switch {
	case hasP && hasNP:
		return s, errorf(path, "has both Principal and NotPrincipal; at most one is allowed")
	case hasP:
		s.principal, err = c.principal(rawP, path+".Principal")
	case hasNP:
		s.principal, err = c.principal(rawNP, path+".NotPrincipal")
		s.notPrincipal = true
	}
	if err != nil {
		return s, err
	}

	if raw, ok := m["Condition"]; ok {
		if err := c.condition(&s, raw, path+".Condition"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func exactlyOne(m map[string]json.RawMessage, path, name, notName string) (string, json.RawMessage, error) {
	raw, has := m[name]
	rawNot, hasNot := m[notName]
	switch {
	case has && hasNot:
		return "", nil, errorf(path, "has both %s and %s; exactly one is required", name, notName)
	case has:
		return name, raw, nil
	case hasNot:
		return notName, rawNot, nil
	}
	return "", nil, errorf(path, "has neither %s nor %s; exactly one is required", name, notName)
}

func (c *compiler) principal(raw json.RawMessage, path string) (*principals, error) {
	p := &principals{}
	if kind(raw) == "string" {
		v, err := stringValue(raw, path)
		if err != nil {
			return nil, err
		}
		if v != "*" {
			return nil, errorf(path, "as a string must be \"*\", got %q; name principals as {\"AWS\": ...}", v)
		}
		p.any = true
		return p, c.count(path, 1)
	}
	var m map[string]json.RawMessage
	if err := unmarshalObject(raw, &m, path); err != nil {
		return nil, errorf(path, "must be \"*\" or an object such as {\"AWS\": ...}, got %s", kind(raw))
	}
	for _, typ := range sortedKeys(m) {
		values, err := c.stringList(m[typ], path+"."+typ)
		if err != nil {
			return nil, err
		}
		switch typ {
		case "AWS":
		case "Service", "Federated", "CanonicalUser":
			c.unsupported("%s.%s is not emulated; those principals match no caller", path, typ)
			continue
		default:
			return nil, errorf(path+"."+typ, "is not a principal type (expected AWS, Service, Federated or CanonicalUser)")
		}
		for i, v := range values {
			switch account, isAccount := accountOf(v); {
			case v == "*":
				p.any = true
			case isAccount:
				p.accounts = append(p.accounts, account)
			case strings.HasPrefix(v, "arn:"):
				if strings.ContainsAny(v, "*?") {
					return nil, errorf(fmt.Sprintf("%s.AWS[%d]", path, i), "%q: wildcards are not allowed in a principal ARN", v)
				}
				p.arns = append(p.arns, v)
			default:
				return nil, errorf(fmt.Sprintf("%s.AWS[%d]", path, i), "%q is neither \"*\", a 12-digit account id nor an ARN", v)
			}
		}
	}
	return p, nil
}

// accountOf recognises the principals that name a whole account: a 12-digit id or
// arn:PARTITION:iam::ACCOUNT:root.
func accountOf(v string) (string, bool) {
	if isAccountID(v) {
		return v, true
	}
	if !strings.HasPrefix(v, "arn:") || !strings.HasSuffix(v, ":root") {
		return "", false
	}
	f := strings.Split(v, ":")
	if len(f) == 6 && f[2] == "iam" && f[3] == "" && isAccountID(f[4]) {
		return f[4], true
	}
	return "", false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// asciiLower lower-cases the way the matcher folds subjects, so that a pattern and a subject fold alike.
func asciiLower(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = toLower(b[i])
	}
	return string(b)
}

const sourceIPKey = "aws:SourceIp"

func (c *compiler) condition(s *statement, raw json.RawMessage, path string) error {
	var ops map[string]json.RawMessage
	if err := unmarshalObject(raw, &ops, path); err != nil {
		return err
	}
	for _, op := range sortedKeys(ops) {
		var keys map[string]json.RawMessage
		if err := unmarshalObject(ops[op], &keys, path+"."+op); err != nil {
			return err
		}
		for _, key := range sortedKeys(keys) {
			keyPath := path + "." + op + "." + key
			if (op != "IpAddress" && op != "NotIpAddress") || !strings.EqualFold(key, sourceIPKey) {
				if err := c.count(keyPath, 1); err != nil {
					return err
				}
				s.unsupported = true
				c.unsupported("%s: %s on %s is not emulated; the statement is treated as not matching", path, op, key)
				continue
			}
			values, err := c.stringList(keys[key], keyPath)
			if err != nil {
				return err
			}
			cond := ipCondition{not: op == "NotIpAddress"}
			for i, v := range values {
				prefix, err := parsePrefix(v)
				if err != nil {
					return errorf(fmt.Sprintf("%s[%d]", keyPath, i), "%q is not an IP address or CIDR block", v)
				}
				cond.prefixes = append(cond.prefixes, prefix)
			}
			s.conditions = append(s.conditions, cond)
		}
	}
	return nil
}

func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, err
		}
		// IAM takes 10.1.2.3/8 as 10.0.0.0/8; so does Contains, but masking makes the intent plain.
		return netip.PrefixFrom(p.Addr().Unmap(), unmappedBits(p)).Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// unmappedBits keeps an IPv4-mapped IPv6 prefix (::ffff:10.0.0.0/104) meaning the same IPv4 block.
func unmappedBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		return max(p.Bits()-96, 0)
	}
	return p.Bits()
}

// stringList reads an element that IAM allows as a string or a list of strings.
func (c *compiler) stringList(raw json.RawMessage, path string) ([]string, error) {
	var out []string
	switch kind(raw) {
	case "string":
		v, err := stringValue(raw, path)
		if err != nil {
			return nil, err
		}
		out = []string{v}
	case "array":
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errorf(path, "is not valid JSON: %v", err)
		}
		if len(items) == 0 {
			return nil, errorf(path, "must not be an empty list")
		}
		for i, item := range items {
			if kind(item) != "string" {
				return nil, errorf(fmt.Sprintf("%s[%d]", path, i), "must be a string, got %s", kind(item))
			}
			v, err := stringValue(item, path)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	default:
		return nil, errorf(path, "must be a string or a list of strings, got %s", kind(raw))
	}
	return out, c.count(path, len(out))
}

func stringValue(raw json.RawMessage, path string) (string, error) {
	if kind(raw) != "string" {
		return "", errorf(path, "must be a string, got %s", kind(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errorf(path, "is not valid JSON: %v", err)
	}
	return s, nil
}

func unmarshalObject(raw []byte, into *map[string]json.RawMessage, path string) error {
	k := kind(raw)
	if k == "object" {
		if json.Unmarshal(raw, into) == nil {
			return nil
		}
		k = "invalid JSON"
	}
	if k == "invalid JSON" {
		var v any
		return at(path, "is not valid JSON: %v", json.Unmarshal(raw, &v))
	}
	return at(path, "must be an object, got %s", k)
}

// at is errorf for problems that may concern the whole document, which the message then names.
func at(path, format string, args ...any) *Error {
	if path == "" {
		return &Error{Problem: "policy " + fmt.Sprintf(format, args...)}
	}
	return errorf(path, format, args...)
}

// kind names the JSON type of raw for error messages, from its first byte; json.Unmarshal checks the rest.
func kind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "invalid JSON"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "number"
	}
	return "invalid JSON"
}

// sortedKeys makes reports and errors deterministic: JSON objects are unordered and so are Go maps.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
