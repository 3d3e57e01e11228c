-- The foundation: municipality, organisation, accounts, sessions, audit.
-- Portable SQL for SQLite and PostgreSQL: UUID keys generated in Rust, UTC timestamps
-- passed as parameters, BIGINT counts, no backend-specific defaults.

CREATE TABLE municipality (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- A unit of the line organisation. tree_left/tree_right/depth are a nested-set index of
-- the current tree, recomputed on every organisation change, so subtree and hierarchy-order
-- queries are plain range scans on both backends.
CREATE TABLE org_unit (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality(id),
    external_key TEXT NOT NULL,
    parent_id UUID REFERENCES org_unit(id),
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    unit_type TEXT NOT NULL DEFAULT '',
    valid_from DATE,
    valid_to DATE,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    depth BIGINT NOT NULL DEFAULT 0,
    tree_left BIGINT NOT NULL DEFAULT 0,
    tree_right BIGINT NOT NULL DEFAULT 0,
    -- Current engagements in the unit and every unit below it.
    headcount BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, external_key)
);
CREATE INDEX org_unit_parent ON org_unit (parent_id);
CREATE INDEX org_unit_tree ON org_unit (municipality_id, tree_left);

CREATE TABLE person (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality(id),
    external_key TEXT NOT NULL,
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, external_key)
);
CREATE INDEX person_name ON person (municipality_id, name_norm);

-- A person's employment in a unit. pay_type is 'hourly' or 'salaried'.
CREATE TABLE engagement (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality(id),
    external_key TEXT NOT NULL,
    person_id UUID NOT NULL REFERENCES person(id),
    unit_id UUID NOT NULL REFERENCES org_unit(id),
    job_title TEXT NOT NULL DEFAULT '',
    pay_type TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL DEFAULT TRUE,
    valid_from DATE,
    valid_to DATE,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, external_key)
);
CREATE INDEX engagement_unit ON engagement (unit_id);
CREATE INDEX engagement_person ON engagement (person_id);

-- A manager post in a unit; person_id NULL means the post is vacant.
CREATE TABLE manager_post (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality(id),
    external_key TEXT NOT NULL,
    unit_id UUID NOT NULL REFERENCES org_unit(id),
    person_id UUID REFERENCES person(id),
    title TEXT NOT NULL DEFAULT '',
    valid_from DATE,
    valid_to DATE,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, external_key)
);
CREATE INDEX manager_post_unit ON manager_post (unit_id);
CREATE INDEX manager_post_person ON manager_post (person_id);

-- The span-of-control report, materialised in the same transaction as every organisation
-- change, in hierarchy order (position).
CREATE TABLE span_of_control (
    municipality_id UUID NOT NULL REFERENCES municipality(id),
    position BIGINT NOT NULL,
    person_id UUID NOT NULL REFERENCES person(id),
    unit_id UUID NOT NULL REFERENCES org_unit(id),
    department_id UUID REFERENCES org_unit(id),
    leader_name TEXT NOT NULL,
    email TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    level BIGINT NOT NULL,
    direct_reports BIGINT NOT NULL,
    total_reports BIGINT NOT NULL,
    leader_reports BIGINT NOT NULL,
    hourly BIGINT NOT NULL,
    salaried BIGINT NOT NULL,
    tree_left BIGINT NOT NULL,
    PRIMARY KEY (municipality_id, position)
);

CREATE TABLE account (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality(id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    person_id UUID REFERENCES person(id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    session_version BIGINT NOT NULL DEFAULT 1,
    oidc_issuer TEXT,
    oidc_subject TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (username)
);

-- What an account may do: a role within a scope. scope_unit_id NULL means the whole
-- municipality. effect 'deny' overrides any 'allow' (deny wins).
CREATE TABLE role_grant (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES account(id),
    role TEXT NOT NULL,
    scope_unit_id UUID REFERENCES org_unit(id),
    effect TEXT NOT NULL DEFAULT 'allow',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX role_grant_account ON role_grant (account_id);

-- Sessions live in the database so several instances can serve one installation.
-- Only a SHA-256 of the cookie value is stored.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES account(id),
    csrf_token TEXT NOT NULL,
    session_version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_account ON session (account_id);

CREATE TABLE login_attempt (
    id UUID PRIMARY KEY,
    username_norm TEXT NOT NULL,
    ip TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempt_user ON login_attempt (username_norm, at);
CREATE INDEX login_attempt_ip ON login_attempt (ip, at);

-- Append-only: who did what, when, to which subject.
CREATE TABLE audit_event (
    id UUID PRIMARY KEY,
    municipality_id UUID REFERENCES municipality(id),
    at TIMESTAMPTZ NOT NULL,
    actor_account_id UUID,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL DEFAULT '',
    subject_id TEXT NOT NULL DEFAULT '',
    subject_label TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_at ON audit_event (at);
CREATE INDEX audit_event_subject ON audit_event (subject_kind, subject_id);
