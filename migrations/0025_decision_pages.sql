-- Proposals keep where they came from besides their inputs: the theme (its label when the
-- proposal was made; themes are recomputed, the words stay) or the statement (its number
-- in the process). A decision may name the person responsible besides the unit.
ALTER TABLE proposal ADD COLUMN theme TEXT NOT NULL DEFAULT '';
ALTER TABLE proposal ADD COLUMN statement_number INTEGER;
ALTER TABLE proposal ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
ALTER TABLE proposal_event ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
-- The decision as it was when the process's decisions were last published: what
-- participants see (a later decision shows when it is published too).
ALTER TABLE proposal ADD COLUMN published_state TEXT;
ALTER TABLE proposal ADD COLUMN published_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX proposal_process_number ON proposal (process_id, number);

-- When a process's decisions were published: from then on every participant sees what
-- became of their input ("I sagde — vi gjorde"). Publishing again shows later decisions.
CREATE TABLE decision_publication (
    process_id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    published_at TIMESTAMPTZ NOT NULL,
    actor_name TEXT NOT NULL
);
