package seams

import (
	"go/ast"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// mayChooseDefaults: the composition root and the commands pick the process's logger and clock
// (cmd/ hands clock.Real to internal/app, which injects it); internal/testenv builds its own
// fixtures; internal/clock defines Real.
func mayChooseDefaults(pkg string) bool {
	return strings.HasPrefix(pkg, "cmd/") || pkg == "internal/app" || pkg == "internal/testenv" ||
		pkg == "internal/clock" || pkg == "internal/seams"
}

// defaultLogging are the functions of log/slog and log that write through, or hand out, the
// process-global logger: each bypasses the injected one (its level, format and request IDs).
var defaultLogging = map[string]map[string]bool{
	"log/slog": {"Default": true, "SetDefault": true, "Debug": true, "Info": true, "Warn": true, "Error": true,
		"Log": true, "LogAttrs": true, "DebugContext": true, "InfoContext": true, "WarnContext": true, "ErrorContext": true},
	"log": {"Default": true, "Print": true, "Printf": true, "Println": true, "Fatal": true, "Fatalf": true,
		"Fatalln": true, "Panic": true, "Panicf": true, "Panicln": true, "Output": true},
}

// TestNoHiddenLoggerOrClock keeps issue 11's "the logger injected; one clock" for every package,
// present and future: outside the composition root, the commands, the test harness and the clock
// package itself, no code reaches for the global logger (slog.Default, slog.Info, log.Printf, …)
// or builds the wall clock (clock.Real). A constructor given none refuses to run rather than
// falling back on either, so tests' clocks and the process's log settings cannot be bypassed.
func TestNoHiddenLoggerOrClock(t *testing.T) {
	var found []string
	eachSourceFile(t, func(pkg, _ string) bool { return !mayChooseDefaults(pkg) }, func(src sourceFile) {
		f := src.file
		// The file's own names for the packages watched, aliases included.
		names := map[string]string{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			switch {
			case defaultLogging[p] != nil:
				names[name] = p
			case strings.HasSuffix(p, "/internal/clock"):
				names[name] = "clock"
			}
		}
		if len(names) == 0 {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			where := src.at(sel)
			switch p := names[id.Name]; {
			case p == "clock" && sel.Sel.Name == "Real":
				found = append(found, where+": clock.Real: take the injected clock.Clock")
			case defaultLogging[p][sel.Sel.Name]:
				found = append(found, where+": "+p+"."+sel.Sel.Name+" uses the global logger: take the injected *slog.Logger")
			}
			return true
		})
	})
	sort.Strings(found)
	for _, f := range found {
		t.Error(f)
	}
}
