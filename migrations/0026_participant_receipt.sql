-- A receipt a public participant (no account, no personal link) gets when giving input:
-- a secret link back to their own inputs, to see later what became of them. Only the
-- secret's hash is kept; it identifies the browser's participant row, never a person.
CREATE TABLE participant_receipt (
    secret_hash TEXT PRIMARY KEY,
    process_id UUID NOT NULL REFERENCES process (id),
    participant_id UUID NOT NULL REFERENCES process_participant (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX participant_receipt_participant ON participant_receipt (participant_id);
