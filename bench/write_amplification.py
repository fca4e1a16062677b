"""Rows and index entries written per registration, transition and read, from PostgreSQL's
own statistics (pg_stat_user_tables, index counts from pg_index), against a live release
server. Usage: python3 bench/write_amplification.py BASE DATABASE_URL PROVIDER_TOKEN (see BENCHMARKS.md)"""
import json, subprocess, sys, time, urllib.request

BASE, DB, TOKEN = sys.argv[1:4]
N = 200

def psql(sql):
    return subprocess.run(["psql", DB, "-Atc", sql], capture_output=True, text=True, check=True).stdout

def snapshot():
    """Per table: rows inserted, updated, HOT-updated, deleted, its full indexes, and for
    each partial index the rows that match its predicate now."""
    rows = psql("""SELECT t.relname, t.n_tup_ins, t.n_tup_upd, t.n_tup_hot_upd, t.n_tup_del,
        (SELECT count(*) FROM pg_index i WHERE i.indrelid = t.relid AND i.indpred IS NULL)
        FROM pg_stat_user_tables t""")
    out = {}
    for line in rows.strip().splitlines():
        name, ins, upd, hot, dele, idx = line.split("|")
        out[name] = [int(x) for x in (ins, upd, hot, dele, idx)] + [0]
    partial = psql("""SELECT c.relname, pg_get_expr(i.indpred, i.indrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE i.indpred IS NOT NULL""")
    for line in partial.strip().splitlines():
        table, predicate = line.split("|", 1)
        matching = int(psql(f"SELECT count(*) FROM {table} WHERE {predicate}").strip())
        if table in out:
            out[table][5] += matching
    return out

def call(method, path, body=None, if_match=None):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    if if_match:
        headers["If-Match"] = if_match
    req = urllib.request.Request(BASE + path, method=method, headers=headers,
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null"), r.headers.get("ETag")

def settle():
    time.sleep(12)  # backends flush their statistics within 10 s of going idle

def diff(before, after, per):
    """Index entries: every full index gets one per insert and non-HOT update; a partial
    index is counted by the growth of the rows matching its predicate (exact for the
    insert-only access log; it misses entries of rows deleted again within the window)."""
    lines, total_rows, total_idx = [], 0, 0
    for name, (ins, upd, hot, dele, idx, matching) in sorted(after.items()):
        b = before.get(name, [0, 0, 0, 0, idx, 0])
        d_ins, d_upd, d_hot, d_del = ins - b[0], upd - b[1], hot - b[2], dele - b[3]
        if d_ins == d_upd == d_del == 0:
            continue
        entries = (d_ins + d_upd - d_hot) * idx + max(matching - b[5], 0)
        total_rows += d_ins + d_upd + d_del
        total_idx += entries
        lines.append(f"  {name}: +{d_ins/per:.2f} ins, {d_upd/per:.2f} upd ({d_hot/per:.2f} HOT), {d_del/per:.2f} del; {idx} full indexes -> {entries/per:.2f} index entries")
    return total_rows / per, total_idx / per, lines


settle()
s0 = snapshot()
ids = []
for n in range(N):
    created, _ = call("POST", "/v1/trajectories", {"client_ref": f"wa-{time.time_ns()}-{n}",
                      "municipality": "gemeente:0268", "started_on": "2026-09-01"})
    ids.append(created["id"])
settle(); s1 = snapshot()
for tid in ids:
    call("POST", f"/v1/trajectories/{tid}/transitions", {"to": "social_support", "reason": "planned_completion"}, '"1"')
    call("POST", f"/v1/trajectories/{tid}/transitions", {"to": "treatment", "reason": "relapse"}, '"2"')
settle(); s2 = snapshot()
for tid in ids:
    call("GET", f"/v1/trajectories/{tid}")
settle(); s3 = snapshot()
for label, a, b, per in [("registration", s0, s1, N), ("transition (mean of the two moves)", s1, s2, 2 * N), ("read", s2, s3, N)]:
    rows, idx, lines = diff(a, b, per)
    print(f"{label}: {rows:.2f} rows and {idx:.2f} index entries written per request")
    print("\n".join(lines))
