package api

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/google/uuid"
)

// The OpenAPI schemas are derived from the wire types by reflection, so the document cannot
// say one thing while the handlers encode another. What Go types cannot tell — enum values,
// descriptions, which request fields are required — comes from the struct tags `enum`, `doc`
// and `required` on wire types, and from the small tables below for types the API does not own.

// component is one named schema: the Go type behind it.
type component struct {
	name    string
	typ     reflect.Type
	request bool // a request body: fields are optional unless tagged required
}

// comp is a reply's schema; fields are required unless omitempty.
func comp[T any](name string) component { return component{name, reflect.TypeFor[T](), false} }

// body is a request body's schema.
func body[T any](name string) component { return component{name, reflect.TypeFor[T](), true} }

// schemaGen turns Go types into JSON schemas. Struct types registered as components become
// $refs wherever they appear, every other struct is inlined.
type schemaGen struct {
	names   map[reflect.Type]string
	request bool // inside a request body: fields are optional unless tagged required
}

var (
	uuidType = reflect.TypeFor[uuid.UUID]()
	rawType  = reflect.TypeFor[json.RawMessage]()
	anyType  = reflect.TypeFor[any]()

	marshalerType = reflect.TypeFor[json.Marshaler]()
)

// note is what a field of a type the API does not own cannot say in tags.
type note struct {
	required bool
	doc      string
	enum     string // values separated by |
	format   string
}

// buildSchemas returns the component schemas of every registered wire type.
func buildSchemas(comps []component) map[string]any {
	g := schemaGen{names: map[reflect.Type]string{}}
	for _, c := range comps {
		g.names[c.typ] = c.name
	}
	out := map[string]any{}
	for _, c := range comps {
		g.request = c.request
		out[c.name] = g.structSchema(c.typ)
	}
	return out
}

// schema returns the schema of t as a field value; omit says the field is left out when empty,
// in which case a nil pointer, slice or map is absent rather than null.
func (g schemaGen) schema(t reflect.Type, omit bool) map[string]any {
	if s, ok := typeSchemas[t]; ok {
		return clone(s)
	}
	switch t {
	case timeType:
		return strf("date-time")
	case uuidType:
		return strf("uuid")
	case rawType, anyType:
		return map[string]any{}
	}
	if t.Kind() != reflect.Pointer && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)) {
		panic("api: " + t.String() + " encodes itself: describe it in typeSchemas")
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem(), false)
		if omit || g.request { // in a request, a pointer means optional, and null is absent
			return s
		}
		return nullable(s)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "format": "byte"}
		}
		s := arr(g.schema(t.Elem(), false))
		if omit || g.request || t.Kind() == reflect.Array {
			return s
		}
		return nullable(s)
	case reflect.Map:
		s := map[string]any{"type": "object"}
		if e := t.Elem(); e != anyType {
			s["additionalProperties"] = g.schema(e, false)
		}
		if omit || g.request {
			return s
		}
		return nullable(s)
	case reflect.Struct:
		if name, ok := g.names[t]; ok {
			return ref(name)
		}
		return g.structSchema(t)
	case reflect.String:
		s := str()
		if vals, ok := enums[t]; ok {
			s["enum"] = vals
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Interface:
		return map[string]any{}
	}
	panic("api: no schema for " + t.String())
}

// structSchema describes a struct as encoding/json encodes it: embedded structs are flattened,
// fields without omitempty/omitzero are required, and no other property is allowed.
func (g schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required, map[string]bool{})
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func (g schemaGen) fields(t reflect.Type, props map[string]any, required *[]string, seen map[string]bool) {
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		s := g.schema(f.Type, omit)
		n := fieldNotes[t][name]
		if vals := f.Tag.Get("enum"); vals != "" {
			setEnum(s, strings.Split(vals, "|"))
		} else if n.enum != "" {
			setEnum(s, strings.Split(n.enum, "|"))
		}
		if v := f.Tag.Get("format"); v != "" {
			setFormat(s, v)
		} else if n.format != "" {
			setFormat(s, n.format)
		}
		if d := f.Tag.Get("doc"); d != "" {
			s["description"] = d
		} else if n.doc != "" {
			s["description"] = n.doc
		}
		props[name] = s
		if f.Tag.Get("required") == "true" || n.required || (!omit && !g.request) {
			*required = append(*required, name)
		}
	}
	// Go's rule: a field of the outer struct hides the embedded one's field of the same name.
	for _, et := range embedded {
		g.fields(et, props, required, seen)
	}
}

// setEnum puts the enum on the string schema, or on the items of an array, or on the non-null
// branch of a nullable one.
func setEnum(s map[string]any, vals []string) { scalar(s)["enum"] = vals }

// setFormat is setEnum for a format.
func setFormat(s map[string]any, f string) { scalar(s)["format"] = f }

func scalar(s map[string]any) map[string]any {
	if alts, ok := s["anyOf"].([]any); ok {
		s = alts[0].(map[string]any)
	}
	if s["type"] == "array" {
		s = s["items"].(map[string]any)
	}
	return s
}

// clone copies a schema from a table so that annotating one use leaves the others alone.
func clone(s map[string]any) map[string]any {
	b, _ := json.Marshal(s)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}
