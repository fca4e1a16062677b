#!/usr/bin/env python3
"""Fails if Cargo.lock pins a crate version its authors yanked from crates.io.

The closest check this network allows to `cargo deny check advisories`: the RustSec
advisory database lives on GitHub, which does not resolve here, but the crates.io sparse
index does, and crates are often yanked for the same reasons advisories are filed.
"""

import json
import sys
import time
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor

INDEX = "https://index.crates.io"


def index_path(name: str) -> str:
    name = name.lower()
    if len(name) <= 2:
        return f"{len(name)}/{name}"
    if len(name) == 3:
        return f"3/{name[0]}/{name}"
    return f"{name[:2]}/{name[2:4]}/{name}"


def yanked_versions(name: str) -> set[str]:
    for attempt in range(3):
        try:
            with urllib.request.urlopen(f"{INDEX}/{index_path(name)}", timeout=20) as r:
                lines = r.read().decode().splitlines()
            return {e["vers"] for e in map(json.loads, lines) if e.get("yanked")}
        except OSError:
            if attempt == 2:
                raise
            time.sleep(2)
    return set()


def main() -> int:
    with open("Cargo.lock", "rb") as f:
        lock = tomllib.load(f)
    pinned = [
        (p["name"], p["version"])
        for p in lock["package"]
        if p.get("source", "").startswith("registry+")
    ]
    names = sorted({name for name, _ in pinned})
    with ThreadPoolExecutor(max_workers=8) as pool:
        yanked = dict(zip(names, pool.map(yanked_versions, names)))
    bad = [(n, v) for n, v in pinned if v in yanked[n]]
    for name, version in bad:
        print(f"yanked: {name} {version}", file=sys.stderr)
    print(f"{len(pinned)} locked crates checked against the crates.io index; {len(bad)} yanked")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
