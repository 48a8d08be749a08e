package api

// The e-mail channel's shapes, added to schemas.
func init() {
	boolean := map[string]any{"type": "boolean"}
	intg := map[string]any{"type": "integer"}
	strMap := map[string]any{"type": "object", "additionalProperties": str()}
	for name, s := range map[string]any{
		"MailboxInput": obj(nil, map[string]any{"name": str(), "imap_host": str(), "imap_port": integer(1, 65535),
			"tls_mode": enum("tls", "starttls", "none"), "username": str(), "secret": str(), "folder": str(),
			"after_import": enum("seen", "move", "delete"), "move_to": str(), "default_product": str(),
			"product_map": strMap, "addresses": arr(str()), "active": boolean}),
		"Mailbox": obj(nil, map[string]any{"id": strf("uuid"), "name": str(), "imap_host": str(), "imap_port": intg,
			"tls_mode": str(), "username": str(), "has_secret": boolean, "folder": str(), "after_import": str(), "move_to": str(),
			"default_product": str(), "product_map": strMap, "addresses": arr(str()), "active": boolean,
			"state": enum("new", "ok", "failing"), "last_error": str(), "last_success_at": nullable(strf("date-time")),
			"failing_since": nullable(strf("date-time")), "consecutive_failures": intg, "uid_validity": intg, "last_uid": intg,
			"created_at": strf("date-time"), "updated_at": strf("date-time")}),
		"Mailboxes": obj([]string{"items"}, map[string]any{"items": arr(ref("Mailbox"))}),
		"InboundMessage": obj(nil, map[string]any{"id": strf("uuid"), "mailbox_id": nullable(strf("uuid")), "source": enum("imap", "lmtp", "api"),
			"state": enum("stored", "processed", "ignored", "lead", "rejected", "failed"), "outcome": str(), "error": str(),
			"message_id": str(), "from": str(), "subject": str(), "size": intg, "incident_id": nullable(strf("uuid")),
			"attempts": intg, "received_at": strf("date-time"), "processed_at": nullable(strf("date-time")),
			"envelope_from": str(), "recipients": arr(str())}),
		"InboundMessages": obj([]string{"items"}, map[string]any{"items": arr(ref("InboundMessage"))}),
		"Undeliverable": obj([]string{"items"}, map[string]any{"items": arr(obj(nil, map[string]any{"address": str(),
			"undeliverable_at": strf("date-time"), "reason": str(), "bounce_message_id": nullable(strf("uuid"))}))}),
		"Attachment": obj(nil, map[string]any{"id": strf("uuid"), "incident_id": strf("uuid"), "filename": str(), "content_type": str(),
			"content_id": str(), "inline": boolean, "size": intg, "from_mail": boolean, "uploaded_by": nullable(strf("uuid")),
			"created_at": strf("date-time")}),
		"Attachments": obj([]string{"items"}, map[string]any{"items": arr(ref("Attachment"))}),
	} {
		schemas[name] = s
	}
}
