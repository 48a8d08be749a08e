// Package inbound is the e-mail channel of incidents: the support mailboxes (IMAP settings,
// after-import action, product mapping, the reader's state), every message as it arrived, the
// processing that turns a message into a new incident, a reply, a renewal lead or nothing (loops
// and noise), the automatic answers it may send, the addresses a bounce marked undeliverable,
// and the files attached to incidents.
//
// It is a package of its own, beside tickets rather than inside it, because it owns its tables
// (mailboxes, inbound_messages, incident_attachments, mail_addresses, mail_auto_replies) and its
// dependencies (mailmsg, secretbox, an SMTP sender) that incidents do not need; it asks tickets
// and accounts for what it needs through the small interfaces in deps.go, and tickets knows
// nothing of it. The IMAP and LMTP loops and the asynq task live in workers; they call Receive
// (store first) and Process (then process), which is safe to run twice.
package inbound
