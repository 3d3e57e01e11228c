-- The rule register ("forklar eller fjern"): the municipality's own rules and the national
-- ones it must follow, what each costs in hours a year, whom it burdens, and what it is
-- worth for the core task. Anyone may flag a rule; review rounds reverse the burden of
-- proof: a local rule without an accepted justification by the deadline is marked for
-- removal. Every keep/simplify/remove decision is kept with the hours it frees.
CREATE TABLE rule (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    -- local or national
    origin TEXT NOT NULL,
    -- the law or decision it comes from (required for a national rule)
    reference TEXT NOT NULL DEFAULT '',
    owner_unit_id UUID REFERENCES org_unit (id),
    -- comma-separated role keys it burdens (leader, employee, …)
    burdens_roles TEXT NOT NULL DEFAULT '',
    hours_per_year BIGINT NOT NULL DEFAULT 0,
    value_statement TEXT NOT NULL DEFAULT '',
    -- active, simplified, marked_for_removal, removed
    status TEXT NOT NULL,
    hours_freed BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, number)
);
CREATE INDEX rule_status ON rule (municipality_id, status, number);

-- The units a rule burdens.
CREATE TABLE rule_unit (
    rule_id UUID NOT NULL REFERENCES rule (id),
    unit_id UUID NOT NULL REFERENCES org_unit (id),
    PRIMARY KEY (rule_id, unit_id)
);

CREATE TABLE rule_counter (
    municipality_id UUID PRIMARY KEY REFERENCES municipality (id),
    next_number INTEGER NOT NULL
);

-- "This rule costs us time, because …": an input to the next review.
CREATE TABLE rule_flag (
    id UUID PRIMARY KEY,
    rule_id UUID NOT NULL REFERENCES rule (id),
    account_id UUID REFERENCES account (id),
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rule_flag_rule ON rule_flag (rule_id, created_at);

CREATE TABLE rule_review (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    title TEXT NOT NULL,
    -- the last day a justification is accepted (Europe/Copenhagen)
    deadline DATE NOT NULL,
    -- open, closed
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ
);

-- A rule in a review: its owner's justification and whether it was accepted.
CREATE TABLE rule_review_item (
    review_id UUID NOT NULL REFERENCES rule_review (id),
    rule_id UUID NOT NULL REFERENCES rule (id),
    justification TEXT NOT NULL DEFAULT '',
    justified_by TEXT NOT NULL DEFAULT '',
    justified_at TIMESTAMPTZ,
    -- null: not assessed; true/false: accepted or not
    accepted BOOLEAN,
    marked_for_removal BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (review_id, rule_id)
);
CREATE INDEX rule_review_item_rule ON rule_review_item (rule_id);

CREATE TABLE rule_decision (
    id UUID PRIMARY KEY,
    rule_id UUID NOT NULL REFERENCES rule (id),
    review_id UUID REFERENCES rule_review (id),
    -- keep, simplify, remove
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    hours_freed BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rule_decision_rule ON rule_decision (rule_id, at);
