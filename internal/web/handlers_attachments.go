package web

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	paging "github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets/inbound"
)

func init() {
	flashes["attached"] = true
	flashes["opened_files_refused"] = true
	known["attachment_too_large"], known["not_in_group"] = true, true
}

// fileField is the form field of the file inputs (several files per submit).
const fileField = "files"

// attachmentItem is one file as the incident pages list it.
type attachmentItem struct {
	inbound.Attachment
	Size     string // human-readable
	Who      string // uploader's name; empty for a file that came by e-mail
	FromMail bool
}

// attachmentsOf lists the incident's files (the first paging.MaxLimit, in upload order) through
// the same inbound.Attachments as GET /v1/incidents/{id}/attachments, so the same audience rule
// applies; nil when the pages have no file service.
func (s *Server) attachmentsOf(c *fiber.Ctx, u accounts.User, id uuid.UUID) ([]attachmentItem, error) {
	if s.deps.Files == nil {
		return nil, nil
	}
	list, _, err := s.deps.Files.Attachments(c.UserContext(), u, id, paging.Request{Limit: paging.MaxLimit})
	if err != nil {
		return nil, err
	}
	names := map[uuid.UUID]string{}
	out := make([]attachmentItem, len(list))
	for i, a := range list {
		out[i] = attachmentItem{Attachment: a, Size: humanSize(a.Size), FromMail: a.InboundMessageID != nil}
		if a.UploadedBy != nil {
			if _, ok := names[*a.UploadedBy]; !ok {
				if who, err := s.deps.Accounts.FindUserByID(c.UserContext(), *a.UploadedBy); err == nil {
					names[*a.UploadedBy] = who.Name
				}
			}
			out[i].Who = names[*a.UploadedBy]
		}
	}
	return out, nil
}

// humanSize shows a byte count the way file managers do (1 KB = 1024 bytes).
func humanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// downloadAttachment sends one file under the session, through inbound.AttachmentData (another
// organisation's incident: 404). Like the API it is always a download, never rendered in our
// origin, and not sniffed.
func (s *Server) downloadAttachment(c *fiber.Ctx) error {
	if s.deps.Files == nil {
		return apperr.NotFoundf("attachment not found")
	}
	id, err1 := uuid.Parse(c.Params("id"))
	aid, err2 := uuid.Parse(c.Params("aid"))
	if err1 != nil || err2 != nil {
		return apperr.NotFoundf("attachment not found")
	}
	a, err := s.deps.Files.AttachmentData(c.UserContext(), *reqOf(c).user, id, aid)
	if err != nil {
		return err
	}
	name := a.Filename
	if name == "" {
		name = "attachment"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name})+
		"; filename*=UTF-8''"+url.PathEscape(name))
	return c.Send(a.Data)
}

// addAttachments stores the files of the "add file" form (customers who may act, staff who
// work incidents); a refusal (too large, empty, not allowed) re-renders the incident page with
// the reason.
func (s *Server) addAttachments(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil || s.deps.Files == nil {
		return apperr.NotFoundf("incident not found")
	}
	files := formFiles(c)
	if len(files) == 0 {
		return s.showIncident(c, fiber.StatusUnprocessableEntity, "error.no_file", "", "")
	}
	for _, fh := range files {
		if err := s.storeFile(c, *reqOf(c).user, id, fh); err != nil {
			status, ok := fileRefusal(err)
			if !ok {
				return err
			}
			key, detail := errorKey(err)
			return s.showIncident(c, status, key, detail, "")
		}
	}
	return c.Redirect("/incidents/"+id.String()+"?done=attached#attachments", fiber.StatusSeeOther)
}

// fileRefusal is the status a page shows for a refused file, and whether err is one.
func fileRefusal(err error) (int, bool) {
	switch apperr.KindOf(err) {
	case apperr.TooLarge:
		return fiber.StatusRequestEntityTooLarge, true
	case apperr.Invalid:
		return fiber.StatusUnprocessableEntity, true
	case apperr.Forbidden:
		return fiber.StatusForbidden, true
	}
	return 0, false
}

// formFiles are the non-empty file inputs of a multipart form (a browser sends an empty part
// for a file input left blank).
func formFiles(c *fiber.Ctx) []*multipart.FileHeader {
	form, err := c.MultipartForm()
	if err != nil {
		return nil
	}
	var out []*multipart.FileHeader
	for _, fh := range form.File[fileField] {
		if fh.Filename != "" || fh.Size > 0 {
			out = append(out, fh)
		}
	}
	return out
}

// storeFile hands one uploaded file to the same domain call as POST /v1/incidents/{id}/attachments.
func (s *Server) storeFile(c *fiber.Ctx, u accounts.User, id uuid.UUID, fh *multipart.FileHeader) error {
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	_, err = s.deps.Files.AddAttachment(c.UserContext(), u, id, fh.Filename, fh.Header.Get(fiber.HeaderContentType), data)
	return err
}

// TooLargePage is the page a browser gets when a form's body is over the server's body limit,
// which the API's guard answers before any page runs (api.Deps.TooLargePage): in the browser's
// language, saying what to do, with the way back. Nil when it cannot be rendered (JSON then).
func (s *Server) TooLargePage(c *fiber.Ctx) []byte {
	p := page{Lang: s.language(c, nil), Zone: s.deps.Zone, Title: "error.title", Error: "error.body_too_large"}
	b, err := s.views.render(p.Lang, "error", "layout", p)
	if err != nil {
		s.deps.Log.Error("too-large page failed", "err", err)
		return nil
	}
	return b
}
