-- The registry (docs/registry.md): the org tree, classes, staff and their
-- postings. Portable SQL for SQLite and PostgreSQL; no references to the
-- tables of other migrations.

-- One row per unit of the tree: province → city → county (the county
-- education bureau) → township (乡镇中心学校, itself a school) → school.
-- `path` is the materialised path of ids, "/1/4/37/": a subtree is
-- `path LIKE '/1/4/%'`. Ids are never reused, so a path never changes meaning.
-- Schools and township central schools carry a `stage`; higher levels do not.
CREATE TABLE orgs (
  id {{ID}},
  parent_id BIGINT REFERENCES orgs (id),
  kind TEXT NOT NULL
    CHECK (kind IN ('province', 'city', 'county', 'township', 'school')),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  stage TEXT
    CHECK (stage IS NULL OR stage IN ('kindergarten', 'primary', 'nine_year', 'junior',
                                      'complete_secondary', 'senior', 'vocational', 'special')),
  rural INTEGER NOT NULL DEFAULT 0 CHECK (rural IN (0, 1)),
  boarding INTEGER NOT NULL DEFAULT 0 CHECK (boarding IN (0, 1)),
  standardised INTEGER NOT NULL DEFAULT 0 CHECK (standardised IN (0, 1)),
  canteen INTEGER NOT NULL DEFAULT 0 CHECK (canteen IN (0, 1)),
  party_branch INTEGER NOT NULL DEFAULT 0 CHECK (party_branch IN (0, 1)),
  synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX orgs_parent ON orgs (parent_id);
-- Subtree queries are prefix LIKEs on path: this index serves them on
-- PostgreSQL under any collation (SQLite uses the UNIQUE index on path).
CREATE INDEX orgs_path_prefix ON orgs (path {{PATTERN_OPS}});
CREATE INDEX orgs_kind ON orgs (kind);

-- Teaching classes. Grades: -2..0 kindergarten 小/中/大班, 1..12 otherwise;
-- which grades a school may have depends on its stage (checked by the
-- registry, not here, because the rule spans two tables).
CREATE TABLE classes (
  id {{ID}},
  school_id BIGINT NOT NULL REFERENCES orgs (id),
  grade INTEGER NOT NULL CHECK (grade BETWEEN -2 AND 12),
  name TEXT NOT NULL,
  students INTEGER NOT NULL DEFAULT 0 CHECK (students >= 0),
  synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (school_id, grade, name)
);

-- Staff, each at one org (their current posting). Dates are 'YYYY-MM-DD'.
CREATE TABLE staff (
  id {{ID}},
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
  birth_date TEXT,
  hired_on TEXT,
  hire_kind TEXT NOT NULL DEFAULT 'other'
    CHECK (hire_kind IN ('funded_normal', 'special_post', 'shortage_talent', 'transfer',
                         'national_programme', 'substitute', 'other')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX staff_org ON staff (org_id);

-- A person's posts, one row each: 一肩挑 is two rows, principal and
-- party_secretary, for the same staff_id. A table rather than a comma set so
-- "who is the party secretary of school X" is an indexed join.
CREATE TABLE staff_posts (
  staff_id BIGINT NOT NULL REFERENCES staff (id),
  post TEXT NOT NULL
    CHECK (post IN ('principal', 'party_secretary', 'vice_principal', 'teacher',
                    'substitute_teacher', 'staff')),
  PRIMARY KEY (staff_id, post)
);

CREATE INDEX staff_posts_post ON staff_posts (post);

-- Where a person has worked. [start_date, end_date): end_date is the day the
-- next posting began, NULL while current. `rural` is copied from the org when
-- the posting is recorded, so re-flagging an org later never rewrites
-- anybody's history (plan item 21 counts rural teaching years).
CREATE TABLE staff_postings (
  id {{ID}},
  staff_id BIGINT NOT NULL REFERENCES staff (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  start_date TEXT NOT NULL,
  end_date TEXT,
  rural INTEGER NOT NULL CHECK (rural IN (0, 1)),
  created_at BIGINT NOT NULL
);

CREATE INDEX staff_postings_staff ON staff_postings (staff_id);
CREATE INDEX staff_postings_org ON staff_postings (org_id);
