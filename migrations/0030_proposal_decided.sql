-- Whether a proposal is decided, kept beside its state so the board's "not decided" list
-- reads one index range in number order instead of merging two states and sorting them.
ALTER TABLE proposal ADD COLUMN decided BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE proposal SET decided = TRUE WHERE state IN ('accepted', 'partly_accepted', 'rejected', 'implemented');
CREATE INDEX proposal_decided_number ON proposal (process_id, decided, number);
