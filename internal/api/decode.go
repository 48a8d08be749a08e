package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
)

// decodeJSON reads the body into v. It is the one path every request body takes:
//
//   - broken JSON is a 400 malformed_json;
//   - a field v does not take is a 422 unknown_field naming it (a typo is never swallowed);
//   - a string holding NUL or invalid UTF-8 is a 422 invalid_text naming it;
//   - a string over its limit is a 422 too_long, a number or time out of range a 422
//     out_of_range, a value of the wrong type a 422 invalid_value — each naming the field.
//
// The checks run on the raw JSON, before decoding replaces invalid UTF-8 with U+FFFD.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Malformed, "malformed_json", "a JSON body is required")
	}
	return decodeBody(body, v)
}

// decodeOptional is decodeJSON for actions whose body may be left out.
func decodeOptional(c *fiber.Ctx, v any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	return decodeBody(c.Body(), v)
}

func decodeBody(body []byte, v any) error {
	if !json.Valid(body) {
		// A raw NUL byte inside a string makes the body invalid JSON; seen as the \u0000 it
		// means, it is refused like one, naming the field.
		escaped := bytes.ReplaceAll(body, []byte{0}, []byte(`\u0000`))
		if !json.Valid(escaped) {
			var probe any
			err := json.Unmarshal(body, &probe)
			return &apperr.Error{Kind: apperr.Malformed, Code: "malformed_json", Message: "the body is not valid JSON: " + err.Error()}
		}
		body = escaped
	}
	if err := check(json.RawMessage(body), reflect.TypeOf(v), "", ""); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return apperr.InvalidField(field, "%s must be a JSON %s", field, te.Type.Kind())
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			return unknownField(name)
		}
		// A value a type's own decoder refused (a time, a duration): the message says which.
		return &apperr.Error{Kind: apperr.Invalid, Code: "invalid_value", Field: "body", Message: err.Error()}
	}
	return nil
}

func unknownField(path string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Invalid, Code: "unknown_field", Field: path,
		Message: path + " is not a field of this request; see its schema in /openapi.json"}
}

var (
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	timeType        = reflect.TypeOf(time.Time{})
)

// check walks raw alongside the Go type it will be decoded into (t may be nil: anything goes,
// as in a json.RawMessage). key is the nearest object key, which names the limits; path is
// what an error reports.
func check(raw json.RawMessage, t reflect.Type, key, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	field := path
	if field == "" {
		field = "body"
	}
	// Types with their own decoder (time.Time, durations, raw JSON) are checked as text only.
	typed := t != nil && t != timeType && !reflect.PointerTo(t).Implements(unmarshalerType)
	switch raw[0] {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil // the decoder reports it
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var fields map[string]reflect.Type
		if typed && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		for _, k := range keys {
			sub := joinPath(path, k)
			if bad := textProblem(k); bad != "" {
				return invalidText(sub, bad+" in a field name")
			}
			var ft reflect.Type
			switch {
			case fields != nil:
				var ok bool
				if ft, ok = fields[k]; !ok {
					return unknownField(sub)
				}
			case typed && t.Kind() == reflect.Map:
				ft = t.Elem()
			}
			if err := check(obj[k], ft, k, sub); err != nil {
				return err
			}
		}
	case '[':
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			return nil
		}
		var et reflect.Type
		if typed && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i, e := range arr {
			if err := check(e, et, key, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case '"':
		if bad := badText(raw); bad != "" {
			return invalidText(field, bad)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil
		}
		if max := maxText(key); utf8.RuneCountInString(s) > max {
			return (&apperr.Error{Kind: apperr.Invalid, Code: "too_long", Field: field,
				Message: field + " is at most " + strconv.Itoa(max) + " characters"}).With("max_length", max)
		}
		if t == timeType {
			tm, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return apperr.InvalidField(field, "%s must be an RFC 3339 time, e.g. 2026-04-01T09:00:00+09:00", field)
			}
			if err := timeInRange(field, tm); err != nil {
				return err
			}
		}
	case 't', 'f', 'n':
	default: // a number
		f, err := strconv.ParseFloat(string(raw), 64)
		r := rangeOf(key)
		if err != nil || f < r.min || f > r.max {
			return outOfRange(field, r)
		}
	}
	return nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// jsonFields maps the JSON names a struct takes (embedded structs included) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// badText says what is wrong with a raw JSON string token: invalid UTF-8, a NUL (escaped or
// not), or a lone UTF-16 surrogate escape, which decoding would silently turn into U+FFFD.
// "" when it is fine.
func badText(raw []byte) string {
	if !utf8.Valid(raw) {
		return "invalid UTF-8"
	}
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == 0:
			return "a NUL character"
		case raw[i] != '\\' || i+1 >= len(raw):
			continue
		}
		i++
		if raw[i] != 'u' || i+4 >= len(raw) {
			continue
		}
		r, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 32)
		if err != nil {
			continue
		}
		i += 4
		switch {
		case r == 0:
			return "a NUL character"
		case r >= 0xDC00 && r <= 0xDFFF:
			return "invalid UTF-16 (a lone surrogate)"
		case r >= 0xD800 && r <= 0xDBFF:
			lo := uint64(0)
			if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				lo, _ = strconv.ParseUint(string(raw[i+3:i+7]), 16, 32)
			}
			if lo < 0xDC00 || lo > 0xDFFF {
				return "invalid UTF-16 (a lone surrogate)"
			}
			i += 6
		}
	}
	return ""
}

// textProblem says what is wrong with a decoded string (a query or path value, a header).
func textProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "invalid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "a NUL character"
	}
	return ""
}

func invalidText(field, what string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Invalid, Code: "invalid_text", Field: field,
		Message: field + " holds " + what + "; send UTF-8 text without NUL characters"}
}

func outOfRange(field string, r numberRange) *apperr.Error {
	return (&apperr.Error{Kind: apperr.Invalid, Code: "out_of_range", Field: field,
		Message: field + " must be a number from " + strconv.FormatFloat(r.min, 'f', -1, 64) + " to " + strconv.FormatFloat(r.max, 'f', -1, 64)}).
		With("minimum", r.min).With("maximum", r.max)
}

func timeInRange(field string, t time.Time) error {
	if t.Before(minTime) || !t.Before(maxTime) {
		return (&apperr.Error{Kind: apperr.Invalid, Code: "out_of_range", Field: field,
			Message: field + " must be from " + minTime.Format(time.RFC3339) + " to before " + maxTime.Format(time.RFC3339)}).
			With("minimum", minTime).With("maximum", maxTime)
	}
	return nil
}
