package api

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestSchemasFollowTheWireTypes encodes the zero value of every component's Go type and holds it
// against the generated schema: every key it has is a property, every required property is a key,
// and objects are closed. A field added to a wire type with no schema, or a schema left behind by
// a removed field, cannot happen without this failing.
func TestSchemasFollowTheWireTypes(t *testing.T) {
	for _, c := range components {
		s := schemas[c.name].(map[string]any)
		if s["type"] != "object" {
			t.Errorf("%s: type %v, want object", c.name, s["type"])
			continue
		}
		if c.name != "Error" && s["additionalProperties"] != false {
			t.Errorf("%s: open object", c.name)
		}
		b, err := json.Marshal(reflect.New(c.typ).Interface())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		props := s["properties"].(map[string]any)
		for k := range got {
			if _, ok := props[k]; !ok {
				t.Errorf("%s encodes %q, which its schema lacks", c.name, k)
			}
		}
		for k := range props {
			if _, ok := got[k]; !ok && !omitted(c.typ, k) {
				t.Errorf("%s: schema has %q, which the type never encodes", c.name, k)
			}
		}
		if c.request {
			continue
		}
		req, _ := s["required"].([]string)
		for _, k := range req {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: %q is required but absent from the zero value", c.name, k)
			}
		}
	}
}

// omitted tells whether the field named k may be left out (omitempty or omitzero).
func omitted(t reflect.Type, k string) bool {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts := tag, ""
		for j := range tag {
			if tag[j] == ',' {
				name, opts = tag[:j], tag[j:]
				break
			}
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			if omitted(f.Type, k) {
				return true
			}
			continue
		}
		if name == k {
			return opts != ""
		}
	}
	return false
}

type genInner struct {
	A string `json:"a"`
}

type genOuter struct {
	genInner
	ID    uuid.UUID         `json:"id"`
	At    *time.Time        `json:"at"`
	Tags  []string          `json:"tags,omitempty" enum:"x|y"`
	Attrs map[string]string `json:"attrs"`
	Kind  string            `json:"kind" doc:"what it is"`
	Skip  string            `json:"-"`
	A     int               `json:"a_int"`
}

// TestSchemaGenerator pins the mapping of Go types to schemas.
func TestSchemaGenerator(t *testing.T) {
	out := buildSchemas([]component{comp[genOuter]("Outer"), body[genOuter]("OuterBody")})
	reply := out["Outer"].(map[string]any)
	got, _ := json.Marshal(reply)
	want := `{"additionalProperties":false,"properties":{"a":{"type":"string"},"a_int":{"type":"integer"},` +
		`"at":{"anyOf":[{"format":"date-time","type":"string"},{"type":"null"}]},` +
		`"attrs":{"anyOf":[{"additionalProperties":{"type":"string"},"type":"object"},{"type":"null"}]},` +
		`"id":{"format":"uuid","type":"string"},"kind":{"description":"what it is","type":"string"},` +
		`"tags":{"items":{"enum":["x","y"],"type":"string"},"type":"array"}},` +
		`"required":["id","at","attrs","kind","a_int","a"],"type":"object"}`
	if string(got) != want {
		t.Errorf("reply schema\n got %s\nwant %s", got, want)
	}
	req := out["OuterBody"].(map[string]any)
	if _, ok := req["required"]; ok {
		t.Errorf("a request body requires fields that are not tagged required: %v", req["required"])
	}
	if at := req["properties"].(map[string]any)["at"].(map[string]any); at["type"] != "string" {
		t.Errorf("a request's pointer is optional, not nullable: %v", at)
	}
	keys := make([]string, 0)
	for k := range req["properties"].(map[string]any) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) != 7 {
		t.Errorf("properties %v", keys)
	}
}
