package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
)

// languages are the catalogues, the first being the fallback for browsers that ask for neither.
var languages = []string{"en", "ja"}

// catalogue is one language's messages by key.
type catalogue map[string]string

// loadCatalogues reads every language's catalogue and checks that they have the same keys, so a
// page is never half translated. A language's catalogue is messages/<lang>.json merged with every
// messages/<area>.<lang>.json (one file per area of the interface, so areas grow apart); a key
// defined twice is an error.
func loadCatalogues(fsys fs.FS) (map[string]catalogue, error) {
	out := map[string]catalogue{}
	for _, lang := range languages {
		files, err := fs.Glob(fsys, "messages/*."+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", lang, err)
		}
		c := catalogue{}
		for _, name := range append([]string{"messages/" + lang + ".json"}, files...) {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("web: catalogue %s: %w", lang, err)
			}
			var part catalogue
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("web: catalogue %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := c[k]; dup {
					return nil, fmt.Errorf("web: catalogue %s: key %q is defined twice", name, k)
				}
				c[k] = v
			}
		}
		out[lang] = c
	}
	base := slices.Sorted(maps.Keys(out[languages[0]]))
	for _, lang := range languages[1:] {
		if keys := slices.Sorted(maps.Keys(out[lang])); !slices.Equal(keys, base) {
			return nil, fmt.Errorf("web: catalogues %s and %s have different keys", languages[0], lang)
		}
	}
	return out, nil
}

// T returns the message for key in the catalogue, formatted with args; a missing key shows
// itself (the startup check makes this a bug, not a user's problem).
func (c catalogue) T(key string, args ...any) string {
	m, ok := c[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}
