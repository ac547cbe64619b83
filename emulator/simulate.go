package emulator

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/internal/gatewayresponse"
)

// LogRequest is one request of a recorded access log, as Simulate needs it.
type LogRequest struct {
	Time     time.Time
	Method   string
	Resource string // the resource path, "/pets/{id}"
	Path     string // the path as requested ($context.path, "/prod/pets/1"), when the log has it
	Stage    string
	KeyID    string // $context.identity.apiKeyId; "" for none
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

// SimMethod is one method's counts on one stage in a simulation.
type SimMethod struct {
	Stage         string `json:"stage"`
	Method        string `json:"method"`
	Resource      string `json:"resource"`
	Requests      int    `json:"requests"`
	Accepted      int    `json:"accepted"`
	Throttled     int    `json:"throttled"`
	QuotaExceeded int    `json:"quotaExceeded"`
	Forbidden     int    `json:"forbidden"`
}

// Disagreement is a request the emulator and production answered differently.
type Disagreement struct {
	Time       time.Time `json:"time"`
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
	Largest  []Disagreement `json:"disagreements,omitempty"`
}

// SimReport is what Simulate found.
type SimReport struct {
	Keys      []*SimKey    `json:"keys"`
	Methods   []*SimMethod `json:"methods"`
	Unmatched int          `json:"unmatched"` // requests no route or stage of the config takes
	Agreement *Agreement   `json:"agreement,omitempty"`
}

// maxDisagreements bounds the list of disagreements a report names.
const maxDisagreements = 20

// Simulate runs recorded requests, in order, through the meter the gateway serves with, on the clock it
// is given (a ManualClock set to each request's time: a day of traffic in seconds, the same answers every
// run). Only the meter acts: API keys, quotas and every token bucket, as serve would answer them.
func (g *Gateway) Simulate(next func() (LogRequest, bool), clock *ManualClock) *SimReport {
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
	routes := map[string]routeRef{} // "stage METHOD /resource"
	for _, a := range cur.snap.APIs {
		for _, rt := range a.Tree.Routes() {
			for _, st := range a.StageNames {
				routes[st+" "+rt.Method+" "+rt.Resource] = routeRef{a, rt.Value}
			}
		}
	}
	report := &SimReport{}
	keys := map[string]*SimKey{}
	methods := map[string]*SimMethod{}
	var agreement Agreement
	var disagreements []Disagreement
	for {
		lr, ok := next()
		if !ok {
			break
		}
		ref, ok := routes[lr.Stage+" "+lr.Method+" "+lr.Resource]
		if !ok {
			ref, ok = routes[lr.Stage+" ANY "+lr.Resource]
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
		mk := lr.Stage + " " + lr.Method + " " + lr.Resource
		sm := methods[mk]
		if sm == nil {
			sm = &SimMethod{Stage: lr.Stage, Method: lr.Method, Resource: lr.Resource}
			methods[mk] = sm
		}
		sk.Requests++
		sm.Requests++
		status := http.StatusOK
		switch {
		case gerr == nil:
			sk.Accepted++
			sm.Accepted++
		case gerr.Type == gatewayresponse.Throttled:
			sk.Throttled++
			sm.Throttled++
			status = http.StatusTooManyRequests
		case gerr.Type == gatewayresponse.QuotaExceeded:
			sk.QuotaExceeded++
			sm.QuotaExceeded++
			status = http.StatusTooManyRequests
		default:
			sk.Forbidden++
			sm.Forbidden++
			status = http.StatusForbidden
		}
		if lr.Status != 0 {
			agreement.Compared++
			if limited(lr.Status) == limited(status) {
				agreement.Agreed++
			} else if len(disagreements) < maxDisagreements {
				disagreements = append(disagreements, Disagreement{Time: lr.Time, KeyID: lr.KeyID, Method: lr.Method,
					Resource: lr.Resource, Production: lr.Status, Emulator: status})
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
		return a.Stage+" "+a.Resource+" "+a.Method < b.Stage+" "+b.Resource+" "+b.Method
	})
	if agreement.Compared > 0 {
		agreement.Percent = 100 * float64(agreement.Agreed) / float64(agreement.Compared)
		agreement.Largest = disagreements
		report.Agreement = &agreement
	}
	return report
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
