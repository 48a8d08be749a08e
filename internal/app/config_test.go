package app

import (
	"os"
	"strings"
	"testing"
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
