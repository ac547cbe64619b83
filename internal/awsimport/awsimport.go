// Package awsimport turns what the AWS CLI prints about an API's production settings (get-usage-plans,
// get-usage-plan-keys, get-api-keys, get-stage(s), get-account), saved to files, into apigw-local.yaml
// settings, and merges them into an existing config: production's limits in, without typing them. It
// never calls AWS. Ids and names are kept, so that usage reports and logs use production's; a field that
// has no setting here is reported, never dropped silently.
package awsimport

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Inputs are the CLI outputs, as their JSON text; nil for those not given.
type Inputs struct {
	UsagePlans    []byte            // aws apigateway get-usage-plans
	UsagePlanKeys map[string][]byte // plan id -> aws apigateway get-usage-plan-keys --usage-plan-id ID
	APIKeys       []byte            // aws apigateway get-api-keys --include-values
	Stages        [][]byte          // aws apigateway get-stage (one stage) or get-stages ({"item": [...]})
	Account       []byte            // aws apigateway get-account
	// HTTPStages are HTTP APIs' stages: aws apigatewayv2 get-stages --api-id ID (or get-stage).
	HTTPStages [][]byte
}

// Result is the merged config and what the import did.
type Result struct {
	Config []byte
	// Changes say what was set ("apiKeys: 3 keys"); Notes what was not carried over, and why.
	Changes, Notes []string
}

type throttleSettings struct {
	BurstLimit *int     `json:"burstLimit"`
	RateLimit  *float64 `json:"rateLimit"`
}

// Import builds the settings from in and merges them into existing (a config's YAML; empty for none):
// the keys it sets replace the config's (apiKeys, usagePlans, account.throttle, and each imported stage
// by name); every other setting and comment stays.
func Import(in Inputs, existing []byte) (*Result, error) {
	r := &Result{}
	root := &yaml.Node{Kind: yaml.MappingNode}
	if len(strings.TrimSpace(string(existing))) > 0 {
		var doc yaml.Node
		if err := yaml.Unmarshal(existing, &doc); err != nil {
			return nil, fmt.Errorf("the existing config is not YAML: %v", err)
		}
		if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
			root = doc.Content[0]
		} else if len(doc.Content) > 0 {
			return nil, fmt.Errorf("the existing config is not a mapping of settings")
		}
	}

	keyNames := map[string]string{} // API key id -> name
	if in.APIKeys != nil {
		node, err := r.apiKeys(in.APIKeys, keyNames)
		if err != nil {
			return nil, fmt.Errorf("get-api-keys: %v", err)
		}
		set(root, "apiKeys", node)
	}
	if in.UsagePlans != nil {
		node, err := r.usagePlans(in.UsagePlans, in.UsagePlanKeys, keyNames)
		if err != nil {
			return nil, fmt.Errorf("get-usage-plans: %v", err)
		}
		set(root, "usagePlans", node)
	}
	for _, s := range in.Stages {
		if err := r.stages(s, root); err != nil {
			return nil, fmt.Errorf("get-stage(s): %v", err)
		}
	}
	for _, s := range in.HTTPStages {
		if err := r.httpStages(s, root); err != nil {
			return nil, fmt.Errorf("apigatewayv2 get-stage(s): %v", err)
		}
	}
	if in.Account != nil {
		if err := r.account(in.Account, root); err != nil {
			return nil, fmt.Errorf("get-account: %v", err)
		}
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		return nil, err
	}
	r.Config = out
	return r, nil
}

// ignored are fields of the outputs that say nothing a local gateway acts on: metadata.
var ignored = map[string]bool{"createdDate": true, "lastUpdatedDate": true, "tags": true, "description": true,
	"deploymentId": true, "clientCertificateId": true, "documentationVersion": true, "customerId": true,
	"stageKeys": true, "cacheClusterStatus": true, "productCode": true, "type": true, "id": true, "name": true,
	"value": true, "enabled": true}

// unknown reports the members of obj that the import does not carry over.
func (r *Result) unknown(what string, obj map[string]json.RawMessage, used ...string) {
	u := map[string]bool{}
	for _, k := range used {
		u[k] = true
	}
	var keys []string
	for k := range obj {
		if !u[k] && !ignored[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.Notes = append(r.Notes, fmt.Sprintf("%s: %s is not imported: apigw-local has no setting for it", what, k))
	}
}

func (r *Result) apiKeys(data []byte, names map[string]string) (*yaml.Node, error) {
	var out struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	var placeholders []string
	for _, it := range out.Items {
		id, name, value := str(it["id"]), str(it["name"]), str(it["value"])
		if name == "" {
			name = id
		}
		enabled := true
		if raw, ok := it["enabled"]; ok {
			_ = json.Unmarshal(raw, &enabled)
		}
		if value == "" {
			// Saved without --include-values: a placeholder the user can replace.
			value = "imported-" + id + "-placeholder-value"
			placeholders = append(placeholders, name)
		}
		names[id] = name
		m := mapping("id", id, "name", name, "value", value)
		m.Content = append(m.Content, scalar("enabled"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(enabled)})
		seq.Content = append(seq.Content, flow(m))
		r.unknown("api key "+name, it, "stageKeys")
	}
	r.Changes = append(r.Changes, fmt.Sprintf("apiKeys: %d keys", len(out.Items)))
	if len(placeholders) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("api keys %s were saved without their values (get-api-keys --include-values): placeholder values were written; replace them with the real ones", strings.Join(placeholders, ", ")))
	}
	return seq, nil
}

func (r *Result) usagePlans(data []byte, planKeys map[string][]byte, keyNames map[string]string) (*yaml.Node, error) {
	var out struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range out.Items {
		id, name := str(it["id"]), str(it["name"])
		if name == "" {
			name = id
		}
		m := mapping("id", id, "name", name)
		var stages []struct {
			APIID    string                      `json:"apiId"`
			Stage    string                      `json:"stage"`
			Throttle map[string]throttleSettings `json:"throttle"`
		}
		_ = json.Unmarshal(it["apiStages"], &stages)
		if len(stages) > 0 {
			ss := &yaml.Node{Kind: yaml.SequenceNode}
			apis := map[string]bool{}
			for _, st := range stages {
				sm := mapping("stage", st.Stage)
				apis[st.APIID] = true
				if len(st.Throttle) > 0 {
					tm := &yaml.Node{Kind: yaml.MappingNode}
					for _, k := range sortedKeys(st.Throttle) {
						tm.Content = append(tm.Content, scalar(k), flow(throttle(st.Throttle[k])))
					}
					sm.Content = append(sm.Content, scalar("throttle"), tm)
				}
				ss.Content = append(ss.Content, sm)
			}
			if len(apis) > 1 {
				r.Notes = append(r.Notes, fmt.Sprintf("usage plan %s covers stages of %d APIs: each stage is applied to every API served with that stage name", name, len(apis)))
			}
			m.Content = append(m.Content, scalar("apiStages"), ss)
		}
		var t throttleSettings
		if json.Unmarshal(it["throttle"], &t) == nil && (t.BurstLimit != nil || t.RateLimit != nil) {
			m.Content = append(m.Content, scalar("throttle"), flow(throttle(t)))
		}
		var q struct {
			Limit  int    `json:"limit"`
			Offset int    `json:"offset"`
			Period string `json:"period"`
		}
		if json.Unmarshal(it["quota"], &q) == nil && q.Period != "" {
			qm := mapping("period", q.Period)
			qm.Content = append([]*yaml.Node{scalar("limit"), number(strconv.Itoa(q.Limit))}, qm.Content...)
			qm.Content = append(qm.Content, scalar("offset"), number(strconv.Itoa(q.Offset)))
			m.Content = append(m.Content, scalar("quota"), flow(qm))
		}
		if data, ok := planKeys[id]; ok {
			var keys struct {
				Items []struct{ ID, Name, Type string } `json:"items"`
			}
			if err := json.Unmarshal(data, &keys); err != nil {
				return nil, fmt.Errorf("get-usage-plan-keys of %s: %v", id, err)
			}
			ks := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, k := range keys.Items {
				n := k.Name
				if kn, ok := keyNames[k.ID]; ok {
					n = kn
				}
				if n == "" {
					n = k.ID
				}
				ks.Content = append(ks.Content, scalar(n))
			}
			m.Content = append(m.Content, scalar("apiKeys"), ks)
		} else {
			r.Notes = append(r.Notes, fmt.Sprintf("usage plan %s: no --usage-plan-keys %s=FILE (get-usage-plan-keys --usage-plan-id %s): it has no keys here", name, id, id))
		}
		seq.Content = append(seq.Content, m)
		r.unknown("usage plan "+name, it, "apiStages", "throttle", "quota")
	}
	r.Changes = append(r.Changes, fmt.Sprintf("usagePlans: %d plans", len(out.Items)))
	return seq, nil
}

type stageOutput struct {
	StageName           string                                `json:"stageName"`
	Variables           map[string]string                     `json:"variables"`
	CacheClusterEnabled *bool                                 `json:"cacheClusterEnabled"`
	CacheClusterSize    string                                `json:"cacheClusterSize"`
	MethodSettings      map[string]map[string]json.RawMessage `json:"methodSettings"`
	AccessLogSettings   *struct {
		Format string `json:"format"`
	} `json:"accessLogSettings"`
}

func (r *Result) stages(data []byte, root *yaml.Node) error {
	var list struct {
		Item []json.RawMessage `json:"item"`
	}
	items := []json.RawMessage{data}
	if json.Unmarshal(data, &list) == nil && list.Item != nil {
		items = list.Item
	}
	for _, raw := range items {
		var st stageOutput
		var all map[string]json.RawMessage
		if err := json.Unmarshal(raw, &st); err != nil {
			return err
		}
		_ = json.Unmarshal(raw, &all)
		if st.StageName == "" {
			return fmt.Errorf("a stage without stageName")
		}
		m := &yaml.Node{Kind: yaml.MappingNode}
		if len(st.Variables) > 0 {
			vm := &yaml.Node{Kind: yaml.MappingNode}
			for _, k := range sortedKeys(st.Variables) {
				vm.Content = append(vm.Content, scalar(k), scalar(st.Variables[k]))
			}
			m.Content = append(m.Content, scalar("variables"), vm)
		}
		if len(st.MethodSettings) > 0 {
			ms := &yaml.Node{Kind: yaml.MappingNode}
			for _, k := range sortedKeys(st.MethodSettings) {
				ms.Content = append(ms.Content, scalar(methodKey(k)), flow(r.methodSetting(st.StageName+" "+k, st.MethodSettings[k])))
			}
			m.Content = append(m.Content, scalar("methodSettings"), ms)
		}
		if st.CacheClusterEnabled != nil {
			m.Content = append(m.Content, scalar("cacheClusterEnabled"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(*st.CacheClusterEnabled)})
		}
		if st.CacheClusterSize != "" {
			m.Content = append(m.Content, scalar("cacheClusterSize"), number(st.CacheClusterSize))
		}
		if a := st.AccessLogSettings; a != nil && a.Format != "" {
			m.Content = append(m.Content, scalar("accessLogFormat"), scalar(a.Format))
			r.Notes = append(r.Notes, fmt.Sprintf("stage %s: its access log goes to a CloudWatch log group on AWS; here to the request log's output (accessLogDestination)", st.StageName))
		}
		stages := get(root, "stages")
		if stages == nil {
			stages = &yaml.Node{Kind: yaml.MappingNode}
			set(root, "stages", stages)
		}
		set(stages, st.StageName, m)
		r.Changes = append(r.Changes, "stages."+st.StageName+": variables, method settings, cache and access log format")
		r.unknown("stage "+st.StageName, all, "stageName", "variables", "cacheClusterEnabled", "cacheClusterSize", "methodSettings", "accessLogSettings")
	}
	return nil
}

// httpStages reads an HTTP API's stages (apigatewayv2, whose members are capitalised): the default route
// throttle becomes the stage's throttling, route settings routeSettings by route key, and stage variables.
func (r *Result) httpStages(data []byte, root *yaml.Node) error {
	type routeSetting struct {
		ThrottlingBurstLimit *int     `json:"ThrottlingBurstLimit"`
		ThrottlingRateLimit  *float64 `json:"ThrottlingRateLimit"`
	}
	type stage struct {
		StageName            string                  `json:"StageName"`
		StageVariables       map[string]string       `json:"StageVariables"`
		DefaultRouteSettings *routeSetting           `json:"DefaultRouteSettings"`
		RouteSettings        map[string]routeSetting `json:"RouteSettings"`
	}
	var list struct {
		Items []json.RawMessage `json:"Items"`
	}
	items := []json.RawMessage{data}
	if json.Unmarshal(data, &list) == nil && list.Items != nil {
		items = list.Items
	}
	for _, raw := range items {
		var st stage
		var all map[string]json.RawMessage
		if err := json.Unmarshal(raw, &st); err != nil {
			return err
		}
		_ = json.Unmarshal(raw, &all)
		if st.StageName == "" {
			return fmt.Errorf("a stage without StageName")
		}
		m := &yaml.Node{Kind: yaml.MappingNode}
		if len(st.StageVariables) > 0 {
			vm := &yaml.Node{Kind: yaml.MappingNode}
			for _, k := range sortedKeys(st.StageVariables) {
				vm.Content = append(vm.Content, scalar(k), scalar(st.StageVariables[k]))
			}
			m.Content = append(m.Content, scalar("variables"), vm)
		}
		if d := st.DefaultRouteSettings; d != nil && d.ThrottlingBurstLimit != nil && d.ThrottlingRateLimit != nil {
			m.Content = append(m.Content, scalar("throttling"), flow(throttle(throttleSettings{BurstLimit: d.ThrottlingBurstLimit, RateLimit: d.ThrottlingRateLimit})))
		}
		var routes []string
		for k, v := range st.RouteSettings {
			if v.ThrottlingBurstLimit != nil && v.ThrottlingRateLimit != nil {
				routes = append(routes, k)
			}
		}
		sort.Strings(routes)
		if len(routes) > 0 {
			rs := &yaml.Node{Kind: yaml.MappingNode}
			for _, k := range routes {
				v := st.RouteSettings[k]
				rm := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
				rm.Content = append(rm.Content, scalar("throttlingRateLimit"), number(strconv.FormatFloat(*v.ThrottlingRateLimit, 'f', -1, 64)),
					scalar("throttlingBurstLimit"), number(strconv.Itoa(*v.ThrottlingBurstLimit)))
				rs.Content = append(rs.Content, scalar(k), rm)
			}
			m.Content = append(m.Content, scalar("routeSettings"), rs)
		}
		stages := get(root, "stages")
		if stages == nil {
			stages = &yaml.Node{Kind: yaml.MappingNode}
			set(root, "stages", stages)
		}
		set(stages, st.StageName, m)
		r.Changes = append(r.Changes, "stages."+st.StageName+": variables, default route and route throttles")
		r.unknown("HTTP API stage "+st.StageName, all, "StageName", "StageVariables", "DefaultRouteSettings", "RouteSettings",
			"CreatedDate", "LastUpdatedDate", "DeploymentId", "Description", "Tags", "AutoDeploy", "LastDeploymentStatusMessage", "ApiGatewayManaged")
	}
	return nil
}

// methodSetting carries a method setting's throttling and caching; logging and metrics have no setting.
func (r *Result) methodSetting(what string, s map[string]json.RawMessage) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	var t throttleSettings
	_ = json.Unmarshal(s["throttlingBurstLimit"], &t.BurstLimit)
	_ = json.Unmarshal(s["throttlingRateLimit"], &t.RateLimit)
	if t.BurstLimit != nil || t.RateLimit != nil {
		m.Content = append(m.Content, scalar("throttling"), flow(throttle(t)))
	}
	for _, k := range []string{"cachingEnabled", "cacheTtlInSeconds", "requireAuthorizationForCacheControl", "unauthorizedCacheControlHeaderStrategy"} {
		if raw, ok := s[k]; ok {
			var v any
			_ = json.Unmarshal(raw, &v)
			switch v := v.(type) {
			case bool:
				m.Content = append(m.Content, scalar(k), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)})
			case float64:
				m.Content = append(m.Content, scalar(k), number(strconv.FormatFloat(v, 'f', -1, 64)))
			case string:
				m.Content = append(m.Content, scalar(k), scalar(v))
			}
		}
	}
	var extra []string
	for k := range s {
		switch k {
		case "throttlingBurstLimit", "throttlingRateLimit", "cachingEnabled", "cacheTtlInSeconds",
			"requireAuthorizationForCacheControl", "unauthorizedCacheControlHeaderStrategy":
		case "metricsEnabled", "loggingLevel", "dataTraceEnabled", "cacheDataEncrypted":
			// CloudWatch and encryption at rest: nothing a local gateway does; listed once below.
			extra = append(extra, k)
		default:
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("method setting %s: %s not imported (CloudWatch logging, metrics and cache encryption have no local setting)", what, strings.Join(extra, ", ")))
	}
	return m
}

// methodKey writes a method settings key as apigw-local's "/{resource path}/{HTTP method}": the
// API's own keys have the path without its leading slash, and "~1" for the slashes inside it
// ("pets~1{id}/GET").
func methodKey(k string) string {
	if k == "*/*" {
		return k
	}
	i := strings.LastIndex(k, "/")
	if i < 0 {
		return k
	}
	path, method := strings.ReplaceAll(k[:i], "~1", "/"), k[i+1:]
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if path == "/" {
		return "//" + method
	}
	return path + "/" + method
}

func (r *Result) account(data []byte, root *yaml.Node) error {
	var out map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	var t throttleSettings
	if err := json.Unmarshal(out["throttleSettings"], &t); err != nil || t.BurstLimit == nil && t.RateLimit == nil {
		return fmt.Errorf("no throttleSettings")
	}
	acc := get(root, "account")
	if acc == nil {
		acc = &yaml.Node{Kind: yaml.MappingNode}
		set(root, "account", acc)
	}
	set(acc, "throttle", flow(throttle(t)))
	r.Changes = append(r.Changes, "account.throttle")
	r.unknown("account", out, "throttleSettings")
	return nil
}

func throttle(t throttleSettings) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	if t.RateLimit != nil {
		m.Content = append(m.Content, scalar("rateLimit"), number(strconv.FormatFloat(*t.RateLimit, 'f', -1, 64)))
	}
	if t.BurstLimit != nil {
		m.Content = append(m.Content, scalar("burstLimit"), number(strconv.Itoa(*t.BurstLimit)))
	}
	return m
}

func str(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func number(s string) *yaml.Node {
	tag := "!!int"
	if strings.ContainsAny(s, ".eE") {
		tag = "!!float"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}

func flow(n *yaml.Node) *yaml.Node { n.Style = yaml.FlowStyle; return n }

func mapping(kv ...string) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m.Content = append(m.Content, scalar(kv[i]), scalar(kv[i+1]))
		}
	}
	return m
}

func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set replaces key's value in m, keeping its place and comments, or appends it.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.HeadComment, v.LineComment = m.Content[i+1].HeadComment, m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
