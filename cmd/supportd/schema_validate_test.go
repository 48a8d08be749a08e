package main

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// validator checks a decoded JSON value against the subset of JSON Schema that /openapi.json
// emits: $ref, anyOf, allOf, type, properties, required, additionalProperties, items, enum and
// format (uuid, date-time, date, email, uri). Keywords outside the subset are ignored, so a
// schema that starts using one must teach the validator first or it checks nothing.
type validator struct {
	schemas map[string]any // components.schemas
}

// validate returns every way v departs from schema, each prefixed with its JSON path.
func (vd validator) validate(schema map[string]any, v any, path string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, ok := vd.schemas[name].(map[string]any)
		if !ok {
			return []string{path + ": unknown $ref " + ref}
		}
		return vd.validate(s, v, path)
	}
	if alts, ok := schema["anyOf"].([]any); ok {
		var all []string
		for _, a := range alts {
			errs := vd.validate(a.(map[string]any), v, path)
			if len(errs) == 0 {
				return nil
			}
			all = append(all, errs...)
		}
		return append([]string{path + ": matches no alternative of anyOf"}, all...)
	}
	if parts, ok := schema["allOf"].([]any); ok {
		var errs []string
		for _, a := range parts {
			errs = append(errs, vd.validate(a.(map[string]any), v, path)...)
		}
		return errs
	}
	var errs []string
	if t, ok := schema["type"].(string); ok {
		if !hasType(v, t) {
			return []string{fmt.Sprintf("%s: %s, want %s", path, describe(v), t)}
		}
	}
	if vals, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range vals {
			if e == v {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, v, vals))
		}
	}
	if f, ok := schema["format"].(string); ok {
		if s, isStr := v.(string); isStr && !formatOK(f, s) {
			errs = append(errs, fmt.Sprintf("%s: %q is not a %s", path, s, f))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, present := x[r.(string)]; !present {
					errs = append(errs, fmt.Sprintf("%s: required %q missing", path, r))
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, vd.validate(ps, x[k], path+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: %q is not in the schema", path, k))
				}
			case map[string]any:
				errs = append(errs, vd.validate(ap, x[k], path+"."+k)...)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, it := range x {
				errs = append(errs, vd.validate(items, it, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "null":
		return v == nil
	}
	return false
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T %v", v, v)
}

func formatOK(f, s string) bool {
	switch f {
	case "uuid":
		_, err := uuid.Parse(s)
		return err == nil && len(s) == 36
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case "date":
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case "email":
		_, err := mail.ParseAddress(s)
		return err == nil
	case "uri":
		u, err := url.Parse(s)
		return err == nil && u.Scheme != ""
	}
	return true
}

// TestValidatorSubset pins the validator itself: each keyword of the subset refuses what it
// should, so a green TestRepliesMatchTheirSchemas means something.
func TestValidatorSubset(t *testing.T) {
	vd := validator{schemas: map[string]any{
		"Thing": map[string]any{"type": "object", "additionalProperties": false, "required": []any{"id", "at"},
			"properties": map[string]any{
				"id":   map[string]any{"type": "string", "format": "uuid"},
				"at":   map[string]any{"type": "string", "format": "date-time"},
				"n":    map[string]any{"type": "integer"},
				"kind": map[string]any{"type": "string", "enum": []any{"a", "b"}},
				"tags": map[string]any{"anyOf": []any{map[string]any{"type": "array", "items": map[string]any{"type": "string"}}, map[string]any{"type": "null"}}},
				"free": map[string]any{"type": "object"},
			}},
	}}
	ref := map[string]any{"$ref": "#/components/schemas/Thing"}
	ok := map[string]any{"id": "0190a4b8-0000-7000-8000-000000000001", "at": "2026-01-02T03:04:05.123456Z", "n": float64(3),
		"kind": "a", "tags": nil, "free": map[string]any{"anything": true}}
	if errs := vd.validate(ref, ok, "$"); len(errs) != 0 {
		t.Fatalf("a valid value refused: %v", errs)
	}
	for name, change := range map[string]func(m map[string]any){
		"undocumented field": func(m map[string]any) { m["extra"] = 1 },
		"required missing":   func(m map[string]any) { delete(m, "at") },
		"wrong type":         func(m map[string]any) { m["n"] = "3" },
		"not an integer":     func(m map[string]any) { m["n"] = 3.5 },
		"outside the enum":   func(m map[string]any) { m["kind"] = "c" },
		"bad uuid":           func(m map[string]any) { m["id"] = "nope" },
		"bad date-time":      func(m map[string]any) { m["at"] = "2026-01-02" },
		"bad array item":     func(m map[string]any) { m["tags"] = []any{1} },
		"null not allowed":   func(m map[string]any) { m["free"] = nil },
	} {
		m := map[string]any{}
		for k, v := range ok {
			m[k] = v
		}
		change(m)
		if errs := vd.validate(ref, m, "$"); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}
