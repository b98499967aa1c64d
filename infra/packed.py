"""A read-only string table packed into one file and memory-mapped: key -> (number, text).

Large dictionaries (jieba's 500,000 words, CC-CEDICT's glosses) cost about 150 bytes an entry as
Python objects, in every process, and a fork's copies drift apart as reference counts change.
Packed, an entry costs about 20 bytes of a file that every process maps from the same page cache.

Layout (native byte order): a header, an open-addressing hash table (crc32 of the UTF-8 key, linear
probing) of entry indexes, then per entry the start of its key and its text and its number, then
the keys and the texts, each one blob.
"""
import mmap
import struct
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from zlib import crc32

from infra import artefacts

MAGIC = b"PKT1"
HEADER = struct.Struct("=4sIIII")  # magic, entries, slots, key bytes, text bytes
EMPTY = 0xFFFFFFFF


class PackedTable:
    def __init__(self, buffer, path: Path | None = None) -> None:
        magic, size, slots, key_bytes, text_bytes = HEADER.unpack_from(buffer)
        if magic != MAGIC or len(buffer) != HEADER.size + 4 * (slots + 3 * size + 2) + key_bytes + text_bytes:
            raise ValueError("not a packed table, or a truncated one")
        self.path = path
        self.size = size
        self._buffer = buffer
        view = memoryview(buffer)
        offset = HEADER.size
        parts = []
        for count in (slots, size + 1, size + 1, size):
            parts.append(view[offset:offset + 4 * count].cast("I"))
            offset += 4 * count
        self._slots, self._key_starts, self._text_starts, self._numbers = parts
        # Keys are compared as slices of the buffer itself: bytes, compared by memcmp (a slice of
        # a memoryview compares item by item).
        self._keys_at = offset
        self._texts = view[offset + key_bytes:offset + key_bytes + text_bytes]
        self._mask = slots - 1

    @classmethod
    def pack(cls, entries: Iterable[tuple[str, int, str]]) -> "PackedTable":
        """A table in memory from (key, number, text) entries (each key once)."""
        return cls(packed_bytes(entries))

    @classmethod
    def open(cls, path: Path) -> "PackedTable":
        with path.open("rb") as file:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        # Lookups jump about the file: read only the pages they touch, not their neighbours.
        mapped.madvise(mmap.MADV_RANDOM)
        return cls(mapped, path)

    def saved(self, path: Path) -> "PackedTable":
        """The table written to `path` (atomically), mapped from there."""
        artefacts.write_atomically(path, bytes(self._buffer))
        return PackedTable.open(path)

    def index(self, key: str) -> int:
        """The entry's index, or -1 when the key is not in the table."""
        data = key.encode()
        slots, starts, buffer, base, mask = self._slots, self._key_starts, self._buffer, self._keys_at, self._mask
        slot = crc32(data) & mask
        while True:
            found = slots[slot]
            if found == EMPTY:
                return -1
            if buffer[base + starts[found]:base + starts[found + 1]] == data:
                return found
            slot = (slot + 1) & mask

    def number(self, key: str) -> int | None:
        found = self.index(key)
        return None if found < 0 else self._numbers[found]

    def text(self, key: str) -> str | None:
        found = self.index(key)
        if found < 0:
            return None
        return bytes(self._texts[self._text_starts[found]:self._text_starts[found + 1]]).decode()

    def __contains__(self, key: str) -> bool:
        return self.index(key) >= 0

    def __len__(self) -> int:
        return self.size

    def __reduce__(self):
        # Pickled as where it lives: a pickle that holds the engine must not hold a copy of it.
        if self.path is None:
            raise TypeError("only a saved packed table can be pickled")
        return PackedTable.open, (self.path,)


def packed_bytes(entries: Iterable[tuple[str, int, str]]) -> bytes:
    keys, texts, numbers = bytearray(), bytearray(), array("I")
    key_starts, text_starts, hashes = array("I", [0]), array("I", [0]), []
    for key, number, text in entries:
        data = key.encode()
        keys += data
        texts += text.encode()
        key_starts.append(len(keys))
        text_starts.append(len(texts))
        numbers.append(number)
        hashes.append(crc32(data))
    slots = 1 << max(3, (2 * len(hashes)).bit_length())  # at most half full: short probes
    table, mask = array("I", [EMPTY]) * slots, slots - 1
    for index, value in enumerate(hashes):
        slot = value & mask
        while table[slot] != EMPTY:
            slot = (slot + 1) & mask
        table[slot] = index
    header = HEADER.pack(MAGIC, len(hashes), slots, len(keys), len(texts))
    return b"".join([header, table.tobytes(), key_starts.tobytes(), text_starts.tobytes(), numbers.tobytes(),
                     bytes(keys), bytes(texts)])


def packed(name: str, key: str, entries: Callable[[], Iterable[tuple[str, int, str]]]) -> PackedTable:
    """The table built ahead for `key` (infra/artefacts.py), else packed now from `entries()` and
    stored for the next process."""
    target = artefacts.path(name, key, ".packed")
    try:
        table = PackedTable.open(target)
        artefacts.used(target)
        return table
    except (OSError, ValueError, struct.error):  # missing, unreachable, or damaged: pack it again
        pass
    table = PackedTable.pack(entries())
    try:
        return table.saved(target)
    except OSError:
        return table
