package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Usage is an API key's usage, in the shape of AWS GetUsage (what GET /_apigw/usage answers).
type Usage struct {
	UsagePlanID string `json:"usagePlanId"`
	StartDate   string `json:"startDate"`
	EndDate     string `json:"endDate"`
	// Values maps each key id to one [used, remaining] pair per day; remaining is nil for a plan
	// without a quota.
	Values map[string][][]*int64 `json:"values"`
}

// Used is the number of requests counted over the period, for every key in Values (Usage asks for one).
func (u *Usage) Used() int64 {
	var n int64
	for _, days := range u.Values {
		for _, day := range days {
			if len(day) > 0 && day[0] != nil {
				n += *day[0]
			}
		}
	}
	return n
}

func getUsage(ctx context.Context, hc *http.Client, base, keyID string) (*Usage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_apigw/usage?keyId="+url.QueryEscape(keyID), nil)
	if err != nil {
		return nil, err
	}
	body, err := do(hc, req)
	if err != nil {
		return nil, err
	}
	var u Usage
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, fmt.Errorf("integration: /_apigw/usage: %w", err)
	}
	return &u, nil
}

func reset(ctx context.Context, hc *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/_apigw/reset", nil)
	if err != nil {
		return err
	}
	_, err = do(hc, req)
	return err
}

func do(hc *http.Client, req *http.Request) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("integration: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("integration: %s %s: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("integration: %s %s: %s: %s", req.Method, req.URL.Path, resp.Status, body)
	}
	return body, nil
}
