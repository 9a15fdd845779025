-- Whether a case's due_at was counted on a provisional year of the working
-- calendar (no State Council notice imported yet: the holiday law's days off
-- and weekends only, no 调休 — src/calendar/working_calendar.h). Such a
-- deadline is shown as 暂定 and the clock sweep recomputes it, audited and on
-- the timeline, once the year's notice is imported (docs/calendar.md).
ALTER TABLE cases ADD COLUMN deadline_provisional INTEGER NOT NULL DEFAULT 0;
