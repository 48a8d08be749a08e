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
// page is never half translated.
func loadCatalogues(fsys fs.FS) (map[string]catalogue, error) {
	out := map[string]catalogue{}
	for _, lang := range languages {
		b, err := fs.ReadFile(fsys, "messages/"+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", lang, err)
		}
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", lang, err)
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
