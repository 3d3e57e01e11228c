-- Cohorts, learning groups and buddy pairs of a programme, as the facilitator adopted them.
-- A learning group lies inside a cohort and a buddy pair inside a learning group (parent_id).
-- The bounds and mix the groups were formed with are kept per kind, so a late enrolment is
-- placed by the same rule without moving anyone else.
CREATE TABLE programme_grouping (
    programme_id UUID NOT NULL REFERENCES programme (id),
    -- cohort, learning, buddy
    kind TEXT NOT NULL,
    min_size INTEGER NOT NULL,
    max_size INTEGER NOT NULL,
    -- the mixed attributes, comma-separated (unit, role)
    mix TEXT NOT NULL DEFAULT '',
    adopted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (programme_id, kind)
);

CREATE TABLE programme_group (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programme (id),
    kind TEXT NOT NULL,
    parent_id UUID REFERENCES programme_group (id),
    -- 1, 2, … within the programme and kind
    number INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX programme_group_programme ON programme_group (programme_id, kind, number);

CREATE TABLE programme_group_member (
    group_id UUID NOT NULL REFERENCES programme_group (id),
    person_id UUID NOT NULL REFERENCES person (id),
    programme_id UUID NOT NULL REFERENCES programme (id),
    kind TEXT NOT NULL,
    -- kept in this group when the facilitator forms the groups again
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (group_id, person_id)
);
-- One group of each kind per person and programme.
CREATE UNIQUE INDEX programme_group_member_one ON programme_group_member (programme_id, kind, person_id);
CREATE INDEX programme_group_member_person ON programme_group_member (person_id);
