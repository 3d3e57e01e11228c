-- Proposals made from a process's input and decided one by one (the decide step): each
-- keeps the inputs it came from, its current decision and every change as history. The
-- process and its inputs are involvement's: referred to by id, without a foreign key
-- across the module boundary.
CREATE TABLE proposal (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    process_id UUID NOT NULL,
    -- The proposal's number in its process (1, 2, …), as people refer to it.
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    -- new, under_consideration, accepted, partly_accepted, rejected, implemented
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    responsible_unit_id UUID,
    deadline DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (process_id, number)
);
CREATE INDEX proposal_process ON proposal (process_id, state);

CREATE TABLE proposal_input (
    proposal_id UUID NOT NULL REFERENCES proposal (id),
    input_id UUID NOT NULL,
    PRIMARY KEY (proposal_id, input_id)
);
CREATE INDEX proposal_input_input ON proposal_input (input_id);

-- The next proposal number of each process, taken in one statement (two proposals made at
-- once get different numbers on both backends).
CREATE TABLE proposal_counter (
    process_id UUID PRIMARY KEY,
    next_number INTEGER NOT NULL
);

-- Every decision on a proposal, oldest first: who, when, which state, why.
CREATE TABLE proposal_event (
    id UUID PRIMARY KEY,
    proposal_id UUID NOT NULL REFERENCES proposal (id),
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    responsible_unit_id UUID,
    deadline DATE,
    actor_account_id UUID,
    actor_name TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX proposal_event_proposal ON proposal_event (proposal_id, at);
