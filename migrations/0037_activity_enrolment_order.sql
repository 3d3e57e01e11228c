-- The people on an activity, a page at a time in the order they came: read in index order
-- and stopped at the page's end instead of sorting everyone on a large activity.
CREATE INDEX activity_enrolment_order ON activity_enrolment (activity_id, created_at, person_id);
