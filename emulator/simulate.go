package emulator

import (
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/internal/throttle"
	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
)

// LogRequest is one request of a recorded access log, as Simulate needs it.
type LogRequest struct {
	Time     time.Time
	Method   string
	Resource string // the resource path, "/pets/{id}"
	Path     string // the path as requested ($context.path, "/prod/pets/1"), when the log has it
	Stage    string
	// APIID is $context.apiId, when the log has it: it picks, among the APIs served, the one whose apiId
	// it is (apis: {name: {apiId}}); without it, or when it names none of them, the first API with the
	// stage and method.
	APIID string
	KeyID string // $context.identity.apiKeyId; "" for none
	// Status is what production answered (0 when the log does not say).
	Status int
}

// SimKey is one API key's counts in a simulation.
type SimKey struct {
	KeyID         string `json:"keyId"`
	KeyName       string `json:"keyName"`
	Plan          string `json:"plan"`
	Requests      int    `json:"requests"`
	Accepted      int    `json:"accepted"`
	Throttled     int    `json:"throttled"`
	QuotaExceeded int    `json:"quotaExceeded"`
	Forbidden     int    `json:"forbidden"`
}

// SimMethod is one method's counts on one stage of one API in a simulation.
type SimMethod struct {
	APIID         string `json:"apiId"`
	Stage         string `json:"stage"`
	Method        string `json:"method"`
	Resource      string `json:"resource"`
	Requests      int    `json:"requests"`
	Accepted      int    `json:"accepted"`
	Throttled     int    `json:"throttled"`
	QuotaExceeded int    `json:"quotaExceeded"`
	Forbidden     int    `json:"forbidden"`
}

// Disagreement is a group of requests the emulator and production answered differently in the same way:
// the same key and method, production saying one thing (its status) and the emulator another. Time and
// Until are the first and the last of them.
type Disagreement struct {
	Time       time.Time `json:"time"`
	Until      time.Time `json:"until"`
	Count      int       `json:"count"`
	KeyID      string    `json:"keyId"`
	Method     string    `json:"method"`
	Resource   string    `json:"resource"`
	Production int       `json:"production"`
	Emulator   int       `json:"emulator"`
}

// Agreement compares the emulator's answers with production's, request by request.
type Agreement struct {
	Compared int            `json:"compared"`
	Agreed   int            `json:"agreed"`
	Percent  float64        `json:"percent"`
	Largest  []Disagreement `json:"disagreements,omitempty"` // the largest groups, most requests first
}

// SimReport is what Simulate found.
type SimReport struct {
	Keys      []*SimKey    `json:"keys"`
	Methods   []*SimMethod `json:"methods"`
	Unmatched int          `json:"unmatched"` // requests no route or stage of the config takes
	Agreement *Agreement   `json:"agreement,omitempty"`
}

// SimEvent is one request's answer in a simulation, with the headroom the limiter had left after it: what
// a report draws over time.
type SimEvent struct {
	Request LogRequest
	// Outcome is "accepted", "throttled" (429 Too Many Requests), "quotaExceeded" (429 Limit Exceeded) or
	// "forbidden" (403).
	Outcome string
	// Level is the tokens left, just after the request, in the lowest of the token buckets it meets (the
	// usage plan's per-method and per-key buckets, the stage's method bucket, the account's): how many more
	// requests could pass at that instant. Capacity is that bucket's burst, Bucket names it.
	Level    float64
	Capacity float64
	Bucket   string
}

// maxDisagreements bounds the list of disagreements a report names.
const maxDisagreements = 20

// Simulate runs recorded requests, in order, through the meter the gateway serves with, on the clock it
// is given (a ManualClock set to each request's time: a day of traffic in seconds, the same answers every
// run). Only the meter acts: API keys, quotas and every token bucket, as serve would answer them.
// observe, when set, is called with each request's answer and the buckets' level after it.
func (g *Gateway) Simulate(next func() (LogRequest, bool), clock *ManualClock, observe func(SimEvent)) *SimReport {
	cur := g.cur.Load()
	t := cur.meter
	byID := map[string]*apiKey{}
	for _, k := range t.keys {
		byID[k.id] = k
	}
	type routeRef struct {
		api   *API
		route *Route
	}
	type methodKey struct{ api, stage, method, resource string }
	routes := map[methodKey]routeRef{} // by API id, and by "" for the first API that has the method
	apiIDs := map[string]bool{}
	for _, a := range cur.snap.APIs {
		apiIDs[a.ID] = true
		for _, rt := range a.Tree.Routes() {
			for _, st := range a.StageNames {
				ref := routeRef{a, rt.Value}
				routes[methodKey{a.ID, st, rt.Method, rt.Resource}] = ref
				if k := (methodKey{"", st, rt.Method, rt.Resource}); routes[k].api == nil {
					routes[k] = ref
				}
			}
		}
	}
	report := &SimReport{}
	keys := map[string]*SimKey{}
	methods := map[methodKey]*SimMethod{}
	var agreement Agreement
	bucketNames := map[*throttle.Bucket]string{}
	type disagreementKey struct {
		key, method, resource string
		production, emulator  int
	}
	disagreements := map[disagreementKey]*Disagreement{}
	for {
		lr, ok := next()
		if !ok {
			break
		}
		api := lr.APIID
		if !apiIDs[api] {
			api = ""
		}
		ref, ok := routes[methodKey{api, lr.Stage, lr.Method, lr.Resource}]
		if !ok {
			ref, ok = routes[methodKey{api, lr.Stage, "ANY", lr.Resource}]
		}
		if !ok {
			report.Unmatched++
			continue
		}
		clock.Set(lr.Time)
		r := &http.Request{Method: lr.Method, Header: http.Header{}}
		k := byID[lr.KeyID]
		if k != nil {
			r.Header["X-Api-Key"] = []string{k.value}
		}
		x := &exchange{cur: cur, api: ref.api, stage: ref.api.Stages[lr.Stage], route: ref.route, r: r}
		gerr := g.meter(x, t)
		sk := keys[lr.KeyID]
		if sk == nil {
			sk = &SimKey{KeyID: lr.KeyID}
			if k != nil {
				sk.KeyName = k.name
				sk.Plan = planOf(t, k)
			}
			keys[lr.KeyID] = sk
		}
		mk := methodKey{ref.api.ID, lr.Stage, lr.Method, lr.Resource}
		sm := methods[mk]
		if sm == nil {
			sm = &SimMethod{APIID: ref.api.ID, Stage: lr.Stage, Method: lr.Method, Resource: lr.Resource}
			methods[mk] = sm
		}
		sk.Requests++
		sm.Requests++
		status, outcome := http.StatusOK, "accepted"
		switch {
		case gerr == nil:
			sk.Accepted++
			sm.Accepted++
		case gerr.Type == gatewayresponse.Throttled:
			sk.Throttled++
			sm.Throttled++
			status, outcome = http.StatusTooManyRequests, "throttled"
		case gerr.Type == gatewayresponse.QuotaExceeded:
			sk.QuotaExceeded++
			sm.QuotaExceeded++
			status, outcome = http.StatusTooManyRequests, "quotaExceeded"
		default:
			sk.Forbidden++
			sm.Forbidden++
			status, outcome = http.StatusForbidden, "forbidden"
		}
		if observe != nil {
			ev := SimEvent{Request: lr, Outcome: outcome}
			ev.Level, ev.Capacity, ev.Bucket = lowestBucket(t, x, lr.Time, bucketNames)
			observe(ev)
		}
		if lr.Status != 0 {
			agreement.Compared++
			if limited(lr.Status) == limited(status) {
				agreement.Agreed++
			} else {
				dk := disagreementKey{lr.KeyID, lr.Method, lr.Resource, limited(lr.Status), status}
				d := disagreements[dk]
				if d == nil {
					d = &Disagreement{Time: lr.Time, KeyID: lr.KeyID, Method: lr.Method, Resource: lr.Resource, Production: lr.Status, Emulator: status}
					disagreements[dk] = d
				}
				d.Count++
				d.Until = lr.Time
			}
		}
	}
	for _, k := range keys {
		report.Keys = append(report.Keys, k)
	}
	sort.Slice(report.Keys, func(i, j int) bool { return report.Keys[i].KeyID < report.Keys[j].KeyID })
	for _, m := range methods {
		report.Methods = append(report.Methods, m)
	}
	sort.Slice(report.Methods, func(i, j int) bool {
		a, b := report.Methods[i], report.Methods[j]
		return a.APIID+" "+a.Stage+" "+a.Resource+" "+a.Method < b.APIID+" "+b.Stage+" "+b.Resource+" "+b.Method
	})
	if agreement.Compared > 0 {
		agreement.Percent = 100 * float64(agreement.Agreed) / float64(agreement.Compared)
		for _, d := range disagreements {
			agreement.Largest = append(agreement.Largest, *d)
		}
		sort.Slice(agreement.Largest, func(i, j int) bool {
			a, b := agreement.Largest[i], agreement.Largest[j]
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			if !a.Time.Equal(b.Time) {
				return a.Time.Before(b.Time)
			}
			return a.KeyID+" "+a.Method+" "+a.Resource < b.KeyID+" "+b.Method+" "+b.Resource
		})
		if len(agreement.Largest) > maxDisagreements {
			agreement.Largest = agreement.Largest[:maxDisagreements]
		}
		report.Agreement = &agreement
	}
	return report
}

// lowestBucket is the bucket with the fewest tokens at now among those the metered request x meets
// (meter's checks), its burst and its name as the log line would give it. A key's usage plan buckets
// count when the meter found the key in a plan of the stage (x.apiKey). names keeps each bucket's name
// once made: a bucket stands for one limit of one route, key and stage.
func lowestBucket(t *meterTable, x *exchange, now time.Time, names map[*throttle.Bucket]string) (level, capacity float64, name string) {
	rm := t.routes[meterKey{x.route, x.stage.Name}]
	if rm == nil {
		return math.Inf(1), 0, ""
	}
	var km *keyMeter
	if x.apiKey != nil && rm.keys != nil {
		km = rm.keys[x.apiKey.name]
	}
	checks, n := t.checks(rm, km)
	level, lowest := math.Inf(1), -1
	for i, c := range checks[:n] {
		if c.Bucket == nil {
			continue
		}
		if v := c.Bucket.Tokens(now); v < level {
			level, lowest = v, i
		}
	}
	if lowest < 0 {
		return level, 0, ""
	}
	c := checks[lowest]
	name, ok := names[c.Bucket]
	if !ok {
		name = bucketName(c, rm, km, x)
		names[c.Bucket] = name
	}
	return level, float64(c.Bucket.Limit().Burst), name
}

// limited reduces an answer to what the limiter decides: refused by a limit (429), refused for the key
// (403), or let through (anything else: the integration's answer).
func limited(status int) int {
	switch status {
	case http.StatusTooManyRequests, http.StatusForbidden:
		return status
	}
	return http.StatusOK
}

// planOf names the usage plans k belongs to.
func planOf(t *meterTable, k *apiKey) string {
	var names []string
	for _, p := range t.plans {
		for _, pk := range p.keys {
			if pk == k {
				names = append(names, p.name)
			}
		}
	}
	return strings.Join(names, ",")
}
