"""Knowledge built ahead: files derived from the content and the code that reads it, named by a
digest of both, so a process loads them in milliseconds instead of building them for seconds.

Built by `flask --app bot build-knowledge` (and `migrate`, on every deploy), or by the first process
that needs one and finds it missing; a change to any input gives a new digest, hence a rebuild.
Written atomically (a temporary file renamed), so a process never reads half a file, and several
processes that build at once just write the same file. A directory that cannot be written only
costs the time: the knowledge is built in memory, as before.

Where: KNOWLEDGE_CACHE_DIR, else instance/knowledge in the checkout.
"""
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]


def directory() -> Path:
    return Path(os.environ.get("KNOWLEDGE_CACHE_DIR") or ROOT / "instance" / "knowledge")


def digest(files: Iterable[Path], packages: Iterable[str] = (), extra: str = "") -> str:
    """A digest of the files' contents and names, the packages' versions, and Python's."""
    hasher = hashlib.sha256(f"{sys.version}\n{extra}\n".encode())
    for name in packages:
        hasher.update(f"{name} {version(name)}\n".encode())
    for path in sorted(files):
        hasher.update(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n".encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()[:16]


def sources(*folders: Path) -> list[Path]:
    """The data files and Python sources of the folders (not their subfolders)."""
    return [path for folder in folders for path in folder.iterdir()
            if path.is_file() and path.suffix in (".py", ".toml", ".csv", ".tsv", ".json", ".txt")]


def path(name: str, key: str, suffix: str) -> Path:
    return directory() / f"{name}-{key}{suffix}"


def write_atomically(target: Path, data: bytes) -> None:
    """Write `target` whole or not at all, then drop its oldest siblings of the same name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from workers run as another user
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    prune(target)


KEPT = 6  # versions of one artefact kept: benchmarks and tests build engines on other item lists


def used(target: Path) -> None:
    """Mark a file as just used, so pruning keeps what processes load (the product's engine)
    over what a benchmark built once."""
    try:
        os.utime(target)
    except OSError:
        pass  # a read-only directory: nothing is pruned there either


def prune(newest: Path) -> None:
    """Remove all but the KEPT most recently used files of `newest`'s name. A process that maps a
    removed file keeps reading it (Linux frees it on the last unmap); one that loads a pickle
    naming a removed table builds again."""
    name = newest.name.rsplit("-", 1)[0]
    siblings = [path for path in newest.parent.glob(f"{name}-*{newest.suffix}") if path.name.rsplit("-", 1)[0] == name]
    siblings.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    for old in siblings[KEPT:]:
        old.unlink(missing_ok=True)


def pickled(name: str, key: str, build: Callable[[], T], ready: Callable[[T], None] | None = None) -> T:
    """What `build` returns, from its pickle when one was built for `key`, else built and stored.

    `ready` prepares a newly built value for pickling (saving the packed tables it holds as files).
    An unreadable pickle (truncated, from an older layout) is built again, never fatal.
    """
    target = path(name, key, ".pickle")
    try:
        with target.open("rb") as file:
            value = pickle.load(file)
        used(target)
        return value
    except (FileNotFoundError, NotADirectoryError):
        pass
    except Exception:  # noqa: BLE001 - a damaged cache must never stop the bot
        log.warning("rebuilding %s: its stored copy is unreadable", target.name, exc_info=True)
    value = build()
    try:
        if ready is not None:
            ready(value)
        write_atomically(target, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - unwritable, or tables that stayed in memory: next time then
        log.warning("could not store %s in %s; built in memory", name, target.parent, exc_info=True)
    return value
