package app

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// TestReadmeDocumentsEveryVariable keeps README.md's configuration table in step with Vars.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars {
		if !strings.Contains(string(b), "| `"+v.Name+"` |") {
			t.Errorf("README.md does not document %s", v.Name)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	c, err := FromEnv(get)
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != "127.0.0.1:8080" || c.DBMaxConns != 20 || c.BodyLimit != 1<<20 {
		t.Fatalf("defaults: %+v", c)
	}
	for k, v := range map[string]string{"DB_MAX_CONNS": "zero", "SHUTDOWN_TIMEOUT": "soon", "LOG_LEVEL": "loud",
		"LOG_FORMAT": "xml", "SUPPORT_ADMIN_TOKEN": "short", "WORKER_CONCURRENCY": "-1", "WEBHOOK_ALLOW_PRIVATE": "maybe",
		"SECRET_KEY": "too-short"} {
		env = map[string]string{k: v}
		if _, err := FromEnv(get); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v does not name the variable", k, v, err)
		}
	}
}

func TestWebhookSettings(t *testing.T) {
	c, err := FromEnv(func(k string) string {
		return map[string]string{"WEBHOOK_ALLOW_PRIVATE": "true", "SECRET_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}[k]
	})
	if err != nil || !c.WebhookAllowPrivate || len(c.SecretKey) != 32 || c.SecretKey[31] != 31 {
		t.Fatalf("%v %v %x", err, c.WebhookAllowPrivate, c.SecretKey)
	}
	if c, _ := FromEnv(func(string) string { return "" }); c.WebhookAllowPrivate || c.SecretKey != nil {
		t.Fatal("private targets or a key by default")
	}
}

// The workers' own defaults and the environment's are one set: an unset variable gives the value
// workers.Run would pick for a zero field, and the README shows that same value.
func TestWorkerDefaultsAreOneSet(t *testing.T) {
	c, err := FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrency != workers.DefaultConcurrency || c.ShutdownTimeout != workers.DefaultShutdownTimeout ||
		c.ReminderInterval != workers.DefaultReminderInterval || c.ReconcileInterval != workers.DefaultReconcileInterval ||
		c.ForwardInterval != workers.DefaultForwardInterval {
		t.Fatalf("environment defaults %+v differ from the workers' defaults", c)
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"| `WORKER_CONCURRENCY` | `20` |", "| `REMINDER_INTERVAL` | `1m` |", "| `RECONCILE_INTERVAL` | `5s` |",
		"| `FORWARD_INTERVAL` | `100ms` |", "| `SHUTDOWN_TIMEOUT` | `20s` |"} {
		if !strings.Contains(string(b), row) {
			t.Errorf("README.md lacks %s", row)
		}
	}
	// The mail channel's defaults: the reader's poll, the channel's reopen window and cap, the
	// parser's limits.
	if c.Mail.PollInterval != workers.DefaultMailPollInterval || c.Mail.ReopenWithin != inbound.DefaultReopenWithin ||
		c.Mail.AutoReplyCap != inbound.DefaultAutoReplyCap || c.Mail.MaxMessageBytes != mailmsg.DefaultLimits.MaxMessageBytes ||
		int64(c.Mail.MaxAttachmentBytes) != mailmsg.DefaultLimits.MaxAttachmentBytes {
		t.Fatalf("environment mail defaults %+v differ from the mail channel's", c.Mail)
	}
	for _, row := range []string{"| `MAIL_POLL_INTERVAL` | `30s` |", "| `MAIL_REOPEN_DAYS` | `14` |", "| `MAIL_MAX_BYTES` | `26214400` |",
		"| `MAIL_ATTACHMENT_MAX_BYTES` | `10485760` |", "| `MAIL_AUTO_REPLY_CAP` | `5` |"} {
		if !strings.Contains(string(b), row) {
			t.Errorf("README.md lacks %s", row)
		}
	}
	if shortDuration(workers.DefaultReminderInterval) != "1m" || shortDuration(2*time.Hour) != "2h" {
		t.Errorf("shortDuration: %s, %s", shortDuration(workers.DefaultReminderInterval), shortDuration(2*time.Hour))
	}
}

// MAIL_REOPEN_DAYS: unset is the mail channel's default; 0 is a setting of its own (never
// reopen), not "unset"; fractions are days; negative or not a number stops the start.
func TestMailReopenDays(t *testing.T) {
	for _, c := range []struct {
		value string
		want  time.Duration
	}{{"", inbound.DefaultReopenWithin}, {"0", 0}, {"1.5", 36 * time.Hour}, {" 7 ", 7 * 24 * time.Hour}} {
		cfg, err := FromEnv(func(k string) string { return map[string]string{"MAIL_REOPEN_DAYS": c.value}[k] })
		if err != nil || cfg.Mail.ReopenWithin != c.want {
			t.Errorf("MAIL_REOPEN_DAYS=%q: %v, %v; want %v", c.value, cfg.Mail.ReopenWithin, err, c.want)
		}
	}
	for _, bad := range []string{"-1", "x", "NaN", "1e9"} {
		_, err := FromEnv(func(k string) string { return map[string]string{"MAIL_REOPEN_DAYS": bad}[k] })
		if err == nil || !strings.Contains(err.Error(), "MAIL_REOPEN_DAYS") {
			t.Errorf("MAIL_REOPEN_DAYS=%q: error %v does not name the variable", bad, err)
		}
	}
}
