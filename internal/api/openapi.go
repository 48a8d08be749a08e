package api

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

var fiberParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

// openAPIPath turns Fiber's /v1/incidents/:id into OpenAPI's /v1/incidents/{id}.
func openAPIPath(p string) string { return fiberParam.ReplaceAllString(p, "{$1}") }

// Document builds the OpenAPI 3.1 description of every route in the table.
func (s *Server) Document() map[string]any {
	paths := map[string]any{}
	for _, r := range s.table {
		p := openAPIPath(r.path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{"summary": r.summary, "operationId": operationID(r)}
		var params []any
		for _, m := range fiberParam.FindAllStringSubmatch(r.path, -1) {
			schema := map[string]any{"type": "string", "format": "uuid"}
			if m[1] != "id" && !strings.HasSuffix(m[1], "_id") {
				schema = map[string]any{"type": "string"}
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, q := range r.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": paramSchema(q)})
		}
		if r.method == "POST" && r.path == "/v1/incidents" {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string", "maxLength": 255},
				"description": "A repeat with the same key by the same caller returns the first result and creates nothing."})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.roles != nil {
			roles := make([]string, len(r.roles))
			for i, x := range r.roles {
				roles[i] = string(x)
			}
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			op["x-roles"] = roles
			op["description"] = "Roles: " + strings.Join(roles, ", ") + "."
		}
		if r.request != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(r.request)}}}
		}
		if r.upload {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}}}}
		}
		ok := map[string]any{"description": "success"}
		if r.reply != "" {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(r.reply)}}
		}
		responses := map[string]any{strconv.Itoa(r.status): ok}
		for _, st := range r.also {
			responses[strconv.Itoa(st)] = ok
		}
		for _, code := range []string{"400", "401", "403", "404", "405", "409", "413", "422", "431", "500", "503"} {
			responses[code] = map[string]any{"$ref": "#/components/responses/Error"}
		}
		op["responses"] = responses
		item[strings.ToLower(r.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "supportd", "version": "1", "description": "Support ticketing and SLA engine."},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"responses": map[string]any{"Error": map[string]any{"description": "error envelope",
				"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}},
			"schemas": schemas,
		},
	}
}

func operationID(r route) string {
	p := strings.NewReplacer("/v1/", "", "/", "_", ":", "", ".", "_", "-", "_").Replace(r.path)
	return strings.ToLower(r.method) + "_" + strings.Trim(p, "_")
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func (s *Server) openapi(c *fiber.Ctx) error { return c.JSON(s.Document()) }

// paramSchema documents a query parameter from the rule checkParam applies.
func paramSchema(name string) map[string]any {
	p := queryParams[name]
	switch p.kind {
	case intParam:
		r := rangeOf(name)
		return map[string]any{"type": "integer", "minimum": r.min, "maximum": r.max}
	case boolParam:
		return map[string]any{"type": "boolean"}
	case uuidParam:
		return strf("uuid")
	case timeParam:
		return strf("date-time")
	case enumParam:
		return enum(p.enum...)
	}
	return map[string]any{"type": "string", "maxLength": maxText(name)}
}

func init() { annotateLimits(schemas, "") }

// annotateLimits writes the decoder's limits into the request and reply schemas: maxLength on
// every string, minimum and maximum on every number, by field name as the decoder finds them.
func annotateLimits(v any, name string) {
	switch m := v.(type) {
	case map[string]any:
		if props, ok := m["properties"].(map[string]any); ok {
			for k, p := range props {
				annotateLimits(p, k)
			}
		}
		if items, ok := m["items"]; ok {
			annotateLimits(items, name)
		}
		if ap, ok := m["additionalProperties"].(map[string]any); ok {
			annotateLimits(ap, name)
		}
		for _, alt := range []string{"anyOf", "allOf"} {
			if xs, ok := m[alt].([]any); ok {
				for _, x := range xs {
					annotateLimits(x, name)
				}
			}
		}
		switch m["type"] {
		case "string":
			if _, ok := m["maxLength"]; !ok && name != "" {
				m["maxLength"] = maxText(name)
			}
		case "integer", "number":
			r := rangeOf(name)
			if _, ok := m["minimum"]; !ok {
				m["minimum"] = r.min
			}
			if _, ok := m["maximum"]; !ok {
				m["maximum"] = r.max
			}
		}
		if _, isSchemas := m["Error"]; isSchemas {
			for k, x := range m {
				annotateLimits(x, k)
			}
		}
	}
}
