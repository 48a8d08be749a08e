// Command loadgen drives POST /v1/incidents against a running supportd and reports throughput
// and latency. It makes its own organisation, customer and token through the admin token, so
// it needs nothing but a server:
//
//	loadgen -url http://127.0.0.1:8080 -admin $SUPPORT_ADMIN_TOKEN -c 16 -d 20s
//
// Every request is bounded by -d and -n; it only talks to the URL it is given. -setup-only prints
// a customer's token and -token reuses one; -replay turns a PostgreSQL log of one intake into a
// pgbench script (see intake-bench.sh).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "supportd base URL")
	admin := flag.String("admin", os.Getenv("SUPPORT_ADMIN_TOKEN"), "admin token (to create the test organisation and customer)")
	tier := flag.String("tier", "premium", "tier of the test organisation")
	conc := flag.Int("c", 16, "concurrent clients")
	dur := flag.Duration("d", 20*time.Second, "duration")
	max := flag.Int("n", 1_000_000, "maximum requests")
	token := flag.String("token", "", "a customer token to open incidents with (skips creating the organisation)")
	setupOnly := flag.Bool("setup-only", false, "create the organisation, its contracts and customer, print the customer's token and stop")
	replay := flag.String("replay", "", "PostgreSQL log to turn into a pgbench script of one intake (with -db, -begin, -end)")
	db := flag.String("db", "", "with -replay: the database whose statements to keep")
	begin := flag.String("begin", "", "with -replay: the marker before the intake")
	end := flag.String("end", "", "with -replay: the marker after the intake")
	flag.Parse()
	if *replay != "" {
		if err := replayMain(*replay, *db, *begin, *end); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if *token == "" {
		t, err := setup(*url, *admin, *tier)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		*token = t
	}
	if *setupOnly {
		fmt.Println(*token)
		return
	}
	if err := run(*url, *token, *conc, *dur, *max); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func post(url, token string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("POST %s: %d %s", url, res.StatusCode, raw)
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

// setup creates the organisation, its contracts and a customer, and returns the customer's token.
func setup(base, admin, tier string) (string, error) {
	if admin == "" {
		return "", fmt.Errorf("-admin (or SUPPORT_ADMIN_TOKEN) is required")
	}
	suffix := time.Now().Format("20060102150405.000")
	org, err := post(base+"/v1/organizations", admin, map[string]any{"name": "loadgen " + suffix, "office": "tokyo", "tier": tier})
	if err != nil {
		return "", err
	}
	// Intake checks the entitlement: give the organisation a current contract, plus two others
	// (another product, a lapsed one) so the check has a realistic set to choose from.
	now := time.Now().UTC()
	for _, e := range []map[string]any{
		{"product": "endpoint", "tier": tier, "starts_at": now.AddDate(0, -1, 0), "ends_at": now.AddDate(1, 0, 0), "serial_number": "LG-1"},
		{"product": "mail", "tier": "standard", "starts_at": now.AddDate(0, -1, 0), "ends_at": now.AddDate(1, 0, 0), "serial_number": "LG-2"},
		{"product": "endpoint", "tier": "standard", "starts_at": now.AddDate(-2, 0, 0), "ends_at": now.AddDate(-1, 0, 0), "serial_number": "LG-0"},
	} {
		if _, err := post(base+"/v1/organizations/"+org["id"].(string)+"/entitlements", admin, e); err != nil {
			return "", err
		}
	}
	user, err := post(base+"/v1/users", admin, map[string]any{"email": "loadgen-" + suffix + "@load.example", "name": "loadgen", "role": "member", "organization_id": org["id"]})
	if err != nil {
		return "", err
	}
	tok, err := post(base+"/v1/users/"+user["id"].(string)+"/tokens", admin, map[string]any{"label": "loadgen"})
	if err != nil {
		return "", err
	}
	return tok["token"].(string), nil
}

func run(base, token string, conc int, dur time.Duration, max int) error {
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = conc * 2
	var (
		sent, failed atomic.Int64
		mu           sync.Mutex
		lat          []time.Duration
		wg           sync.WaitGroup
	)
	deadline := time.Now().Add(dur)
	start := time.Now()
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(deadline) && sent.Add(1) <= int64(max) {
				t0 := time.Now()
				_, err := post(base+"/v1/incidents", token, map[string]any{"product": "endpoint", "title": "load", "description": "generated", "severity": 2})
				if err != nil {
					failed.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	fmt.Printf("POST /v1/incidents: %d ok, %d failed in %.1fs with %d clients: %.0f req/s; latency p50 %v p90 %v p99 %v max %v\n",
		len(lat), failed.Load(), elapsed.Seconds(), conc, float64(len(lat))/elapsed.Seconds(),
		pct(.5).Round(time.Microsecond), pct(.9).Round(time.Microsecond), pct(.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	if failed.Load() > 0 {
		return fmt.Errorf("%d requests failed", failed.Load())
	}
	return nil
}
