#!/usr/bin/env python3
"""Tables with owners: SQL naming a table appears only in the module that owns it.

Each table of src/storage/schema/*.sql (and every dataset table ds_<name>)
is read and written by exactly one module, through that module's typed
store; everyone else calls the store's functions (docs/architecture.md,
"Modules"). This check fails when a .cc file under src/ outside the owning
module's folder holds SQL that names the table: a string literal (adjacent
literals joined, as the compiler joins them) with FROM/JOIN/INTO/UPDATE/
TABLE followed by the name, a BulkInsert("table", …), or — for ds_* tables,
whose names are built at run time — a "ds_" literal or a
DatasetSchema::TableName() call in a file that also holds SQL.

It also fails when a schema file creates a table the owner map below does
not name, so a new table cannot arrive without an owner. There is no list
of tolerated exceptions: the last cross-module reads (issue 10) moved behind
the owners' functions, and a new one is a violation like any other.

Usage: scripts/check-table-owners.py [REPO_ROOT]   (exit 0: clean)
"""
import glob
import os
import re
import sys

# Table → the module folder (src/<module>/) that owns it. Derived from the
# migrations: each CREATE TABLE belongs to the module whose store the
# migration was written for.
OWNERS = {
    # 001_audit.sql: the hash-chained ledgers (src/ledger/audit.h, sanctions.h)
    "ledger_heads": "ledger",
    "audit_log": "ledger",
    # 002_registry.sql: the org tree, classes and staff (src/registry/registry.h)
    "orgs": "registry",
    "classes": "registry",
    "staff": "registry",
    "staff_posts": "registry",
    "staff_postings": "registry",
    # 003_accounts.sql: users, sessions, API tokens (src/accounts/users.h, authenticator.h)
    "users": "accounts",
    "sessions": "accounts",
    "api_tokens": "accounts",
    # 004_findings.sql, 007: the findings store (src/rules/findings_store.h)
    "findings": "rules",
    # 005_datasets.sql: imports and their quarantine (src/datasets/store.h, import.h)
    "imports": "datasets",
    "quarantine": "datasets",
    # 006_cases.sql, 008: the workflow engine (src/cases/engine.h) …
    "cases": "cases",
    "case_counters": "cases",
    "case_events": "cases",
    "case_links": "cases",
    "case_findings": "cases",
    "case_attachments": "cases",
    # … its notices: the inbox and the webhook outbox (src/notify/inbox.h, webhooks.h) …
    "notifications": "notify",
    "webhooks": "notify",
    "webhook_deliveries": "notify",
    # … and the sanctions ledger (src/ledger/sanctions.h)
    "sanctions": "ledger",
    # 009_store_generations.sql: the stores' change counters
    # (src/storage/generations.h; each store bumps and reads its own row)
    "store_generations": "storage",
    # 010_draws.sql: "double random, one public" inspection draws and their
    # ledger (src/draws/store.h)
    "draw_plans": "draws",
    "draw_ledger_head": "draws",
    "draw_ledger": "draws",
    # 013_teacher_points.sql: the teacher points ledger and objections
    # (src/points/points.h; its chain head is ledger_heads' 'points' row)
    "points_entries": "points",
    "points_objections": "points",
    # 015_homework_board.sql: 作业公示 — entries, class links, assigned
    # teachers (src/homework_board/board.h)
    "homework_board_entries": "homework_board",
    "homework_board_links": "homework_board",
    "homework_board_teachers": "homework_board",
}
# Created at run time from the policy pack (src/datasets/store.h), one per dataset.
DATASET_TABLE_PREFIX = "ds_"
DATASET_OWNER = "datasets"

# Paths (relative to src/) where any module's tables may be named, and why.
EXEMPT = [
    # Tests set up fixtures and inspect raw rows on purpose: the store under
    # test cannot be its own witness.
    (re.compile(r"_test\.cc$"), "tests"),
    (re.compile(r"^testing/"), "test databases (never linked into the binary)"),
    # The demo generator bulk-loads a synthetic county (orgs, classes,
    # staff, a semester of ds_* rows, a year of cases) into an empty
    # database, like a migration: BulkInsert of thousands of rows per table
    # is its reason to exist, and no request ever runs it.
    (re.compile(r"^demo/"), "demo seeding"),
    # The storage layer runs the migrations that create every table.
    (re.compile(r"^storage/"), "migrations"),
]
# (bench/ lies outside src/ and is not scanned: benchmarks seed and time raw
# queries and are not part of the binary.)

SQL_KEYWORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER)\b")
LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
# Adjacent literals: separated by whitespace only.
LITERAL_RUN = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*')


def strip_comments(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append("\n" * text.count("\n", i, n if j < 0 else j))
            i = n if j < 0 else j + 2
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            if end < 0:
                out.append(c)
                i += 1
                continue
            body = text[i + len(m.group(0)):end]
            out.append('"' + body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"')
            i = end + len(m.group(1)) + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tables_named(source, table_names):
    """(table, line) pairs for every table the file's SQL names."""
    found = []
    names = "|".join(sorted(map(re.escape, table_names), key=len, reverse=True))
    table_ref = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF (?:NOT )?EXISTS)?)\s+(" + names + r")\b")
    has_sql = False
    for run in LITERAL_RUN.finditer(source):
        text = "".join(m.group(0)[1:-1] for m in LITERAL.finditer(run.group(0)))
        if SQL_KEYWORDS.search(text):
            has_sql = True
        line = source.count("\n", 0, run.start()) + 1
        for m in table_ref.finditer(text):
            found.append((m.group(1), line))
        if re.search(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+" + DATASET_TABLE_PREFIX, text) or text == DATASET_TABLE_PREFIX:
            found.append(("ds_*", line))
    for m in re.finditer(r'BulkInsert\(\s*"(\w+)"', source):
        found.append((m.group(1), source.count("\n", 0, m.start()) + 1))
    if has_sql:
        for m in re.finditer(r"(?:\.|->)TableName\(\)", source):
            found.append(("ds_*", source.count("\n", 0, m.start()) + 1))
    return sorted(set(found))


# A statement, not just a keyword in a message.
STATEMENT = re.compile(r"\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE FROM\b")
# Folders that hold no SQL at all: handlers and commands call the stores.
NO_SQL_MODULES = {"http", "cli"}


def statements(source):
    """Lines of the file's SQL statements."""
    lines = []
    for run in LITERAL_RUN.finditer(source):
        text = "".join(m.group(0)[1:-1] for m in LITERAL.finditer(run.group(0)))
        if STATEMENT.search(text):
            lines.append(source.count("\n", 0, run.start()) + 1)
    return lines


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    src = os.path.join(root, "src")
    problems = []

    created = set()
    for path in sorted(glob.glob(os.path.join(src, "storage", "schema", "*.sql"))):
        for m in re.finditer(r"CREATE TABLE(?: IF NOT EXISTS)?\s+(\w+)", open(path, encoding="utf-8").read()):
            created.add(m.group(1))
            if m.group(1) not in OWNERS:
                problems.append(f"{os.path.relpath(path, root)}: table {m.group(1)} has no owner in "
                                "scripts/check-table-owners.py (add it to OWNERS)")

    checked = 0
    for path in sorted(glob.glob(os.path.join(src, "**", "*.cc"), recursive=True)):
        rel = os.path.relpath(path, src).replace(os.sep, "/")
        if any(pattern.search(rel) for pattern, _ in EXEMPT):
            continue
        checked += 1
        module = rel.split("/", 1)[0]
        source = strip_comments(open(path, encoding="utf-8").read())
        for table, line in tables_named(source, created | set(OWNERS)):
            owner = DATASET_OWNER if table == "ds_*" else OWNERS.get(table)
            if owner is None or owner == module:
                continue
            problems.append(f"src/{rel}:{line}: SQL names table {table}, owned by src/{owner}/ — "
                            f"call a function of src/{owner}/ instead")
        if module in NO_SQL_MODULES:
            for line in statements(source):
                problems.append(f"src/{rel}:{line}: SQL in src/{module}/ — handlers and commands call the "
                                "owning module's store")

    for p in problems:
        print(p)
    print(f"table owners: {checked} files checked, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
