// Package escalation decides who is told what when an incident escalates, and delivers it:
// the escalation ladder and its recipients, and notifications through an outbox (in-app inbox,
// e-mail over SMTP, signed webhooks), each delivered at least once and recorded once.
package escalation
