-- Action learning: a development project per participant (or per learning group) with the
-- challenge, the core task and the change for the citizen it serves, and the goal; trial
-- actions in cycles of plan, act, observe and reflect; the buddy's structured feedback on
-- each trial action; and the learning group's notes.
CREATE TABLE development_project (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programme (id),
    -- a participant's own project, or a learning group's
    owner_person_id UUID REFERENCES person (id),
    group_id UUID REFERENCES programme_group (id),
    title TEXT NOT NULL,
    challenge TEXT NOT NULL DEFAULT '',
    core_task TEXT NOT NULL DEFAULT '',
    citizen_change TEXT NOT NULL DEFAULT '',
    goal TEXT NOT NULL DEFAULT '',
    -- active, finished
    state TEXT NOT NULL,
    -- the owner lets their leader read the content, not only the status
    shared_with_leader BOOLEAN NOT NULL DEFAULT FALSE,
    -- the draft story made from the finished project
    story_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX development_project_programme ON development_project (programme_id, created_at);
CREATE INDEX development_project_owner ON development_project (owner_person_id);

CREATE TABLE trial_action (
    id UUID PRIMARY KEY,
    project_id UUID NOT NULL REFERENCES development_project (id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    plan TEXT NOT NULL DEFAULT '',
    act TEXT NOT NULL DEFAULT '',
    observe TEXT NOT NULL DEFAULT '',
    reflect TEXT NOT NULL DEFAULT '',
    -- who took part besides the owner
    involved TEXT NOT NULL DEFAULT '',
    -- plan, act, observe, reflect: the stage the cycle has reached
    stage TEXT NOT NULL,
    planned_on DATE,
    done_on DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trial_action_project ON trial_action (project_id, number);

CREATE TABLE trial_feedback (
    id UUID PRIMARY KEY,
    trial_id UUID NOT NULL REFERENCES trial_action (id),
    author_person_id UUID REFERENCES person (id),
    author_name TEXT NOT NULL,
    worked TEXT NOT NULL,
    next_try TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trial_feedback_trial ON trial_feedback (trial_id, created_at);

CREATE TABLE group_note (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES programme_group (id),
    author_person_id UUID REFERENCES person (id),
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX group_note_group ON group_note (group_id, created_at);
