"""What the benchmarks read of the processes they start, from /proc."""
from pathlib import Path


def children(pid: int) -> list[int]:
    """The pids of `pid`'s children (gunicorn's workers), from every thread's list."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            found.update(int(p) for p in path.read_text().split())
    return sorted(found)


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS, USS (private clean + dirty) and private dirty alone in MB, from
    /proc/<pid>/smaps_rollup. USS counts the pages of a shared file that only this process has
    touched so far; private dirty is what the process copied or allocated."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        fields[name] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "uss": fields["Private_Clean"] + fields["Private_Dirty"], "dirty": fields["Private_Dirty"]}
