-- +goose Up
-- Mail comes in (issue 12). Tables owned by tickets/inbound.

-- A support mailbox: where the IMAP worker reads (imap_host empty: LMTP only), what it does with
-- a message after storing it, which product a mail is about, and the reader's state. secret is
-- sealed by internal/secretbox when SECRET_KEY is set. uid_validity/last_uid: the highest UID
-- stored under that UIDVALIDITY, so a restart neither reads twice nor misses a message.
CREATE TABLE mailboxes (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL,
    imap_host            text NOT NULL DEFAULT '',
    imap_port            integer NOT NULL DEFAULT 993,
    tls_mode             text NOT NULL DEFAULT 'tls' CHECK (tls_mode IN ('tls', 'starttls', 'none')),
    username             text NOT NULL DEFAULT '',
    secret               bytea NOT NULL DEFAULT '',
    folder               text NOT NULL DEFAULT 'INBOX',
    after_import         text NOT NULL DEFAULT 'seen' CHECK (after_import IN ('seen', 'move', 'delete')),
    move_to              text NOT NULL DEFAULT '',
    default_product      text NOT NULL,
    product_map          jsonb NOT NULL DEFAULT '{}',
    addresses            jsonb NOT NULL DEFAULT '[]',
    active               boolean NOT NULL DEFAULT true,
    uid_validity         bigint NOT NULL DEFAULT 0,
    last_uid             bigint NOT NULL DEFAULT 0,
    state                text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'ok', 'failing')),
    last_error           text NOT NULL DEFAULT '',
    last_success_at      timestamptz,
    failing_since        timestamptz,
    failures             integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX mailboxes_name_key ON mailboxes (lower(name));

-- Every message as it arrived, stored before anything else is done with it. dedup_key
-- (mailmsg.DedupKey) makes a second copy (two support addresses, a redelivery) one row.
-- state: stored (to process), processed, ignored (loops and noise), lead (unknown sender or
-- refused intake), rejected (too large), failed (could not be processed; staff reprocess).
CREATE TABLE inbound_messages (
    id            uuid PRIMARY KEY,
    mailbox_id    uuid REFERENCES mailboxes (id) ON DELETE SET NULL,
    source        text NOT NULL CHECK (source IN ('imap', 'lmtp', 'api')),
    dedup_key     text NOT NULL,
    envelope_from text NOT NULL DEFAULT '',
    recipients    jsonb NOT NULL DEFAULT '[]',
    raw           bytea NOT NULL,
    size          integer NOT NULL,
    state         text NOT NULL DEFAULT 'stored'
                  CHECK (state IN ('stored', 'processed', 'ignored', 'lead', 'rejected', 'failed')),
    outcome       text NOT NULL DEFAULT '',
    error         text NOT NULL DEFAULT '',
    message_id    text NOT NULL DEFAULT '',
    from_address  text NOT NULL DEFAULT '',
    subject       text NOT NULL DEFAULT '',
    incident_id   uuid REFERENCES incidents (id),
    attempts      integer NOT NULL DEFAULT 0,
    lease_until   timestamptz,
    received_at   timestamptz NOT NULL,
    processed_at  timestamptz
);
CREATE UNIQUE INDEX inbound_messages_dedup_key ON inbound_messages (dedup_key);
CREATE INDEX inbound_messages_state_idx ON inbound_messages (state, received_at);
CREATE INDEX inbound_messages_message_id_idx ON inbound_messages (message_id) WHERE message_id <> '';
CREATE INDEX inbound_messages_incident_idx ON inbound_messages (incident_id, from_address);

-- Files of an incident: attachments and inline images of its mails, and uploads through the API.
-- (inbound_message_id, ordinal) makes storing a message's files again a no-op.
CREATE TABLE incident_attachments (
    id                 uuid PRIMARY KEY,
    incident_id        uuid NOT NULL REFERENCES incidents (id),
    inbound_message_id uuid REFERENCES inbound_messages (id),
    ordinal            integer NOT NULL DEFAULT 0,
    filename           text NOT NULL DEFAULT '',
    content_type       text NOT NULL DEFAULT 'application/octet-stream',
    content_id         text NOT NULL DEFAULT '',
    inline             boolean NOT NULL DEFAULT false,
    size               bigint NOT NULL,
    data               bytea NOT NULL,
    uploaded_by        uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL
);
CREATE UNIQUE INDEX incident_attachments_message_key ON incident_attachments (inbound_message_id, ordinal)
    WHERE inbound_message_id IS NOT NULL;
CREATE INDEX incident_attachments_incident_idx ON incident_attachments (incident_id, created_at);

-- Addresses a bounce reported undeliverable: shown to staff, skipped by automatic mail.
CREATE TABLE mail_addresses (
    address          text PRIMARY KEY,
    undeliverable_at timestamptz NOT NULL,
    reason           text NOT NULL DEFAULT '',
    bounce_id        uuid REFERENCES inbound_messages (id) ON DELETE SET NULL
);

-- Each automatic mail sent in answer to an incoming one: one per message and kind (a second
-- processing run sends nothing again), counted per address and day for the cap.
CREATE TABLE mail_auto_replies (
    inbound_message_id uuid NOT NULL REFERENCES inbound_messages (id),
    kind               text NOT NULL,
    address            text NOT NULL,
    day                date NOT NULL,
    sent_at            timestamptz NOT NULL,
    PRIMARY KEY (inbound_message_id, kind)
);
CREATE INDEX mail_auto_replies_address_day_idx ON mail_auto_replies (address, day);

-- Leads from mail: a sender who is no customer user has no organisation or user to record.
ALTER TABLE intake_rejections ALTER COLUMN organization_id DROP NOT NULL;
ALTER TABLE intake_rejections ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE intake_rejections ADD COLUMN sender_email text NOT NULL DEFAULT '';
ALTER TABLE intake_rejections ADD COLUMN inbound_message_id uuid REFERENCES inbound_messages (id);

-- +goose Down
-- Leads without an organisation exist only because of this migration; they go with it.
DELETE FROM intake_rejections WHERE organization_id IS NULL OR user_id IS NULL;
ALTER TABLE intake_rejections DROP COLUMN inbound_message_id;
ALTER TABLE intake_rejections DROP COLUMN sender_email;
ALTER TABLE intake_rejections ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE intake_rejections ALTER COLUMN organization_id SET NOT NULL;
DROP TABLE mail_auto_replies;
DROP TABLE mail_addresses;
DROP TABLE incident_attachments;
DROP TABLE inbound_messages;
DROP TABLE mailboxes;
