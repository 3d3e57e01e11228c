-- The last decision document made of a process (PDF and XLSX), with the fingerprint of the
-- data it was made from: a download serves it while the data is unchanged.
CREATE TABLE decision_document (
    process_id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    basis TEXT NOT NULL,
    pdf BYTEA NOT NULL,
    xlsx BYTEA NOT NULL,
    made_at TIMESTAMPTZ NOT NULL
);
