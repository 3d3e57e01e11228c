-- E-mail waiting to be sent, written in the same transaction as what it tells of. The
-- body may carry a personal link (a participant's secret): it is emptied once the message
-- is sent or given up, so no row ties an address to an anonymous answer afterwards.
CREATE TABLE mail_outbox (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- What sent it, e.g. "process:<id>", so its sender can see how delivery goes.
    batch TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When a sender may take it next; a sender's claim moves this ahead, so a killed
    -- sender's message is taken again when its claim has passed.
    next_attempt_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_batch ON mail_outbox (batch);

-- A personal link handed to a member of an invited unit may carry the unit and role it
-- was sent to; only when the process keeps them (never the person).
ALTER TABLE participant_pass ADD COLUMN unit_id UUID;
ALTER TABLE participant_pass ADD COLUMN role TEXT;
