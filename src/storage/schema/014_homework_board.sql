-- 作业公示 (plan item 25: "each class publishes its homework daily"), owned by
-- src/homework_board (docs/homework-board.md). A teacher enters the day's
-- homework per subject; the written minutes of the day also land, summed, as
-- the class's row of the `homework` dataset (through datasets::Import and the
-- compliance re-check, never written here). Times are BIGINT microseconds.

-- Each class's public page is reached by an unguessable token (no login).
-- Rotating it replaces the row: the old link stops working at once.
CREATE TABLE homework_board_links (
  class_id BIGINT PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  created_at_us BIGINT NOT NULL
);

-- Which teacher accounts enter homework for which class (a school assigns
-- them; school staff enter for every class of their school anyway).
CREATE TABLE homework_board_teachers (
  class_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  username TEXT NOT NULL,  -- as assigned (usernames do not change), for the school's list
  PRIMARY KEY (class_id, user_id)
);
CREATE INDEX homework_board_teachers_user ON homework_board_teachers (user_id);

-- One subject's homework of one class on one day.
CREATE TABLE homework_board_entries (
  id {{ID}},
  class_id BIGINT NOT NULL,
  date TEXT NOT NULL,
  subject TEXT NOT NULL,
  content TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  written INTEGER NOT NULL,  -- 1 书面, 0 非书面 (reading, practice, …)
  entered_by TEXT NOT NULL,  -- username; never shown on the public page
  updated_at_us BIGINT NOT NULL,
  UNIQUE (class_id, date, subject)
);
