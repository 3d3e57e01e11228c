-- Attendance at an activity: ticked off on the facilitator's list, or checked in by the
-- participant with the code shown in the room (kept on the activity while it runs).
ALTER TABLE activity ADD COLUMN checkin_code TEXT;

CREATE TABLE activity_attendance (
    activity_id UUID NOT NULL REFERENCES activity (id),
    person_id UUID NOT NULL REFERENCES person (id),
    present BOOLEAN NOT NULL,
    -- list, code
    via TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX activity_attendance_person ON activity_attendance (person_id);
