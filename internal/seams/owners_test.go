package seams

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// owners names, for every table the migrations create, the one package that reads and writes it
// (docs/architecture.md). Other packages ask the owner through an interface declared where used.
var owners = map[string]string{
	"incidents": "tickets", "incident_events": "tickets", "sla_timers": "tickets", "idempotency_keys": "tickets",
	"reclassification_requests": "tickets",
	"inbound_messages":          "tickets/inbound", "incident_attachments": "tickets/inbound", "mail_addresses": "tickets/inbound",
	"mail_auto_replies": "tickets/inbound", "mailboxes": "tickets/inbound",
	"escalations": "escalation", "notifications": "escalation", "incident_followers": "escalation",
	"notification_preferences": "escalation", "organization_notification_settings": "escalation",
	"webhooks": "escalation", "mail_token_keys": "escalation",
	"sla_policies": "sla/catalog", "sla_calendars": "sla/catalog",
	"entitlements": "sla/entitlement", "entitlement_extensions": "sla/entitlement",
	"entitlement_renewals": "sla/entitlement", "renewal_reminders": "sla/entitlement",
	"intake_rejections": "sla/entitlement", "sla_credits": "sla/entitlement",
	"users": "internal/accounts", "organizations": "internal/accounts", "groups": "internal/accounts",
	"group_members": "internal/accounts", "sessions": "internal/accounts", "tokens": "internal/accounts",
	"sign_in_failures": "internal/accounts", "sign_in_links": "internal/accounts",
	"incident_presence": "internal/web", "sla_replays": "sla/replay",
}

// crossings are the SQL strings that still name another package's table, as "package → table".
// They are debts of issue 11, listed so that none is added unnoticed; the test fails as well when
// one is paid and stays listed, so the list only shrinks.
var crossings = map[string]bool{}

// readers are read-side packages: they may SELECT the tables of others (a report aggregates in
// PostgreSQL what another package wrote) but never write. TestReadersOnlyRead holds them to it.
var readers = map[string]bool{
	"tickets/report": true, // the SLA report over incidents and their timelines
}

// writeSQL finds a write in an SQL string: INSERT, UPDATE … SET, DELETE, and the statements that
// change rows or tables wholesale.
var writeSQL = regexp.MustCompile(`(?i)\b(?:insert\s+into|update\s+(?:only\s+)?[a-z_]+(?:\s+(?:as\s+)?[a-z_]+)?\s+set|delete\s+from|truncate|merge\s+into|copy\s+[a-z_]+\s+from|alter\s+table|drop\s+table|create\s+table)\b`)

// gormWrites are the GORM methods that write rows.
var gormWrites = map[string]bool{"Create": true, "CreateInBatches": true, "Save": true, "Update": true, "Updates": true,
	"UpdateColumn": true, "UpdateColumns": true, "Delete": true, "Exec": true, "FirstOrCreate": true}

// TestReadersOnlyRead: a read-side package's code (tests apart) holds no SQL that writes and
// calls no GORM method that does.
func TestReadersOnlyRead(t *testing.T) {
	root := filepath.Join("..", "..")
	for pkg := range readers {
		files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pkg), "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("reader %s: no Go files (%v)", pkg, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.BasicLit:
					if x.Kind != token.STRING {
						return true
					}
					if s, err := strconv.Unquote(x.Value); err == nil && writeSQL.MatchString(s) {
						t.Errorf("reader %s writes in SQL (%s): %q", pkg, filepath.Base(path), writeSQL.FindString(s))
					}
				case *ast.SelectorExpr:
					if gormWrites[x.Sel.Name] {
						t.Errorf("reader %s calls %s (%s): a read side does not write", pkg, x.Sel.Name, filepath.Base(path))
					}
				}
				return true
			})
		}
	}
}

// free may name any table: the database plumbing (internal/dbx, internal/testenv, and
// internal/scratch, the benchmarks' guard that marks their own databases), the composition root
// and the benchmark tools.
func free(pkg string) bool {
	return strings.HasPrefix(pkg, "cmd/") || pkg == "internal/dbx" || pkg == "internal/testenv" ||
		pkg == "internal/app" || pkg == "migrations" || pkg == "internal/seams" || pkg == "internal/scratch"
}

var sqlTable = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table)\s+(?:only\s+)?([a-z_]+)\b`)

// TestNoSQLNamesAnotherPackagesTable reads every SQL string of every package's code (tests
// apart: fixtures may build any rows) and checks that each table it names is its own.
func TestNoSQLNamesAnotherPackagesTable(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "migrations")); err != nil {
		t.Fatal(err)
	}
	// Every table must have an owner: a new migration's table gets one here.
	migs, _ := filepath.Glob(filepath.Join(root, "migrations", "*.sql"))
	create := regexp.MustCompile(`(?i)create table (?:if not exists )?([a-z_]+)`)
	for _, m := range migs {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range create.FindAllStringSubmatch(string(b), -1) {
			if _, ok := owners[strings.ToLower(x[1])]; !ok {
				t.Errorf("table %s (%s) has no owner in owners", x[1], filepath.Base(m))
			}
		}
	}
	found := map[string]bool{}
	eachSourceFile(t, func(pkg, _ string) bool { return !free(pkg) }, func(src sourceFile) {
		pkg, f := src.pkg, src.file
		note := func(table string) {
			if readers[pkg] {
				return // a reader may SELECT any table; TestReadersOnlyRead keeps it from writing
			}
			if owner, known := owners[strings.ToLower(table)]; known && owner != pkg {
				found[pkg+" → "+strings.ToLower(table)] = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// A row type's TableName maps a struct onto a table for GORM: the same as naming it.
			if fn, ok := n.(*ast.FuncDecl); ok && fn.Name.Name == "TableName" && fn.Body != nil && len(fn.Body.List) == 1 {
				if ret, ok := fn.Body.List[0].(*ast.ReturnStmt); ok && len(ret.Results) == 1 {
					if lit, ok := ret.Results[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							note(s)
						}
					}
				}
				return true
			}
			// GORM's Table("users") names a table with no SQL keyword in the string.
			if call, ok := n.(*ast.CallExpr); ok && len(call.Args) > 0 {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Table" {
					if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							note(s)
						}
					}
				}
				return true
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
				note(m[1])
			}
			return true
		})
	})
	var added, paid []string
	for c := range found {
		if !crossings[c] {
			added = append(added, c)
		}
	}
	for c := range crossings {
		if !found[c] {
			paid = append(paid, c)
		}
	}
	sort.Strings(added)
	sort.Strings(paid)
	for _, c := range added {
		t.Errorf("SQL in %s names a table another package owns: ask the owner through an interface", c)
	}
	for _, c := range paid {
		t.Errorf("crossing %s is gone: remove it from crossings", c)
	}
}
