package app

import (
	"fmt"
	"strconv"
	"time"
)

// MailConfig is the e-mail channel's part of the configuration.
type MailConfig struct {
	Domain             string
	LMTPAddr           string
	PollInterval       time.Duration
	ReopenWithin       time.Duration
	MaxMessageBytes    int
	MaxAttachmentBytes int
	AutoReplyCap       int
}

func mailFromEnv(get func(string) string) (MailConfig, error) {
	m := MailConfig{Domain: get("MAIL_DOMAIN"), LMTPAddr: get("LMTP_ADDR")}
	var err error
	if m.PollInterval, err = time.ParseDuration(get("MAIL_POLL_INTERVAL")); err != nil || m.PollInterval <= 0 {
		return m, fmt.Errorf("MAIL_POLL_INTERVAL: want a positive duration like 30s, got %q", get("MAIL_POLL_INTERVAL"))
	}
	days, err := strconv.ParseFloat(get("MAIL_REOPEN_DAYS"), 64)
	if err != nil || days < 0 {
		return m, fmt.Errorf("MAIL_REOPEN_DAYS: want a number of days, got %q", get("MAIL_REOPEN_DAYS"))
	}
	m.ReopenWithin = time.Duration(days * float64(24*time.Hour))
	for _, i := range []struct {
		name string
		dst  *int
	}{{"MAIL_MAX_BYTES", &m.MaxMessageBytes}, {"MAIL_ATTACHMENT_MAX_BYTES", &m.MaxAttachmentBytes}, {"MAIL_AUTO_REPLY_CAP", &m.AutoReplyCap}} {
		if *i.dst, err = strconv.Atoi(get(i.name)); err != nil || *i.dst <= 0 {
			return m, fmt.Errorf("%s: want a positive integer, got %q", i.name, get(i.name))
		}
	}
	return m, nil
}
