// Package mailtest gives tests real mail servers, never mocks: a private Dovecot (IMAP, and
// LMTP where Dovecot's LMTP service is installed) that tests fill by IMAP APPEND or LMTP delivery
// and read back over IMAP, and an SMTP listener that records what the code under test sends.
//
// Tests that need Dovecot are skipped when it is not installed, except under CI=true, where
// its absence fails them: CI must prove the mail paths, not skip them (`make deps` installs
// dovecot-imapd and dovecot-lmtpd).
package mailtest
