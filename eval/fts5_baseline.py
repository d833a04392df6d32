#!/usr/bin/env python3
"""A reference ranking: SQLite FTS5 BM25 over the same records.

Usage: fts5_baseline.py --trialsearch BIN --db INDEX --topics DIR [--tag TAG] > RUN

Exports every record of a trialsearch index (trialsearch --json --fields
all), loads the text fields into an SQLite FTS5 table (porter stemmer over
the unicode61 tokenizer, one column per group of fields, equal weights) and
ranks it with FTS5's bm25() for each topic file DIR/N.txt, the topic's words
joined with OR.  Writes a TREC run to standard output: every matching trial
(or the first --limit N).  It exists to check the evaluation against an independent,
well-known ranking function, not as part of the search engine.
"""
import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys

# Column -> record fields whose text goes into it.
COLUMNS = [
    ("title", ["brief_title", "official_title", "acronym"]),
    ("condition", ["conditions", "condition_mesh", "keywords"]),
    ("intervention", ["interventions", "arms", "intervention_mesh"]),
    ("summary", ["brief_summary", "detailed_description"]),
    ("eligibility", ["eligibility"]),
    ("outcome", ["primary_outcomes", "secondary_outcomes"]),
    ("other", ["lead_sponsor", "collaborators", "officials", "locations",
               "condition_mesh_ancestors", "intervention_mesh_ancestors",
               "other_text"]),
]


def flatten(v, out):
    """Append every string inside v (strings, lists, objects) to out."""
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, list):
        for x in v:
            flatten(x, out)
    elif isinstance(v, dict):
        for x in v.values():
            flatten(x, out)


def export(binary, db):
    """Yield the record objects of every trial in the index."""
    p = subprocess.run([binary, "--db", db, "--json", "--fields", "all",
                        "--limit", "1000000", ""],
                       stdout=subprocess.PIPE, check=True)
    for line in p.stdout.decode("utf-8").splitlines():
        obj = json.loads(line)
        if obj.get("type") == "hit":
            yield obj["record"]


def or_query(text):
    """The words of text, in order and repeated as they come, as an FTS5
    OR query (None if there is none).  A repeated word weighs more in
    bm25(), as in the topic."""
    words = re.findall(r"[0-9a-z]+", text.lower())
    return " OR ".join('"%s"' % w for w in words) or None


def main():
    ap = argparse.ArgumentParser(description="SQLite FTS5 bm25 reference run")
    ap.add_argument("--trialsearch", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--topics", required=True)
    ap.add_argument("--tag", default="fts5")
    ap.add_argument("--limit", type=int, default=0, help="0: all matches")
    a = ap.parse_args()

    con = sqlite3.connect(":memory:")
    cols = ", ".join(c for c, _ in COLUMNS)
    con.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, %s, "
                "tokenize='porter unicode61')" % cols)
    n = 0
    for rec in export(a.trialsearch, a.db):
        row = [rec["id"]]
        for _, fields in COLUMNS:
            parts = []
            for f in fields:
                flatten(rec.get(f), parts)
            row.append("\n".join(parts))
        con.execute("INSERT INTO t VALUES (%s)" % ",".join("?" * len(row)), row)
        n += 1
    sys.stderr.write("fts5_baseline: %d records\n" % n)

    names = sorted((f for f in os.listdir(a.topics) if f.endswith(".txt")),
                   key=lambda f: int(f[:-4]) if f[:-4].isdigit() else 0)
    out = sys.stdout
    for name in names:
        with open(os.path.join(a.topics, name), encoding="utf-8") as f:
            q = or_query(f.read())
        if not q:
            continue
        rows = con.execute("SELECT id, bm25(t) FROM t WHERE t MATCH ? "
                           "ORDER BY bm25(t) LIMIT ?", (q, a.limit or -1))
        for rank, (doc, score) in enumerate(rows, 1):
            out.write("%s Q0 %s %d %.6f %s\n" % (name[:-4], doc, rank, -score, a.tag))
    return 0


if __name__ == "__main__":
    sys.exit(main())
