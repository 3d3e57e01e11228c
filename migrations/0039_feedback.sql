-- Feedback and measurement: the municipality's instrument library (each definition kept by
-- version, answers keep theirs), series per subject with session numbers, survey rounds sent
-- to units with personal links, and the running totals per round, unit and item that the
-- aggregates read. Answers in a round carry no person and no time finer than the day.
CREATE TABLE instrument (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    licence TEXT NOT NULL,
    min_answers INTEGER NOT NULL,
    min_text_answers INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, key)
);

CREATE TABLE instrument_version (
    instrument_id UUID NOT NULL REFERENCES instrument (id),
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instrument_id, version)
);

CREATE TABLE feedback_series (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    instrument_id UUID NOT NULL REFERENCES instrument (id),
    subject_kind TEXT NOT NULL,
    subject_ref TEXT NOT NULL,
    unit_id UUID,
    owner_account_id UUID,
    age INTEGER,
    label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_series_subject ON feedback_series (municipality_id, subject_kind, subject_ref);
CREATE INDEX feedback_series_instrument ON feedback_series (instrument_id);

CREATE TABLE feedback_round (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    instrument_id UUID NOT NULL REFERENCES instrument (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    opens DATE NOT NULL,
    closes DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_round_instrument ON feedback_round (instrument_id, opens);

-- A personal link to a round: whom to remind, never which answer is theirs.
CREATE TABLE feedback_round_link (
    token_hash TEXT PRIMARY KEY,
    round_id UUID NOT NULL REFERENCES feedback_round (id),
    unit_id UUID NOT NULL,
    person_id UUID NOT NULL,
    answered BOOLEAN NOT NULL
);
CREATE INDEX feedback_round_link_round ON feedback_round_link (round_id, answered);

CREATE TABLE feedback_response (
    id UUID PRIMARY KEY,
    instrument_id UUID NOT NULL REFERENCES instrument (id),
    version INTEGER NOT NULL,
    series_id UUID REFERENCES feedback_series (id),
    round_id UUID REFERENCES feedback_round (id),
    unit_id UUID,
    session INTEGER,
    rater TEXT NOT NULL,
    answers TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    answered_on DATE NOT NULL
);
CREATE INDEX feedback_response_series ON feedback_response (series_id, session);
CREATE INDEX feedback_response_round ON feedback_response (round_id, unit_id);

-- Running totals of a round per unit (the unit's own people) and item ('' is the score).
CREATE TABLE feedback_total (
    round_id UUID NOT NULL REFERENCES feedback_round (id),
    unit_id UUID NOT NULL,
    item TEXT NOT NULL,
    n INTEGER NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    squares DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (round_id, item, unit_id)
);
