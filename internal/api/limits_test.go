package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve runs an API with no domain behind it on a real TCP port: enough for what is decided
// before any handler runs (body limit, methods, headers).
func serve(t *testing.T, bodyLimit int) string {
	t.Helper()
	d := bareDeps()
	d.BodyLimit = bodyLimit
	s := New(d)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Listener(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	return "http://" + ln.Addr().String()
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error envelope: %q", body)
	}
	return e.Error.Code
}

// TestOversizeBodyGetsReadable413: an 8 MB intake over a 1 MiB limit, sent again and again over
// fresh TCP connections, always gets a 413 the client reads — never a reset while it is still
// sending.
func TestOversizeBodyGetsReadable413(t *testing.T) {
	base := serve(t, 1<<20)
	body := bytes.Repeat([]byte("x"), 8<<20)
	body[0] = '{'
	for i := 0; i < 8; i++ {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
		res, err := client.Post(base+"/v1/incidents", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("attempt %d: %v (the client could not read an answer)", i, err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 || errorCode(t, raw) != "body_too_large" {
			t.Fatalf("attempt %d: %d %s", i, res.StatusCode, raw)
		}
	}
	// A client that writes the whole body before it reads, as a simple one does.
	for i := 0; i < 4; i++ {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		if _, err := conn.Write(body); err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
		raw, _ := io.ReadAll(res.Body)
		conn.Close()
		if res.StatusCode != 413 || errorCode(t, raw) != "body_too_large" {
			t.Fatalf("writer %d: %d %s", i, res.StatusCode, raw)
		}
	}
	// A chunked body has no announced length: it is drained, then answered.
	for i := 0; i < 3; i++ {
		res, err := http.Post(base+"/v1/incidents", "application/json", io.MultiReader(bytes.NewReader(body))) // unknown length: chunked
		if err != nil {
			t.Fatalf("chunked %d: %v", i, err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 || errorCode(t, raw) != "body_too_large" {
			t.Fatalf("chunked %d: %d %s", i, res.StatusCode, raw)
		}
	}
	// A keep-alive connection carries on after a body within the limit that no handler reads.
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("GET", base+"/healthz", strings.NewReader(`{"unread": true}`))
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 422 || errorCode(t, raw) != "unknown_field" {
			t.Fatalf("GET with a body: %d %s", res.StatusCode, raw)
		}
	}
}

// TestWrongMethodIs405WithAllow: a route that exists with another method.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	base := serve(t, 1<<20)
	for path, allow := range map[string]string{"/healthz": "GET, HEAD", "/v1/incidents/0190a4b8-0000-7000-8000-000000000000": "GET, HEAD, PATCH"} {
		req, _ := http.NewRequest("PUT", base+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 405 || errorCode(t, raw) != "method_not_allowed" || res.Header.Get("Allow") != allow {
			t.Fatalf("PUT %s: %d Allow=%q %s", path, res.StatusCode, res.Header.Get("Allow"), raw)
		}
	}
}

// TestOversizeHeadersAre431.
func TestOversizeHeadersAre431(t *testing.T) {
	base := serve(t, 1<<20)
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("h", maxHeaderBytes+1))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 431 || errorCode(t, raw) != "headers_too_large" {
		t.Fatalf("%d %s", res.StatusCode, raw)
	}
}
