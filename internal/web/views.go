package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"reflect"
	"regexp"
	"time"
)

// content is the templates (views/) and the message catalogues (messages/).
//
//go:embed views/*.html messages/*.json
var content embed.FS

// viewNames are the pages the handlers render; New refuses to start when one is missing.
var viewNames = []string{"signin", "link", "link_confirm", "incidents", "incident_new", "incident",
	"sessions", "account", "queue", "error"}

// dynamicKeys are message keys built at run time (from a status, a severity, …); they are checked
// at startup like the literal ones in templates.
var dynamicKeys = func() []string {
	var keys []string
	for _, s := range []string{"new", "in_progress", "waiting_on_customer", "resolved"} {
		keys = append(keys, "status."+s)
	}
	for n := 1; n <= 4; n++ {
		keys = append(keys, fmt.Sprintf("severity.%d", n), fmt.Sprintf("severity.def.%d", n))
	}
	for _, s := range []string{"pending", "paused", "met", "breached", "escalated", "cancelled"} {
		keys = append(keys, "sla.state."+s)
	}
	for _, s := range []string{"first_response", "update_cadence", "remediation", "support_manager", "executive"} {
		keys = append(keys, "sla.target."+s)
	}
	for _, s := range []string{"active", "grace", "expired", "not_started"} {
		keys = append(keys, "contract.state."+s)
	}
	for _, k := range eventKinds {
		keys = append(keys, "event."+k)
	}
	for _, r := range []string{"member", "org_admin", "engineer", "support_manager", "executive", "admin"} {
		keys = append(keys, "role."+r)
	}
	return keys
}()

// views holds each page's template per language: the layout and the page, with the language's
// catalogue bound to the t function.
type views struct {
	sets map[string]map[string]*template.Template
	cats map[string]catalogue
}

var literalKey = regexp.MustCompile(`\bt\s+"([^"]+)"`)

func loadViews(fsys fs.FS, names []string) (*views, error) {
	cats, err := loadCatalogues(fsys)
	if err != nil {
		return nil, err
	}
	v := &views{sets: map[string]map[string]*template.Template{}, cats: cats}
	for _, lang := range languages {
		base, err := template.New("layout.html").Funcs(funcs(cats[lang])).ParseFS(fsys, "views/layout.html")
		if err != nil {
			return nil, fmt.Errorf("web: layout: %w", err)
		}
		// Parts (views/part_*.html) are templates more than one page includes.
		if parts, _ := fs.Glob(fsys, "views/part_*.html"); len(parts) > 0 {
			if base, err = base.ParseFS(fsys, parts...); err != nil {
				return nil, fmt.Errorf("web: parts: %w", err)
			}
		}
		v.sets[lang] = map[string]*template.Template{}
		for _, name := range names {
			file := "views/" + name + ".html"
			if _, err := fs.Stat(fsys, file); err != nil {
				return nil, fmt.Errorf("web: view %s is missing: %w", name, err)
			}
			t, err := template.Must(base.Clone()).ParseFS(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("web: view %s: %w", name, err)
			}
			v.sets[lang][name] = t
		}
	}
	// Every message a template or the code names must be in the catalogues.
	files, _ := fs.Glob(fsys, "views/*.html")
	keys := append([]string{}, dynamicKeys...)
	for _, f := range files {
		b, _ := fs.ReadFile(fsys, f)
		for _, m := range literalKey.FindAllSubmatch(b, -1) {
			keys = append(keys, string(m[1]))
		}
	}
	for _, k := range keys {
		if _, ok := cats[languages[0]][k]; !ok {
			return nil, fmt.Errorf("web: message %q is not in the catalogues", k)
		}
	}
	return v, nil
}

// render executes the named template ("layout" for a whole page) of a view.
func (v *views) render(lang, view, tmpl string, data any) ([]byte, error) {
	t, ok := v.sets[lang][view]
	if !ok {
		return nil, fmt.Errorf("web: no view %s/%s", lang, view)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func funcs(cat catalogue) template.FuncMap {
	return template.FuncMap{
		"t": cat.T,
		// dt shows an instant in the viewer's zone, with the zone's abbreviation.
		"dt": func(loc *time.Location, v any) string {
			t, ok := timeOf(v)
			if !ok {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04 MST")
		},
		"date": func(loc *time.Location, v any) string {
			t, ok := timeOf(v)
			if !ok {
				return "—"
			}
			return t.In(loc).Format("2006-01-02")
		},
		"iso": func(v any) string {
			t, ok := timeOf(v)
			if !ok {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"list": func(xs ...int) []int { return xs },
		"key": func(prefix string, v any) string {
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
				if rv.IsNil() {
					return prefix + ".none"
				}
				v = rv.Elem().Interface()
			}
			return fmt.Sprintf("%s.%v", prefix, v)
		},
		"str": func(v any) string {
			if v == nil {
				return ""
			}
			return fmt.Sprint(v)
		},
	}
}

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	case string:
		p, err := time.Parse(time.RFC3339Nano, t)
		return p, err == nil
	}
	return time.Time{}, false
}
