-- Who has been sent a personal link to a process, so nobody gets two; never which link.
-- Only the day is kept (the links of one sending are made in random order with random
-- ids and the same day), so neither time nor order ties an address to a link.
CREATE TABLE process_invitation (
    process_id UUID NOT NULL REFERENCES process (id),
    recipient TEXT NOT NULL,
    invited_on DATE NOT NULL,
    PRIMARY KEY (process_id, recipient)
);
