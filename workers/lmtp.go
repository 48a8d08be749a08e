package workers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets/inbound"
)

// LMTPServer is the hand-off for a mail server (Postfix's lmtp transport, Exim's lmtp
// transport): it accepts mail for the support addresses of the mailboxes and stores it before
// answering 250. When the message cannot be stored (PostgreSQL unavailable) it answers a
// temporary failure (451), so the mail server keeps the message and retries: nothing is lost.
type LMTPServer struct {
	srv *smtp.Server
}

// NewLMTPServer returns the listener's server for the mail channel; maxBytes bounds a message
// (a message somewhat over the channel's limit is still taken, so its sender can be told).
func NewLMTPServer(mail *inbound.Service, maxBytes int, log *slog.Logger) *LMTPServer {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &lmtpSession{mail: mail, log: log}, nil
	}))
	srv.LMTP = true
	srv.Domain = "supportd"
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = int64(maxBytes) + 1<<20
	srv.MaxRecipients = 100
	srv.EnableSMTPUTF8 = true
	return &LMTPServer{srv: srv}
}

// Serve accepts connections on ln until Close.
func (s *LMTPServer) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server.
func (s *LMTPServer) Close() error { return s.srv.Close() }

var errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "cannot store the message now; try again later"}

type lmtpSession struct {
	mail    *inbound.Service
	log     *slog.Logger
	from    string
	rcpts   []string
	mailbox *uuid.UUID
}

func (s *lmtpSession) Reset()        { s.from, s.rcpts, s.mailbox = "", nil, nil }
func (s *lmtpSession) Logout() error { return nil }

func (s *lmtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *lmtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mb, err := s.mail.MailboxForAddress(ctx, to)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no support mailbox has this address"}
	case err != nil:
		s.log.Error("lmtp: looking up the recipient", "rcpt", to, "error", err)
		return errTemporary
	}
	if s.mailbox == nil {
		s.mailbox = &mb.ID
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *lmtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, dup, err := s.mail.Receive(ctx, raw, inbound.Delivery{Source: "lmtp", MailboxID: s.mailbox, EnvelopeFrom: s.from, Recipients: s.rcpts})
	if err != nil {
		s.log.Error("lmtp: storing the message failed; the mail server will retry", "error", err)
		return errTemporary
	}
	s.log.Info("lmtp: message stored", "inbound_message_id", id, "duplicate", dup)
	return nil
}
