package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
)

// readBody reads the request body, which the server streams, up to BodyLimit. A client sending
// a body over it must be able to read the 413: a server that answers and closes while the client
// is still sending makes the client's kernel see a reset, and the client never reads the answer
// (a browser shows a network failure). So the rest of the body is read and discarded (up to
// maxDrain) before the connection closes. Reading every body here also keeps a keep-alive
// connection in step when a handler ignores the body.
func (s *Server) readBody(c *fiber.Ctx) error {
	stream := c.Context().RequestBodyStream()
	if stream == nil {
		return c.Next()
	}
	limit := s.deps.BodyLimit
	if cl := c.Request().Header.ContentLength(); cl > limit {
		// Announced too large: answer at once, from the headers, and drain behind the answer.
		s.answerAndDrain(c, cl)
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
	if err != nil {
		c.Context().SetConnectionClose()
		return apperr.New(apperr.Malformed, "malformed_request", "the request body could not be read")
	}
	if len(body) > limit {
		// A chunked body has no length to announce: drain it first, then answer and close.
		if n, _ := io.Copy(io.Discard, io.LimitReader(stream, maxDrain)); n >= maxDrain {
			s.deps.Log.Warn("request body over the drain bound; the client may see a reset", "request_id", requestID(c), "path", c.Path())
		}
		c.Context().SetConnectionClose()
		if page := s.tooLargePage(c); page != nil {
			return c.Status(fiber.StatusRequestEntityTooLarge).Type("html", "utf-8").Send(page)
		}
		return tooLarge(limit)
	}
	c.Request().SetBody(body)
	return c.Next()
}

func tooLarge(limit int) *apperr.Error {
	return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than the %d bytes the server accepts", limit).
		With("max_bytes", limit)
}

// drainTimeout bounds how long a connection is kept to drain an over-limit body.
const drainTimeout = 30 * time.Second

// answerAndDrain takes the connection over from the server: it writes the 413 (with Connection:
// close), then reads and discards the announced body before the server closes the connection.
func (s *Server) answerAndDrain(c *fiber.Ctx, contentLength int) {
	payload, _ := json.Marshal(map[string]any{"error": errorBody(tooLarge(s.deps.BodyLimit), requestID(c))})
	ctype, extra := "application/json; charset=utf-8", ""
	if page := s.tooLargePage(c); page != nil {
		payload, ctype, extra = page, "text/html; charset=utf-8", "Content-Security-Policy: default-src 'self'\r\n"
	}
	c.Status(fiber.StatusRequestEntityTooLarge) // for the access metrics; the answer is written below
	rid := strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e {
			return -1
		}
		return r
	}, requestID(c))
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) {
		_ = conn.SetDeadline(time.Now().Add(drainTimeout))
		_, err := fmt.Fprintf(conn, "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: %s\r\n%s"+
			"Content-Length: %d\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n%s", ctype, extra, len(payload), rid, payload)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(conn, min(int64(contentLength), maxDrain)))
	})
}

// tooLargePage is the page a browser's form gets for a body over the limit (Deps.TooLargePage),
// or nil for the API's JSON.
func (s *Server) tooLargePage(c *fiber.Ctx) []byte {
	if s.deps.TooLargePage == nil || c.Path() == "/v1" || strings.HasPrefix(c.Path(), "/v1/") {
		return nil
	}
	return s.deps.TooLargePage(c)
}

// The kinds of value a query parameter takes.
type paramKind int

const (
	textParam paramKind = iota
	intParam
	boolParam
	uuidParam
	timeParam
	enumParam
)

// param is how one query parameter is validated: the same rule wherever it appears.
type param struct {
	kind paramKind
	enum []string
}

// queryParams is the one table of query parameters: every list route validates its query
// through it, so ?tier=gold is refused alike everywhere.
var queryParams = map[string]param{
	"status":          {kind: enumParam, enum: []string{"new", "in_progress", "waiting_on_customer", "resolved"}},
	"tier":            {kind: enumParam, enum: []string{"standard", "premium", "platinum"}},
	"severity":        {kind: intParam},
	"product":         {kind: textParam},
	"office":          {kind: textParam},
	"code":            {kind: textParam},
	"cursor":          {kind: textParam},
	"organization_id": {kind: uuidParam},
	"limit":           {kind: intParam},
	"since":           {kind: timeParam},
	"from":            {kind: timeParam},
	"to":              {kind: timeParam},
	"mine":            {kind: boolParam},
	"unassigned":      {kind: boolParam},
	"unread":          {kind: boolParam},
	"pending":         {kind: boolParam},
	"format":          {kind: enumParam, enum: []string{"json", "csv"}},
	"role":            {kind: enumParam, enum: []string{"engineer", "support_manager", "executive", "admin"}},
}

// checkRequest validates what a route takes besides its body: every query parameter (unknown
// ones refused), every path parameter and the Idempotency-Key header.
func checkRequest(r route) fiber.Handler {
	takes := map[string]bool{}
	for _, q := range r.query {
		takes[q] = true
	}
	pathParams := fiberParam.FindAllStringSubmatch(r.path, -1)
	return func(c *fiber.Ctx) error {
		var err error
		c.Context().QueryArgs().VisitAll(func(k, v []byte) {
			if err != nil {
				return
			}
			name := string(k)
			if bad := textProblem(name); bad != "" {
				err = invalidText("query", bad+" in a parameter name")
				return
			}
			if !takes[name] {
				err = &apperr.Error{Kind: apperr.Invalid, Code: "unknown_field", Field: name,
					Message: name + " is not a query parameter of this route; see /openapi.json"}
				return
			}
			err = checkParam(name, string(v))
		})
		if err != nil {
			return err
		}
		for _, m := range pathParams {
			v := c.Params(m[1])
			if bad := textProblem(v); bad != "" {
				return invalidText(m[1], bad)
			}
			if len(v) > defaultTextMax {
				return apperr.NotFoundf("not found")
			}
		}
		if r.request == "" && !r.upload && len(bytes.TrimSpace(c.Body())) > 0 {
			// A route that takes no body takes no fields: any sent are refused, not ignored.
			if err := decodeBody(c.Body(), &struct{}{}); err != nil {
				return err
			}
		}
		if k := c.Get("Idempotency-Key"); k != "" {
			if bad := textProblem(k); bad != "" {
				return invalidText("Idempotency-Key", bad)
			}
		}
		return c.Next()
	}
}

// checkParam validates one query value by the parameter's kind and limits.
func checkParam(name, v string) error {
	if bad := textProblem(v); bad != "" {
		return invalidText(name, bad)
	}
	if max := maxText(name); len([]rune(v)) > max {
		return (&apperr.Error{Kind: apperr.Invalid, Code: "too_long", Field: name,
			Message: name + " is at most " + strconv.Itoa(max) + " characters"}).With("max_length", max)
	}
	p := queryParams[name]
	switch p.kind {
	case intParam:
		r := rangeOf(name)
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n != float64(int64(n)) || n < r.min || n > r.max {
			return outOfRange(name, r)
		}
	case boolParam:
		if _, err := strconv.ParseBool(v); err != nil {
			return apperr.InvalidField(name, "%s must be true or false", name)
		}
	case uuidParam:
		if _, err := uuid.Parse(v); err != nil {
			return apperr.InvalidField(name, "%s must be a UUID", name)
		}
	case timeParam:
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return apperr.InvalidField(name, "%s must be an RFC 3339 time", name)
		}
		return timeInRange(name, t)
	case enumParam:
		for _, e := range p.enum {
			if v == e {
				return nil
			}
		}
		return apperr.InvalidField(name, "%s must be one of %s", name, strings.Join(p.enum, ", "))
	}
	return nil
}

// allow lists the methods the route table serves on path (HEAD with GET), for a 405's Allow.
func (s *Server) allow(path string) string {
	var methods []string
	seen := map[string]bool{}
	for _, r := range s.table {
		if !routePattern(r.path).MatchString(path) || seen[r.method] {
			continue
		}
		seen[r.method] = true
		methods = append(methods, r.method)
		if r.method == "GET" {
			methods = append(methods, "HEAD")
		}
	}
	return strings.Join(methods, ", ")
}

func routePattern(p string) *regexp.Regexp {
	return regexp.MustCompile("^" + fiberParam.ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "/?$")
}
