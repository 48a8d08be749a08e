package app

import (
	"fmt"
	"math"
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
	if m.ReopenWithin, err = reopenWithin(get("MAIL_REOPEN_DAYS")); err != nil {
		return m, err
	}
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

// maxReopenDays is the longest reopening window a time.Duration holds (about 292 years).
const maxReopenDays = float64(math.MaxInt64) / float64(24*time.Hour)

// reopenWithin reads MAIL_REOPEN_DAYS: a number of days, fractions allowed; 0 means a reply by
// mail never reopens a resolved incident but opens a new one linked to it. Unset, FromEnv hands
// over Vars' default, inbound.DefaultReopenWithin. Negative, not a number, or beyond what a
// duration holds is a configuration error, so a typo stops the start instead of quietly
// changing how replies are filed.
func reopenWithin(v string) (time.Duration, error) {
	days, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(days) || days < 0 || days >= maxReopenDays {
		return 0, fmt.Errorf("MAIL_REOPEN_DAYS: want a number of days, 0 or more (0: never reopen), got %q", v)
	}
	return time.Duration(days * float64(24*time.Hour)), nil
}
