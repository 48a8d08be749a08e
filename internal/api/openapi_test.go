package api

import (
	"strings"
	"testing"
)

// TestOpenAPICoversEveryRoute compares the routes Fiber actually serves with /openapi.json, both
// ways, so a route registered outside the table or a stale document fails the build.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := New(bareDeps())
	doc := s.Document()
	paths := doc["paths"].(map[string]any)
	registered := map[string]bool{}
	for _, r := range s.App().GetRoutes(true) {
		if r.Method == "HEAD" && r.Path != "" { // Fiber serves HEAD for GET routes
			continue
		}
		key := strings.ToLower(r.Method) + " " + openAPIPath(r.Path)
		registered[key] = true
		item, ok := paths[openAPIPath(r.Path)].(map[string]any)
		if !ok {
			t.Errorf("route %s %s is not in /openapi.json", r.Method, r.Path)
			continue
		}
		if _, ok := item[strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s: method missing from /openapi.json", r.Method, r.Path)
		}
	}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if !registered[m+" "+p] {
				t.Errorf("/openapi.json documents %s %s, which is not served", m, p)
			}
		}
	}
	if len(registered) < 10 {
		t.Fatalf("only %d routes registered", len(registered))
	}
	// Every component the document references exists.
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, r := range s.table {
		for _, name := range []string{r.request, r.reply} {
			if name != "" && schemas[name] == nil {
				t.Errorf("%s %s references missing schema %s", r.method, r.path, name)
			}
		}
	}
}
