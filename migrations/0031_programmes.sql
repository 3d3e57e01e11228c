-- Development programmes: a programme with its phases (the cascade: who takes part in
-- each), modules and activities; people enrolled in the programme and on each activity,
-- with a waiting list. An activity keeps how many are enrolled beside its capacity, so a
-- sign-up takes a place with one conditional update (no over-booking under concurrent
-- sign-ups on either backend). Its sequence counts changes for iCalendar (RFC 5545).
CREATE TABLE programme (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- the template it was made from (hedensted, rodovre, koege) or ''
    template TEXT NOT NULL DEFAULT '',
    -- active, archived
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX programme_state ON programme (municipality_id, state, created_at);

-- A step of the cascade: heads of department first, then all leaders, then all employees.
CREATE TABLE programme_phase (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programme (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- who takes part, in words
    audience TEXT NOT NULL DEFAULT ''
);
CREATE INDEX programme_phase_programme ON programme_phase (programme_id, position);

CREATE TABLE programme_module (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programme (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX programme_module_programme ON programme_module (programme_id, position);

CREATE TABLE activity (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programme (id),
    module_id UUID REFERENCES programme_module (id),
    phase_id UUID REFERENCES programme_phase (id),
    -- workshop, seminar, coaching, leader_group, residential, kick_off, after_work, course,
    -- e_learning, home_assignment
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    -- physical, virtual, hybrid
    mode TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    meeting_url TEXT NOT NULL DEFAULT '',
    -- NULL: no limit
    capacity INTEGER,
    enrolled_count INTEGER NOT NULL DEFAULT 0,
    facilitator TEXT NOT NULL DEFAULT '',
    agenda TEXT NOT NULL DEFAULT '',
    -- planned, cancelled
    state TEXT NOT NULL,
    -- RFC 5545 SEQUENCE: raised on every change a calendar must show
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX activity_programme ON activity (programme_id, starts_at);

-- A person in a programme: nominated by their leader, signed up themselves, or selected by
-- unit and role for a phase.
CREATE TABLE programme_enrolment (
    programme_id UUID NOT NULL REFERENCES programme (id),
    person_id UUID NOT NULL REFERENCES person (id),
    phase_id UUID REFERENCES programme_phase (id),
    -- nomination, self, selection
    via TEXT NOT NULL,
    -- enrolled, cancelled
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (programme_id, person_id)
);
CREATE INDEX programme_enrolment_person ON programme_enrolment (person_id);

-- A person on an activity: enrolled, on the waiting list (in the order they came), or
-- cancelled.
CREATE TABLE activity_enrolment (
    activity_id UUID NOT NULL REFERENCES activity (id),
    person_id UUID NOT NULL REFERENCES person (id),
    -- enrolled, waiting, cancelled
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX activity_enrolment_person ON activity_enrolment (person_id, status);
CREATE INDEX activity_enrolment_waiting ON activity_enrolment (activity_id, status, created_at);

-- A person's calendar feed: only the hash of the secret in its address is kept.
CREATE TABLE calendar_feed (
    person_id UUID PRIMARY KEY REFERENCES person (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
