-- Involvement: processes with their steps, the people taking part, what they write, the
-- statements they vote on, and their votes. Units are the organisation's (checked through
-- its functions, not foreign keys: modules do not reach into each other's tables).
CREATE TABLE process (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- clarification (design, collect, process, decide) or proposals (collect, decide)
    template TEXT NOT NULL,
    -- organisation (every employee), units (the chosen units with their subtrees), public
    scope TEXT NOT NULL,
    -- the step under way (a key of process_step), or none before the start and after the end
    active_step TEXT,
    -- whether an answer through a personal link keeps the unit and role of the invited
    keep_unit_role BOOLEAN NOT NULL DEFAULT FALSE,
    -- counters for the numbers of participants and statements (Pol.is ids), taken under
    -- this row's lock
    next_participant INTEGER NOT NULL DEFAULT 0,
    next_statement INTEGER NOT NULL DEFAULT 0,
    created_by UUID REFERENCES account (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ
);
CREATE INDEX process_list ON process (municipality_id, archived_at, updated_at);

-- The units a process with scope 'units' is for (each with its subtree).
CREATE TABLE process_unit (
    process_id UUID NOT NULL REFERENCES process (id),
    unit_id UUID NOT NULL,
    PRIMARY KEY (process_id, unit_id)
);

-- A step of a process and what people may do while it is the active one.
CREATE TABLE process_step (
    process_id UUID NOT NULL REFERENCES process (id),
    step_key TEXT NOT NULL,
    position INTEGER NOT NULL,
    starts_on DATE,
    ends_on DATE,
    allow_inputs BOOLEAN NOT NULL,
    allow_statements BOOLEAN NOT NULL,
    allow_votes BOOLEAN NOT NULL,
    show_results BOOLEAN NOT NULL,
    allow_anonymous BOOLEAN NOT NULL,
    PRIMARY KEY (process_id, step_key)
);

-- Someone taking part in a process, numbered as Pol.is numbers participants. An account
-- takes part as itself; a personal link as its pass (no identity); a workshop code or the
-- public link as a browser (a random key in a cookie; `browser_id` is made from its
-- SHA-256). Unit and role are kept for accounts, and for links only when the process says
-- so. A public participant may leave a name and an e-mail address.
CREATE TABLE process_participant (
    id UUID PRIMARY KEY,
    process_id UUID NOT NULL REFERENCES process (id),
    number INTEGER NOT NULL,
    -- account, link, workshop, public, import
    channel TEXT NOT NULL,
    account_id UUID REFERENCES account (id),
    pass_id UUID REFERENCES participant_pass (id),
    browser_id UUID,
    unit_id UUID,
    role TEXT,
    contact_name TEXT,
    contact_email TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (process_id, number),
    UNIQUE (process_id, account_id),
    UNIQUE (process_id, pass_id),
    UNIQUE (process_id, browser_id)
);

-- Free-text input.
CREATE TABLE process_input (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    process_id UUID NOT NULL REFERENCES process (id),
    participant_id UUID NOT NULL REFERENCES process_participant (id),
    text TEXT NOT NULL,
    core_task TEXT,
    category TEXT,
    -- set when a facilitator hid it, with the reason the author sees
    hidden_at TIMESTAMPTZ,
    hidden_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX process_input_process ON process_input (process_id, created_at);
CREATE INDEX process_input_participant ON process_input (participant_id);

-- A statement people vote on, numbered per process (Pol.is comment ids).
CREATE TABLE process_statement (
    id UUID PRIMARY KEY,
    process_id UUID NOT NULL REFERENCES process (id),
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    -- the participant who proposed it, or none for a facilitator's
    participant_id UUID REFERENCES process_participant (id),
    -- the input it was made from
    input_id UUID REFERENCES process_input (id),
    -- accepted (shown for voting), pending (proposed, waiting for moderation), rejected
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (process_id, number)
);

-- Every vote cast, oldest first by id (time-ordered); the latest of a participant on a
-- statement counts, the earlier ones are the history.
CREATE TABLE process_vote (
    id UUID PRIMARY KEY,
    process_id UUID NOT NULL REFERENCES process (id),
    participant_number INTEGER NOT NULL,
    statement_number INTEGER NOT NULL,
    -- agree 1, disagree -1, pass 0
    vote SMALLINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX process_vote_participant ON process_vote (process_id, participant_number, statement_number);
