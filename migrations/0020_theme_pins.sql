-- A facilitator's edits of a process's themes, kept as pins: a set of inputs that must be
-- one theme, optionally with a name. Renaming, merging, splitting and moving inputs are all
-- pins, so every recomputation keeps them. An input is in at most one pin.
CREATE TABLE process_theme_pin (
    id UUID PRIMARY KEY,
    process_id UUID NOT NULL REFERENCES process (id),
    name TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX process_theme_pin_process ON process_theme_pin (process_id);

CREATE TABLE process_theme_pin_input (
    pin_id UUID NOT NULL REFERENCES process_theme_pin (id),
    input_id UUID NOT NULL REFERENCES process_input (id),
    PRIMARY KEY (pin_id, input_id),
    UNIQUE (input_id)
);
