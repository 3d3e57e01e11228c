-- When a session was last used (to the minute), for the idle timeout: a session unused for
-- longer than that ends even before its absolute expiry. NULL: not used since it began.
ALTER TABLE session ADD COLUMN last_seen_at TIMESTAMPTZ;
