"""Nearest drop-off point latency at 1,000, 10,000 and 100,000 points, on SQLite and PostgreSQL,
against a baseline in the same run: a full scan that reads every active point (of the kind asked
for) and measures each distance in Python.

    .venv/bin/python -m bench.places [--sizes 1000,10000,100000] [--queries 400] [--baseline-queries 40]

Points are spread over Changchun's built-up area (about 25 km by 28 km) with a realistic mix of
kinds (battery boxes and clothes bins common, renovation-waste points rare); queries are random
locations in the same area (one in ten on the outskirts), half of them for one kind. Each query is
timed end to end (SQL round trips included) as handlers.places.nearest runs it, limit 5. Every
baseline answer is compared with nearest()'s: `mismatches` must be 0.
SQLite: a temporary file. PostgreSQL: database BENCH_PG_DATABASE (default wufei_bench_places) on
BENCH_PG_ADMIN_URL's server, created at the start and dropped at the end. Not run in CI.
"""
import argparse
import heapq
import logging
import os
import random
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager

import psycopg

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "wufei_bench_places")
CITY_AREA = ((43.75, 43.98), (125.15, 125.50))  # built-up Changchun, GCJ-02
OUTSKIRTS = ((43.55, 44.20), (124.95, 125.75))
KIND_WEIGHTS = {"battery_box": 25, "clothes": 20, "hazardous_box": 15, "recycling_station": 12,
                "medicine": 10, "appliance": 8, "bulky": 6, "renovation": 4}
LIMIT = 5


def pg_url() -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{PG_DATABASE}"


@contextmanager
def backend_app(name: str):
    """The app on a fresh database of `name`'s kind, migrated, with the official region tree."""
    from bot import create_app
    from bot.cli.core import migrate
    from handlers.people.regions import import_official
    from models import db

    folder = tempfile.mkdtemp(prefix="bench-places-")
    if name == "postgresql":
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        url = pg_url()
    else:
        url = f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": "", "SECRET_KEY": "bench-places",
                      "WARM_UP": False, "LOG_JSON": False, "TESTING": True})
    try:
        with app.app_context():
            logging.disable(logging.INFO)  # migrations narrate every step
            app.test_cli_runner().invoke(migrate, catch_exceptions=False)
            import_official()
            db.session.commit()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if name == "postgresql":
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def add_points(count: int, rng: random.Random, streets: list[str]) -> None:
    from models import DropOffPoint, db

    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    (south, north), (west, east) = CITY_AREA
    for start in range(0, count, 10_000):
        rows = [{"kind": kind, "name": f"bench {start + n}", "address": "长春市", "hours": "全天",
                 "lat": round(rng.uniform(south, north), 6), "lng": round(rng.uniform(west, east), 6),
                 "region_code": rng.choice(streets), "kept_by": "bench", "active": rng.random() > 0.02}
                for n, kind in enumerate(rng.choices(kinds, weights, k=min(10_000, count - start)))]
        db.session.execute(db.insert(DropOffPoint), rows)
    db.session.commit()
    # What autovacuum does on PostgreSQL in production (statistics, and the visibility map that
    # lets the covering index answer alone); ANALYZE gives SQLite's planner the same statistics.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        vacuum = "VACUUM " if db.engine.dialect.name == "postgresql" else ""
        conn.exec_driver_sql(f"{vacuum}ANALYZE drop_off_point")


def queries(count: int, rng: random.Random) -> list[tuple[float, float, str | None]]:
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    found = []
    for _ in range(count):
        (south, north), (west, east) = OUTSKIRTS if rng.random() < 0.1 else CITY_AREA
        kind = rng.choices(kinds, weights)[0] if rng.random() < 0.5 else None
        found.append((rng.uniform(south, north), rng.uniform(west, east), kind))
    return found


def full_scan(lat: float, lng: float, kind: str | None) -> list[int]:
    """The baseline: every active point (of the kind) read, every distance measured in Python."""
    from handlers.places.nearby import MAX_RADIUS_M, distance_m
    from models import DropOffPoint, db

    query = db.select(DropOffPoint.id, DropOffPoint.lat, DropOffPoint.lng).where(DropOffPoint.active.is_(True))
    if kind:
        query = query.where(DropOffPoint.kind == kind)
    scored = ((distance_m(lat, lng, row.lat, row.lng), row.id) for row in db.session.execute(query))
    return [point_id for metres, point_id in heapq.nsmallest(LIMIT, scored) if metres <= MAX_RADIUS_M]


def timed(function, cases) -> tuple[list[float], list]:
    times, answers = [], []
    for lat, lng, kind in cases:
        started = time.perf_counter()
        answers.append(function(lat, lng, kind))
        times.append((time.perf_counter() - started) * 1000)
    return times, answers


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]


def run_backend(name: str, sizes: list[int], query_count: int, baseline_count: int, seed: int) -> list[dict]:
    from handlers.places import nearest
    from models import Region, db

    def indexed(lat, lng, kind):
        return [point.id for point in nearest(lat, lng, kind=kind, limit=LIMIT)]

    results = []
    with backend_app(name):
        streets = list(db.session.execute(db.select(Region.code).where(Region.level == 3)).scalars())
        rng = random.Random(seed)
        total = 0
        for size in sizes:
            started = time.perf_counter()
            add_points(size - total, rng, streets)
            total = size
            load_s = time.perf_counter() - started
            cases = queries(query_count, random.Random(seed + size))
            timed(indexed, cases[:20])  # warm the connection pool and the page cache
            fast, _ = timed(indexed, cases)
            checked = cases[:baseline_count]
            slow, expected = timed(full_scan, checked)
            _, got = timed(indexed, checked)
            mismatches = sum(a != b for a, b in zip(expected, got))
            results.append({"backend": name, "points": size, "load_s": load_s, "nearest": percentiles(fast),
                            "full_scan": percentiles(slow), "queries": (len(fast), len(slow)),
                            "mismatches": mismatches})
            report_line(results[-1])
    return results


def report_line(result: dict) -> None:
    (fast50, fast99), (slow50, slow99) = result["nearest"], result["full_scan"]
    print(f"{result['backend']:<10} {result['points']:>7,} pts  "
          f"nearest p50 {fast50:7.2f} ms  p99 {fast99:7.2f} ms  | "
          f"full scan p50 {slow50:8.2f} ms  p99 {slow99:8.2f} ms  | "
          f"ratio p50 {slow50 / fast50:6.1f}x  p99 {slow99 / fast99:6.1f}x  | "
          f"queries {result['queries'][0]}/{result['queries'][1]}  mismatches {result['mismatches']}  "
          f"(loaded in {result['load_s']:.1f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=400, help="nearest() queries per size and backend")
    parser.add_argument("--baseline-queries", type=int, default=40, help="full-scan queries per size and backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2201)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    print(f"nearest {LIMIT} drop-off points (bounding box on indexed lat/lng, exact distance in Python) "
          f"vs a full scan measuring every point; latency per query, end to end")
    results = []
    for name in args.backends.split(","):
        results += run_backend(name, sizes, args.queries, min(args.baseline_queries, args.queries), args.seed)
    print("\nsummary (p50 / p99 ms; ratio = full scan / nearest)")
    for result in results:
        report_line(result)
    if any(result["mismatches"] for result in results):
        raise SystemExit("nearest() and the full scan disagree")


if __name__ == "__main__":
    main()
