-- A workshop or kiosk code for a round: everyone present answers with the same code, as
-- many times as there are participants, and the answers count for the unit the code was
-- made for. Only the code's hash is kept (like a personal link), and no answer says which
-- code it came through.
CREATE TABLE feedback_round_code (
    code_hash TEXT PRIMARY KEY,
    round_id UUID NOT NULL REFERENCES feedback_round (id),
    unit_id UUID NOT NULL,
    uses INTEGER NOT NULL,
    used INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_round_code_round ON feedback_round_code (round_id);
