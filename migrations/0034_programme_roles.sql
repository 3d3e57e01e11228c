-- The municipality's role model for programmes (employee roles such as ressourcedetektor,
-- leader roles such as meningsskaber), competence goals that point to a role, and each
-- participant's self-rating on their roles at the start and the end of a programme (kept so
-- a measurement module can use them).
CREATE TABLE programme_role (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- employee, leader
    audience TEXT NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_id, key)
);

CREATE TABLE competence_goal (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programme (id),
    module_id UUID REFERENCES programme_module (id),
    role_id UUID REFERENCES programme_role (id),
    text TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX competence_goal_programme ON competence_goal (programme_id, position);

CREATE TABLE role_rating (
    programme_id UUID NOT NULL REFERENCES programme (id),
    person_id UUID NOT NULL REFERENCES person (id),
    role_id UUID NOT NULL REFERENCES programme_role (id),
    -- start, end
    moment TEXT NOT NULL,
    -- 1 (in a small degree) to 5 (in a very high degree)
    score INTEGER NOT NULL,
    rated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (programme_id, person_id, role_id, moment)
);
