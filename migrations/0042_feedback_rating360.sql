-- A 360° round: each personal link asks about one leader (the subject) in one rater group
-- (self, manager, peer, staff), and the answer keeps both, never who gave it. A survey's
-- links and answers have no subject and the rater '' (link) or 'self' (answer).
ALTER TABLE feedback_round_link ADD COLUMN subject_id UUID;
ALTER TABLE feedback_round_link ADD COLUMN rater TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback_response ADD COLUMN subject_id UUID;
CREATE INDEX feedback_response_subject ON feedback_response (round_id, subject_id);
CREATE INDEX feedback_round_link_subject ON feedback_round_link (subject_id, round_id);
