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
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
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
		ok := map[string]any{"description": "success"}
		if r.reply != "" {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(r.reply)}}
		}
		responses := map[string]any{strconv.Itoa(r.status): ok}
		for _, code := range []string{"400", "401", "403", "404", "409", "413", "422", "500"} {
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
