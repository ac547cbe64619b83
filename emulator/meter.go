package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
	"github.com/apigw-local/apigw-local/internal/config"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
	"github.com/apigw-local/apigw-local/internal/spec"
)

// meterTable is a snapshot's API keys, usage plans and throttles bound to the gateway's throttle.Store:
// every bucket a request can meet is resolved when the snapshot is swapped in, so that the meter phase
// does map lookups and token arithmetic only. The buckets themselves live in the store and outlive the
// table.
type meterTable struct {
	account *throttle.Bucket
	keys    map[string]*apiKey // by value
	plans   []*usagePlan
	routes  map[meterKey]*routeMeter
}

type meterKey struct {
	route *Route
	stage string
}

// apiKey is a configured API key with the id API Gateway would have given it.
type apiKey struct {
	name, id, value string
	enabled         bool
}

// usagePlan is a configured usage plan with the usage of each of its keys.
type usagePlan struct {
	name, id string
	stages   []string
	quota    *throttle.Quota
	keys     []*apiKey
	usage    map[string]*throttle.Usage // by key name
}

// hasKey reports whether the plan holds the key with this id or name.
func (p *usagePlan) hasKey(idOrName string) bool {
	for _, k := range p.keys {
		if k.id == idOrName || k.name == idOrName {
			return true
		}
	}
	return false
}

// routeMeter is what one method of one stage checks.
type routeMeter struct {
	method    string // "GET /pets", for the log
	stage     *throttle.Bucket
	stageFrom string // the setting the stage bucket comes from: a methodSettings key or "throttling"
	keys      map[string]*keyMeter
}

// keyMeter is one API key's usage plan on one method of one stage.
type keyMeter struct {
	plan      *usagePlan
	method    *throttle.Bucket // the plan's per-method limit for this key; nil when it has none
	methodKey string
	planLimit *throttle.Bucket // the plan's limit for this key; nil when it has none
	usage     *throttle.Usage
}

func limitOf(t config.Throttle) throttle.Limit {
	return throttle.Limit{Rate: t.RateLimit, Burst: t.BurstLimit}
}

// bindMeter resolves the snapshot's limits against the store, and lets the store forget the buckets no
// limit uses any more.
func bindMeter(s *Snapshot, store *throttle.Store) *meterTable {
	cfg := s.Config
	if cfg == nil {
		cfg = config.Default()
	}
	used := map[string]bool{}
	bucket := func(id string, l throttle.Limit) *throttle.Bucket {
		used[id] = true
		return store.Bucket(id, l)
	}
	t := &meterTable{keys: map[string]*apiKey{}, routes: map[meterKey]*routeMeter{}}
	t.account = bucket("account", limitOf(cfg.Account.Throttle))

	byName := map[string]*apiKey{}
	for _, k := range cfg.APIKeys {
		ak := &apiKey{name: k.Name, id: newID("apikey", k.Name, 10), value: k.Value, enabled: k.Enabled}
		if k.ID != "" {
			ak.id = k.ID
		}
		t.keys[k.Value] = ak
		byName[k.Name] = ak
	}
	for _, p := range cfg.UsagePlans {
		up := &usagePlan{name: p.Name, id: newID("usageplan", p.Name, 6), usage: map[string]*throttle.Usage{}}
		if p.ID != "" {
			up.id = p.ID
		}
		if p.Quota != nil {
			up.quota = &throttle.Quota{Limit: p.Quota.Limit, Period: throttle.Period(p.Quota.Period), Offset: p.Quota.Offset}
		}
		for _, st := range p.APIStages {
			up.stages = append(up.stages, st.Stage)
		}
		for _, name := range p.APIKeys {
			if k := byName[name]; k != nil {
				up.keys = append(up.keys, k)
				id := "plan/" + p.Name + "/key/" + name
				used[id] = true
				up.usage[name] = store.Usage(id, up.quota)
			}
		}
		t.plans = append(t.plans, up)
	}

	for _, a := range s.APIs {
		for _, rt := range a.Tree.Routes() {
			r := rt.Value
			settingKey := r.Resource + "/" + rt.Method
			if r.Resource == "/" {
				settingKey = "//" + rt.Method
			}
			for _, stageName := range a.StageNames {
				rm := &routeMeter{method: rt.Method + " " + r.Resource}
				l, from, ok := stageLimit(cfg.Stages[stageName], r.Resource, rt.Method)
				if a.Spec.Type == spec.HTTP {
					l, from, ok = routeLimit(cfg.Stages[stageName], httpRouteKey(r.Resource, rt.Method))
				}
				if ok {
					rm.stage = bucket("api/"+a.ID+"/stage/"+stageName+"/method/"+rm.method, l)
					rm.stageFrom = from
				}
				if r.Method.APIKeyRequired {
					rm.keys = map[string]*keyMeter{}
					for i, p := range cfg.UsagePlans {
						up := t.plans[i]
						for _, st := range p.APIStages {
							if st.Stage != stageName {
								continue
							}
							mt, mkey, hasMethodLimit := planMethodLimit(st.Throttle, r.Resource, settingKey, rt.Method)
							for _, k := range up.keys {
								km := &keyMeter{plan: up, usage: up.usage[k.name]}
								if p.Throttle != nil {
									km.planLimit = bucket("plan/"+p.Name+"/key/"+k.name, limitOf(*p.Throttle))
								}
								if hasMethodLimit {
									km.method = bucket("plan/"+p.Name+"/stage/"+stageName+"/method/"+rm.method+"/key/"+k.name, limitOf(mt))
									km.methodKey = mkey
								}
								rm.keys[k.name] = km
							}
						}
					}
				}
				t.routes[meterKey{r, stageName}] = rm
			}
		}
	}
	store.Retain(used)
	return t
}

// stageLimit is the stage's throttle for one method: its methodSettings entry for the method, else for
// every method of the resource ("/pets/*"), else the stage default ("*/*", or throttling).
func stageLimit(st *config.Stage, resource, method string) (throttle.Limit, string, bool) {
	if st == nil {
		return throttle.Limit{}, "", false
	}
	for _, key := range methodSettingKeys(resource, method) {
		if ms, ok := st.MethodSettings[key]; ok && ms.Throttling != nil {
			return limitOf(*ms.Throttling), "methodSettings " + strconv.Quote(key), true
		}
	}
	if st.Throttling != nil {
		return limitOf(*st.Throttling), "throttling", true
	}
	return throttle.Limit{}, "", false
}

// routeLimit is an HTTP API stage's throttle for one route: its routeSettings entry, else the stage
// default (throttling). HTTP APIs have no methodSettings (reference §j.9).
func routeLimit(st *config.Stage, key string) (throttle.Limit, string, bool) {
	if st == nil {
		return throttle.Limit{}, "", false
	}
	if rs, ok := st.RouteSettings[key]; ok && rs.Throttling != nil {
		return limitOf(*rs.Throttling), "routeSettings " + strconv.Quote(key), true
	}
	if st.Throttling != nil {
		return limitOf(*st.Throttling), "throttling", true
	}
	return throttle.Limit{}, "", false
}

// httpRouteKey is an HTTP API route's key as AWS writes it: "GET /pets", "ANY /{proxy+}", "$default".
func httpRouteKey(resource, method string) string {
	if resource == defaultRoute {
		return "$default"
	}
	return method + " " + resource
}

// methodSettingKeys are the methodSettings keys that apply to a method, the first that sets a value
// winning: its own ("/pets/GET", "//GET" for the root), its resource's ("/pets/*"), every method's.
func methodSettingKeys(resource, method string) [3]string {
	prefix := resource + "/"
	if resource == "/" {
		prefix = "//"
	}
	return [3]string{prefix + method, prefix + "*", "*/*"}
}

// planMethodLimit is a usage plan stage's per-method limit for one method, if it sets one.
func planMethodLimit(limits map[string]config.Throttle, resource, key, method string) (config.Throttle, string, bool) {
	prefix := strings.TrimSuffix(key, method)
	for _, k := range []string{key, prefix + "*"} {
		if l, ok := limits[k]; ok {
			return l, k, true
		}
	}
	return config.Throttle{}, "", false
}

// apiKeyValue finds the API key a request presents, from the API's key source: the x-api-key header
// (any case) for HEADER; for AUTHORIZER, the usageIdentifierKey of the Lambda authorizer's answer, which
// the authorize phase records in the exchange.
func (x *exchange) apiKeyValue() string {
	if x.api.Spec.APIKeySource == "AUTHORIZER" {
		return x.usageIdentifierKey
	}
	return x.r.Header.Get("X-Api-Key") // canonical spelling: no allocation; Get matches any case the client sent
}

// meter is the meter phase (architecture: 5): API key, quota, then the token buckets in AWS's order
// (reference §b). A request it lets through has taken a token from each bucket and counts against the
// key's quota; one it refuses counts against no quota.
func (g *Gateway) meter(x *exchange, t *meterTable) *gatewayresponse.Error {
	rm := t.routes[meterKey{x.route, x.stage.Name}]
	if rm == nil { // the route table and the meter table come from the same snapshot
		return nil
	}
	now := g.clock.Now()
	var km *keyMeter
	if x.route.Method.APIKeyRequired {
		value := x.apiKeyValue()
		k := t.keys[value]
		switch {
		case value == "" && x.api.Spec.APIKeySource == "AUTHORIZER":
			return forbidden(x, rm, "no API key: the API's key source is AUTHORIZER, and the method's Lambda authorizer returned no usageIdentifierKey")
		case value == "":
			return forbidden(x, rm, "no API key (send it in the x-api-key header)")
		case k == nil:
			return forbidden(x, rm, fmt.Sprintf("unknown API key %q", abbreviate(value)))
		case !k.enabled:
			return forbidden(x, rm, "API key "+k.name+" is disabled")
		}
		km = rm.keys[k.name]
		if km == nil {
			return forbidden(x, rm, fmt.Sprintf("API key %s is in no usage plan of stage %s", k.name, x.stage.Name))
		}
		x.apiKey = k
		if km.usage.Exhausted(now) {
			return quotaExceeded(x, rm, km)
		}
	}
	checks, n := t.checks(rm, km)
	if i := throttle.Admit(now, checks[:n]); i >= 0 {
		return &gatewayresponse.Error{Type: gatewayresponse.Throttled, Reason: bucketName(checks[i], rm, km, x) + " " + rm.method}
	}
	if km != nil && !km.usage.Take(now) {
		return quotaExceeded(x, rm, km)
	}
	return nil
}

// checks are the token buckets a request of rm meets, in AWS's order (reference §b): with a key's usage
// plan (km), the plan's per-method and per-key buckets; then the stage's method bucket and the account's.
// A nil bucket is a limit that is not set.
func (t *meterTable) checks(rm *routeMeter, km *keyMeter) (c [4]throttle.Check, n int) {
	if km != nil {
		c[0] = throttle.Check{Level: throttle.UsagePlanMethod, Bucket: km.method}
		c[1] = throttle.Check{Level: throttle.UsagePlan, Bucket: km.planLimit}
		n = 2
	}
	c[n] = throttle.Check{Level: throttle.StageMethod, Bucket: rm.stage}
	c[n+1] = throttle.Check{Level: throttle.Account, Bucket: t.account}
	return c, n + 2
}

// bucketName says which bucket c is, as the log line names the one that throttled a request.
func bucketName(c throttle.Check, rm *routeMeter, km *keyMeter, x *exchange) string {
	switch c.Level {
	case throttle.UsagePlanMethod:
		return fmt.Sprintf("usage-plan=%s key=%s limit=%s (%v)", km.plan.name, x.apiKey.name, strconv.Quote(km.methodKey), c.Bucket.Limit())
	case throttle.UsagePlan:
		return fmt.Sprintf("usage-plan=%s key=%s (%v)", km.plan.name, x.apiKey.name, c.Bucket.Limit())
	case throttle.StageMethod:
		return fmt.Sprintf("stage=%s %s (%v)", x.stage.Name, rm.stageFrom, c.Bucket.Limit())
	}
	return fmt.Sprintf("account (%v)", c.Bucket.Limit())
}

func forbidden(x *exchange, rm *routeMeter, why string) *gatewayresponse.Error {
	return &gatewayresponse.Error{Type: gatewayresponse.InvalidAPIKey, Reason: why + " " + rm.method}
}

func quotaExceeded(x *exchange, rm *routeMeter, km *keyMeter) *gatewayresponse.Error {
	q := km.plan.quota
	return &gatewayresponse.Error{Type: gatewayresponse.QuotaExceeded,
		Reason: fmt.Sprintf("usage-plan=%s key=%s quota=%d/%s %s", km.plan.name, x.apiKey.name, q.Limit, q.Period, rm.method)}
}

// abbreviate shortens a key value for the log: enough to recognise it, not the whole secret.
func abbreviate(v string) string {
	if len(v) <= 8 {
		return v
	}
	return v[:4] + "…" + v[len(v)-4:]
}

// usageReport is GET /_apigw/usage in the shape of AWS get-usage (GetUsage's wire format).
type usageReport struct {
	EndDate     string                `json:"endDate"`
	StartDate   string                `json:"startDate"`
	UsagePlanID string                `json:"usagePlanId"`
	Values      map[string][][]*int64 `json:"values"`
}

const dateLayout = "2006-01-02"

// usage answers GET /_apigw/usage?usagePlanId=&keyId=&startDate=&endDate=. usagePlanId and keyId
// accept the id or the name; usagePlanId may be left out when there is one plan; the dates default to
// the current quota period (or today) and today.
func (t *meterTable) usage(q map[string][]string, now time.Time) (int, any) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	fail := func(status int, msg string) (int, any) { return status, map[string]string{"message": msg} }
	var plan *usagePlan
	planID, keyID := get("usagePlanId"), get("keyId")
	// Without usagePlanId, the one plan there is, or the one plan that holds keyId (product.md's
	// /_apigw/usage?keyId=...).
	var candidates []*usagePlan
	for _, p := range t.plans {
		switch {
		case planID != "":
			if planID == p.id || planID == p.name {
				plan = p
			}
		case keyID == "" || p.hasKey(keyID):
			candidates = append(candidates, p)
		}
	}
	if planID == "" && len(candidates) == 1 {
		plan = candidates[0]
	}
	if plan == nil {
		names := make([]string, 0, len(t.plans))
		for _, p := range t.plans {
			names = append(names, p.name+" ("+p.id+")")
		}
		if planID == "" {
			return fail(400, "usagePlanId is required (the key is in several plans, or in none): one of "+strings.Join(names, ", "))
		}
		return fail(404, "Invalid Usage Plan ID specified: "+planID+" (plans: "+strings.Join(names, ", ")+")")
	}
	now = now.UTC()
	start, end := throttle.PeriodStart(throttle.Day, now), throttle.PeriodStart(throttle.Day, now)
	if plan.quota != nil {
		start = throttle.PeriodStart(plan.quota.Period, now)
	}
	for _, d := range []struct {
		name string
		to   *time.Time
	}{{"startDate", &start}, {"endDate", &end}} {
		if v := get(d.name); v != "" {
			p, err := time.Parse(dateLayout, v)
			if err != nil {
				return fail(400, fmt.Sprintf("%s must be a date like 2016-01-01, got %q", d.name, v))
			}
			*d.to = p
		}
	}
	if end.Before(start) {
		return fail(400, "endDate is before startDate")
	}
	if end.Sub(start) > 366*24*time.Hour {
		return fail(400, "the date range is longer than a year")
	}
	report := usageReport{StartDate: start.Format(dateLayout), EndDate: end.Format(dateLayout), UsagePlanID: plan.id, Values: map[string][][]*int64{}}
	found := keyID == ""
	for _, k := range plan.keys {
		if keyID != "" && keyID != k.id && keyID != k.name {
			continue
		}
		found = true
		var rows [][]*int64
		for _, d := range plan.usage[k.name].Days(start, end) {
			used := d.Used
			rows = append(rows, []*int64{&used, d.Remaining})
		}
		report.Values[k.id] = rows
	}
	if !found {
		return fail(404, "Invalid API Key identifier specified: "+keyID+" is not in usage plan "+plan.name)
	}
	return 200, report
}
