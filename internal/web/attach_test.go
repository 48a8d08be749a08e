package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/internal/web"
	"github.com/supportd/supportd/tickets/inbound"
)

// upload is one file of a multipart form.
type upload struct{ name, contentType, data string }

// postFiles submits a multipart/form-data form as the page's form does: its fields, the files in
// the field "files", and the CSRF token of the page from (none when from is empty).
func (b *browser) postFiles(from, path string, fields map[string]string, files ...upload) page {
	b.s.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if from != "" {
		m := csrfRE.FindStringSubmatch(b.get(from).body)
		if m == nil {
			b.s.t.Fatalf("no CSRF token on %s", from)
		}
		_ = w.WriteField("csrf_token", m[1])
	}
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="files"; filename="`+f.name+`"`)
		h.Set("Content-Type", f.contentType)
		part, err := w.CreatePart(h)
		if err != nil {
			b.s.t.Fatal(err)
		}
		_, _ = part.Write([]byte(f.data))
	}
	_ = w.Close()
	req, err := http.NewRequest("POST", b.s.base+path, &buf)
	if err != nil {
		b.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept-Language", b.lang)
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(raw), url: res.Request.URL.Path, header: res.Header}
}

var fileLink = regexp.MustCompile(`href="(/incidents/[0-9a-f-]{36}/attachments/[0-9a-f-]{36})"[^>]*>([^<]+)</a>`)

// links maps each listed file's name to its download link.
func links(p page) map[string]string {
	out := map[string]string{}
	for _, m := range fileLink.FindAllStringSubmatch(p.body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// The new-incident form takes several files; they are stored through inbound.AddAttachment
// and listed on the customer's and the engineer's incident page (name, size, who), each
// downloadable under the session, byte for byte, as a download that is not sniffed.
func TestAttachOnNewIncidentListAndDownload(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.member)
	p := b.get("/incidents/new")
	has(t, p, `enctype="multipart/form-data"`, `type="file"`, `name="files"`, "multiple", "Attachments (optional)")
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
	r := b.postFiles("/incidents/new", "/incidents", map[string]string{"key": key, "product": "endpoint",
		"title": "Agent crashes at start", "description": "log attached", "severity": "3"},
		upload{"agent.log", "text/plain", "2026-12-01 crash at 0x00ff\n"}, upload{"画面.png", "image/png", "\x89PNG fake bytes"})
	if r.status != 200 || !strings.HasPrefix(r.url, "/incidents/") {
		t.Fatalf("open with files: %d at %s\n%.500s", r.status, r.url, r.body)
	}
	has(t, r, "Your incident was opened", "agent.log", "画面.png", "27 B", "Member")
	got := links(r)
	if len(got) != 2 {
		t.Fatalf("listed files: %v", got)
	}
	d := b.get(got["agent.log"])
	if d.status != 200 || d.body != "2026-12-01 crash at 0x00ff\n" {
		t.Fatalf("download: %d %q", d.status, d.body)
	}
	if cd := d.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "agent.log") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if d.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download is sniffable: %v", d.header)
	}
	if d := b.get(got["画面.png"]); d.body != "\x89PNG fake bytes" || !strings.Contains(d.header.Get("Content-Disposition"), "UTF-8''%E7%94%BB%E9%9D%A2.png") {
		t.Errorf("second file: %q %q", d.body, d.header.Get("Content-Disposition"))
	}

	// The engineer's page lists the same files, with a working download and an add form.
	eng := s.signedIn(s.engineer)
	sp := eng.get(strings.Split(got["agent.log"], "/attachments/")[0])
	has(t, sp, "agent.log", "画面.png", "Member", `action="`+strings.Split(got["agent.log"], "/attachments/")[0]+`/attachments"`)
	if d := eng.get(got["agent.log"]); d.status != 200 || d.body != "2026-12-01 crash at 0x00ff\n" {
		t.Fatalf("engineer download: %d %q", d.status, d.body)
	}
	b.lang = "ja"
	has(t, b.get(strings.Split(got["agent.log"], "/attachments/")[0]), "添付ファイル", "ファイルを追加")
}

// Another organisation's customer gets 404 on the download and on the upload (the API's
// visibility rule); an executive reads and downloads the files but gets no add form.
func TestAttachmentOtherOrganisation404(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Secret crash", "", 3)
	b := s.signedIn(s.member)
	r := b.postFiles("/incidents/"+inc.ID.String(), "/incidents/"+inc.ID.String()+"/attachments", nil, upload{"dump.txt", "text/plain", "secret dump"})
	if r.status != 200 || !strings.HasSuffix(r.url, inc.ID.String()) {
		t.Fatalf("add file: %d at %s\n%.500s", r.status, r.url, r.body)
	}
	has(t, r, "The file was added.", "dump.txt", "11 B")
	link := links(r)["dump.txt"]
	if link == "" {
		t.Fatalf("no link to dump.txt:\n%s", r.body)
	}
	out := s.signedIn(s.outsider)
	if d := out.get(link); d.status != 404 || strings.Contains(d.body, "secret dump") {
		t.Fatalf("another organisation's download: %d %q", d.status, d.body)
	}
	// With the outsider's own CSRF token (from a page they may see), the upload is 404 too.
	if r := out.postFiles("/incidents", "/incidents/"+inc.ID.String()+"/attachments", nil, upload{"x.txt", "text/plain", "x"}); r.status != 404 {
		t.Fatalf("another organisation's upload: %d", r.status)
	}
	ex := s.signedIn(s.exec)
	p := ex.get("/incidents/" + inc.ID.String())
	has(t, p, "dump.txt")
	lacks(t, p, `action="/incidents/`+inc.ID.String()+`/attachments"`)
	if d := ex.get(link); d.status != 200 || d.body != "secret dump" {
		t.Fatalf("executive download: %d %q", d.status, d.body)
	}
}

// An upload without the CSRF token is refused and stores nothing, on the incident page and on
// the new-incident form.
func TestAttachmentCSRFRequired(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "CSRF check", "", 3)
	b := s.signedIn(s.member)
	r := b.postFiles("", "/incidents/"+inc.ID.String()+"/attachments", nil, upload{"forged.txt", "text/plain", "forged"})
	if r.status != 403 {
		t.Fatalf("upload without CSRF: %d", r.status)
	}
	has(t, r, "This form has expired")
	lacks(t, b.get("/incidents/"+inc.ID.String()), "forged.txt")
	r = b.postFiles("", "/incidents", map[string]string{"product": "endpoint", "title": "Forged incident", "severity": "3"},
		upload{"forged.txt", "text/plain", "forged"})
	if r.status != 403 {
		t.Fatalf("new incident without CSRF: %d", r.status)
	}
	lacks(t, b.get("/incidents"), "Forged incident")
}

// A file over the size limit, or an empty one, is refused with a sentence in the user's
// language; on the new-incident form the incident still opens and says a file was not attached.
func TestAttachmentRefusedPolitely(t *testing.T) {
	s := newSite(t, func(d *web.Deps) {
		d.Files = inbound.New(inbound.Deps{Store: inbound.NewStore(testenv.DB(t)), Incidents: d.Incidents, Users: d.Accounts, Clock: d.Clock, Log: d.Log},
			inbound.Config{Limits: mailmsg.Limits{MaxAttachmentBytes: 64}})
	})
	inc := s.open(s.member, "Size limits", "", 3)
	path := "/incidents/" + inc.ID.String()
	b := s.signedIn(s.member)
	r := b.postFiles(path, path+"/attachments", nil, upload{"big.bin", "application/octet-stream", strings.Repeat("x", 65)})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", r.status)
	}
	has(t, r, "This file is larger than the server accepts", "at most 64 bytes", "Size limits")
	lacks(t, r, "big.bin")
	b.lang = "ja"
	has(t, b.postFiles(path, path+"/attachments", nil, upload{"big.bin", "application/octet-stream", strings.Repeat("x", 65)}),
		"ファイルがサーバーの受け付けるサイズを超えています")
	b.lang = "en"
	if r := b.postFiles(path, path+"/attachments", nil, upload{"empty.txt", "text/plain", ""}); r.status != 422 {
		t.Fatalf("empty file: %d", r.status)
	}
	if r := b.postFiles(path, path+"/attachments", nil); r.status != 422 || !strings.Contains(r.body, "Choose a file first.") {
		t.Fatalf("no file: %d", r.status)
	}
	p := b.get("/incidents/new")
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
	r = b.postFiles("/incidents/new", "/incidents", map[string]string{"key": key, "product": "endpoint", "title": "Opened despite a big file",
		"severity": "3"}, upload{"ok.txt", "text/plain", "small"}, upload{"big.bin", "application/octet-stream", strings.Repeat("x", 65)})
	if r.status != 200 || !strings.HasPrefix(r.url, "/incidents/") {
		t.Fatalf("open with a big file: %d at %s", r.status, r.url)
	}
	has(t, r, "Opened despite a big file", "a file was not attached", "ok.txt")
	lacks(t, r, "big.bin")
}

// Staff who work incidents add files on the staff incident page.
func TestAttachmentStaffAdds(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Needs a patch", "", 3)
	path := "/incidents/" + inc.ID.String()
	eng := s.signedIn(s.engineer)
	r := eng.postFiles(path, path+"/attachments", nil, upload{"hotfix.zip", "application/zip", "PK fake zip"})
	if r.status != 200 {
		t.Fatalf("engineer upload: %d\n%.500s", r.status, r.body)
	}
	has(t, r, "The file was added.", "hotfix.zip", "Engineer")
	cust := s.signedIn(s.member)
	p := cust.get(path)
	has(t, p, "hotfix.zip", "Engineer")
	if d := cust.get(links(p)["hotfix.zip"]); d.status != 200 || d.body != "PK fake zip" {
		t.Fatalf("customer download of the engineer's file: %d %q", d.status, d.body)
	}
}

// A form whose body is over the server's body limit (1 MiB here) is answered by the API's body
// guard before any page runs; a browser still gets a page in its language saying what to do,
// while the API keeps its JSON error.
func TestAttachmentOverBodyLimitPage(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Huge dump", "", 3)
	path := "/incidents/" + inc.ID.String()
	b := s.signedIn(s.member)
	big := upload{"core.dump", "application/octet-stream", strings.Repeat("x", 1<<20+1)}
	r := b.postFiles(path, path+"/attachments", nil, big)
	if r.status != http.StatusRequestEntityTooLarge || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("over the body limit: %d %s\n%.300s", r.status, r.header.Get("Content-Type"), r.body)
	}
	has(t, r, `<html lang="en">`, "What you sent is larger than the server accepts", `href="/"`)
	b.lang = "ja"
	has(t, b.postFiles(path, path+"/attachments", nil, big), `<html lang="ja">`, "送信された内容がサーバーの受け付けるサイズを超えています")
	b.lang = "en"
	lacks(t, b.get(path), "core.dump")

	req, _ := http.NewRequest("POST", s.base+"/v1/incidents/"+inc.ID.String()+"/attachments", strings.NewReader(strings.Repeat("x", 1<<20+1)))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(body), `"body_too_large"`) {
		t.Fatalf("API over the body limit: %d %s", res.StatusCode, body)
	}
}
