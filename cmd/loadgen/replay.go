package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Replay script: the statements one intake sent, as PostgreSQL logged them (log_statement = all
// on the benchmark's scratch database), turned into a pgbench script that replays them with
// fresh keys per transaction. It reads the log between the two marker statements the benchmark
// script issues around one request, keeps the database's entries, substitutes each logged
// parameter into its statement, and gives every row key an INSERT introduces (and the incident's
// reference) a per-transaction value from the pgbench variable :r.

var (
	logEntry = regexp.MustCompile(`^\S+ \S+ \S+ \[(\d+)\] \S*@(\S+) (LOG|DETAIL):  (.*)$`)
	execRe   = regexp.MustCompile(`^(?:statement|execute [^:]+): (.*)$`)
	paramRe  = regexp.MustCompile(`\$(\d+)`)
	uuidRe   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	refRe    = regexp.MustCompile(`INC-\d{4}-\d{6,}`)
	rowKeyRe = regexp.MustCompile(`(?:VALUES \(|\),\()'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'`)
)

type logged struct {
	pid    string
	sql    string
	params string
}

// writeReplay reads a PostgreSQL log and writes the pgbench script of the statements of database
// db logged between the lines holding begin and end.
func writeReplay(log io.Reader, db, begin, end string, out io.Writer) (int, error) {
	var (
		stmts  []*logged
		last   *logged
		inside bool
		// inParams: the last entry was a DETAIL "parameters:" line, so a tab-prefixed continuation
		// line belongs to a parameter value that spans lines (a mail body), not to the SQL.
		inParams bool
	)
	sc := bufio.NewScanner(log)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, begin) {
			inside, stmts, last = true, nil, nil
			continue
		}
		if !inside {
			continue
		}
		if strings.Contains(line, end) {
			break
		}
		if strings.HasPrefix(line, "\t") {
			switch {
			case last != nil && inParams:
				last.params += "\n" + line[1:]
			case last != nil:
				last.sql += "\n" + line[1:]
			}
			continue
		}
		inParams = false
		m := logEntry.FindStringSubmatch(line)
		if m == nil || m[2] != db {
			last = nil
			continue
		}
		if m[3] == "DETAIL" {
			if last != nil && last.pid == m[1] && strings.HasPrefix(m[4], "parameters: ") {
				last.params = strings.TrimPrefix(m[4], "parameters: ")
				inParams = true
			}
			continue
		}
		x := execRe.FindStringSubmatch(m[4])
		if x == nil {
			last = nil
			continue
		}
		last = &logged{pid: m[1], sql: x[1]}
		stmts = append(stmts, last)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if len(stmts) == 0 {
		return 0, fmt.Errorf("no statements of %s between the markers", db)
	}
	texts := make([]string, len(stmts))
	for i, s := range stmts {
		vals, err := parseParams(s.params)
		if err != nil {
			return 0, fmt.Errorf("parameters of %q: %w", s.sql, err)
		}
		texts[i] = paramRe.ReplaceAllStringFunc(s.sql, func(p string) string {
			n, _ := strconv.Atoi(p[1:])
			if v, ok := vals[n]; ok {
				return v
			}
			return p
		})
	}
	// A UUID in the first column of a row an INSERT writes is a key this intake made: a new one
	// per replayed transaction (the other UUIDs name rows that exist: the user, the contract).
	fresh := map[string]string{}
	for _, t := range texts {
		for _, m := range rowKeyRe.FindAllStringSubmatch(t, -1) {
			if _, ok := fresh[m[1]]; !ok {
				fresh[m[1]] = fmt.Sprintf("%08x-0000-4000-8000-:r", len(fresh)+1)
			}
		}
	}
	fmt.Fprintln(out, `\set r random(100000000000, 999999999999)`)
	for _, t := range texts {
		t = uuidRe.ReplaceAllStringFunc(t, func(u string) string {
			if f, ok := fresh[u]; ok {
				return f
			}
			return u
		})
		t = refRe.ReplaceAllString(t, "INC-0000-:r")
		t = strings.Join(strings.Fields(t), " ")
		fmt.Fprintln(out, strings.TrimSuffix(t, ";")+";")
	}
	return len(texts), nil
}

// parseParams reads "$1 = 'a', $2 = NULL" into literals by number.
func parseParams(s string) (map[int]string, error) {
	out := map[int]string{}
	for s = strings.TrimSpace(s); s != ""; {
		if s[0] != '$' {
			return nil, fmt.Errorf("at %q", s)
		}
		eq := strings.Index(s, " = ")
		if eq < 0 {
			return nil, fmt.Errorf("at %q", s)
		}
		n, err := strconv.Atoi(s[1:eq])
		if err != nil {
			return nil, err
		}
		s = s[eq+3:]
		var v string
		if strings.HasPrefix(s, "NULL") {
			v, s = "NULL", s[4:]
		} else if strings.HasPrefix(s, "'") {
			i := 1
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("unterminated literal")
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i += 2
						continue
					}
					break
				}
				i++
			}
			v, s = s[:i+1], s[i+1:]
		} else {
			return nil, fmt.Errorf("at %q", s)
		}
		out[n] = v
		s = strings.TrimPrefix(strings.TrimSpace(s), ",")
		s = strings.TrimSpace(s)
	}
	return out, nil
}

// replayMain is `loadgen -replay LOG -db NAME -begin MARK -end MARK`: the pgbench script on stdout.
func replayMain(path, db, begin, end string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := writeReplay(f, db, begin, end, os.Stdout)
	if err == nil {
		fmt.Fprintf(os.Stderr, "loadgen: %d statements of one intake captured\n", n)
	}
	return err
}
