"""The "download all" archive: STORED ZIP64, laid out in advance, streamed, seekable.

The whole layout - every header, every offset, the exact length - is computed from the
members' names, sizes and dates alone, before any byte is read. That gives a
``Content-Length`` up front and lets ``iter_bytes(start, end)`` serve any byte range: members
wholly outside the range are never opened, a member cut by the range is opened at the
offset inside it. Member data passes through in the chunks storage yields; memory use does
not depend on member sizes.

CRC-32: a member whose ``crc32`` is known (recorded at upload) is written with the CRC and
sizes in its local header - the most widely readable form, and a range anywhere in the
archive needs no extra reads. A member without a known CRC gets a data descriptor
(general purpose flag bit 3) after its data; the CRC is computed while its bytes stream, and
a range that needs that CRC (the member's descriptor or central directory entry) without
streaming the whole member reads the member once more to compute it. A known CRC is
checked whenever a member streams whole, so silently corrupted storage aborts the download.

Why not zipstream-ng (DESIGN.md names it): it cannot start in the middle of an archive, it
computes every CRC while streaming (so even the last byte of a 20 GB archive needs all 20 GB
read), it cannot use known CRCs, and it stamps entries with the wall clock at generation
time, so two requests for the same archive give different bytes and a resumed download
would mix two archives. Writing STORED entries is a small part of the ZIP format.

Format (APPNOTE 6.3.10): method 0 (stored); UTF-8 names flagged with bit 11; DOS time plus
an Info-ZIP extended timestamp ("UT", UTC seconds); Unix mode 0644; ZIP64 extra fields for
sizes and offsets above ``ZIP64_LIMIT`` and a ZIP64 end record when the entry count,
central directory size or offset need it.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from cairn.core.errors import CairnError

__all__ = ["Archive", "ArchiveError", "ArchiveMember"]

# Above this a size or offset moves to a ZIP64 extra field. 2**31 - 1, like the standard
# library, because some readers treat the 32-bit fields as signed.
ZIP64_LIMIT = (1 << 31) - 1
# From this many entries on, the count moves to the ZIP64 end record.
ZIP_FILECOUNT_LIMIT = 0xFFFF
# Bump when the bytes produced for the same members change (it is part of fingerprint()).
FORMAT_VERSION = 1

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # 30 bytes
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # 46 bytes
_END = struct.Struct("<4s4H2LH")  # 22 bytes
_END64 = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_LOCATOR64 = struct.Struct("<4sLQL")  # 20 bytes
_DESCRIPTOR = struct.Struct("<4sLLL")  # 16 bytes
_DESCRIPTOR64 = struct.Struct("<4sLQQ")  # 24 bytes
_TIMESTAMP = struct.Struct("<HHBl")  # Info-ZIP "UT" extra with the mtime only: 9 bytes

_FLAG_DESCRIPTOR = 1 << 3
_FLAG_UTF8 = 1 << 11
_VERSION = 20  # 2.0: stored files and folders
_VERSION64 = 45  # 4.5: ZIP64
_MADE_BY_UNIX = 3
_MODE = 0o100644 << 16  # regular file, rw-r--r--
_MAX32 = 0xFFFFFFFF
_CHUNK = 64 * 1024
# control characters, backslashes, a leading "/", and empty, "." or ".." path segments
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\\]|^/|//|(?:^|/)\.{1,2}(?:/|$)|/$")

OpenRange = Callable[[int, int | None], Iterable[bytes]]


class ArchiveError(CairnError):
    """A member's bytes did not match what the archive announced; the stream must abort."""

    message = "The archive could not be produced."


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    """One file of the archive.

    ``open_range(start, end)`` yields the member's bytes from ``start`` up to ``end``
    (exclusive; ``None`` = to the end of the stored file). ``crc32``, when known, spares
    extra reads for ranges and is verified whenever the member is streamed whole.
    """

    arcname: str
    size: int
    mtime: datetime
    open_range: OpenRange
    crc32: int | None = None


class _Entry:
    """Where one member sits in the archive and what its headers say."""

    __slots__ = (
        "cd_len",
        "crc",
        "data_start",
        "desc_len",
        "dos_date",
        "dos_time",
        "end",
        "flags",
        "index",
        "member",
        "name",
        "offset",
        "stamp",
        "version",
        "zip64_offset",
        "zip64_sizes",
    )

    def __init__(self, member: ArchiveMember, index: int, offset: int) -> None:
        _check_member(member)
        self.member = member
        self.index = index
        self.name = member.arcname.encode("utf-8")
        self.offset = offset
        self.crc: int | None = 0 if member.size == 0 else member.crc32
        self.zip64_sizes = member.size > ZIP64_LIMIT
        self.zip64_offset = offset > ZIP64_LIMIT
        self.flags = 0 if member.arcname.isascii() else _FLAG_UTF8
        if self.crc is None:
            self.flags |= _FLAG_DESCRIPTOR
        self.version = _VERSION64 if self.zip64_sizes or self.zip64_offset else _VERSION
        self.dos_date, self.dos_time, self.stamp = _timestamps(member.mtime)
        extra_len = _TIMESTAMP.size + (20 if self.zip64_sizes else 0)
        self.data_start = offset + _LOCAL.size + len(self.name) + extra_len
        if self.crc is not None:
            self.desc_len = 0
        else:
            self.desc_len = _DESCRIPTOR64.size if self.zip64_sizes else _DESCRIPTOR.size
        self.end = self.data_start + member.size + self.desc_len
        n64 = 2 * self.zip64_sizes + self.zip64_offset
        self.cd_len = _CENTRAL.size + len(self.name) + _TIMESTAMP.size + (4 + 8 * n64 if n64 else 0)

    def local_header(self) -> bytes:
        size = self.member.size
        known = self.crc is not None
        extra = b""
        if self.zip64_sizes:
            # with a descriptor the real sizes follow the data, as the standard library does
            extra = struct.pack("<HHQQ", 1, 16, size if known else 0, size if known else 0)
            size32 = _MAX32
        else:
            size32 = size if known else 0
        extra += _TIMESTAMP.pack(0x5455, 5, 1, self.stamp)
        head = _LOCAL.pack(
            b"PK\x03\x04",
            self.version,
            0,
            self.flags,
            0,
            self.dos_time,
            self.dos_date,
            self.crc or 0,
            size32,
            size32,
            len(self.name),
            len(extra),
        )
        return head + self.name + extra

    def descriptor(self, crc: int) -> bytes:
        size = self.member.size
        if self.zip64_sizes:
            return _DESCRIPTOR64.pack(b"PK\x07\x08", crc, size, size)
        return _DESCRIPTOR.pack(b"PK\x07\x08", crc, size, size)

    def central_header(self, crc: int) -> bytes:
        size = self.member.size
        fields: list[int] = []
        size32 = size
        if self.zip64_sizes:
            fields += [size, size]
            size32 = _MAX32
        offset32 = self.offset
        if self.zip64_offset:
            fields.append(self.offset)
            offset32 = _MAX32
        extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
        extra += _TIMESTAMP.pack(0x5455, 5, 1, self.stamp)
        head = _CENTRAL.pack(
            b"PK\x01\x02",
            _VERSION64,
            _MADE_BY_UNIX,
            self.version,
            0,
            self.flags,
            0,
            self.dos_time,
            self.dos_date,
            crc,
            size32,
            size32,
            len(self.name),
            len(extra),
            0,
            0,
            0,
            _MODE,
            offset32,
        )
        return head + self.name + extra


class Archive:
    """A ZIP of ``members`` (in the given order) that can be streamed from any offset."""

    def __init__(self, members: Iterable[ArchiveMember]) -> None:
        self._entries: list[_Entry] = []
        self._offsets: list[int] = []
        names: set[str] = set()
        pos = 0
        for member in members:
            if member.arcname in names:
                raise ValueError(f"duplicate name in archive: {member.arcname!r}")
            names.add(member.arcname)
            entry = _Entry(member, len(self._entries), pos)
            self._entries.append(entry)
            self._offsets.append(pos)
            pos = entry.end
        self._cd_offset = pos
        self._cd_offsets: list[int] = []
        for entry in self._entries:
            self._cd_offsets.append(pos)
            pos += entry.cd_len
        self._cd_size = pos - self._cd_offset
        self._tail_offset = pos
        count = len(self._entries)
        # decided here, once: generation never looks at the limits again
        self._cd_size32 = _MAX32 if self._cd_size > ZIP64_LIMIT else self._cd_size
        self._cd_offset32 = _MAX32 if self._cd_offset > ZIP64_LIMIT else self._cd_offset
        self._count16 = 0xFFFF if count >= ZIP_FILECOUNT_LIMIT else count
        self._zip64_end = (self._count16, self._cd_size32, self._cd_offset32) != (
            count,
            self._cd_size,
            self._cd_offset,
        )
        tail_len = _END.size + (_END64.size + _LOCATOR64.size if self._zip64_end else 0)
        self._size = pos + tail_len
        self._crcs: list[int | None] = [entry.crc for entry in self._entries]

    def size(self) -> int:
        """The exact length of the archive in bytes; nothing is read."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    def member_span(self, index: int) -> tuple[int, int]:
        """Where member ``index``'s data lies in the archive, half-open."""
        entry = self._entries[index]
        return entry.data_start, entry.data_start + entry.member.size

    def fingerprint(self) -> str:
        """A digest of everything that decides the archive's bytes except member content.

        Combine it with the members' content checksums (blob ids) for a strong ETag.
        """
        digest = hashlib.sha256(f"cairn-zip/{FORMAT_VERSION}/{len(self)}".encode())
        for entry in self._entries:
            member = entry.member
            digest.update(f"\0{member.size}/{entry.stamp}/{entry.crc}/{len(entry.name)}/".encode())
            digest.update(entry.name)
        return digest.hexdigest()

    def iter_bytes(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Exactly the bytes ``[start, end)`` of the archive (``end=None``: to the end).

        Raises :class:`ArchiveError` while iterating when a member's stored bytes are shorter
        or longer than its declared size, or do not match its known CRC-32.
        """
        if end is None:
            end = self._size
        if not 0 <= start <= end <= self._size:
            raise ValueError(f"range [{start}, {end}) is outside the archive ({self._size})")
        return _coalesce(self._pieces(start, end)) if start < end else iter(())

    # -- generation ------------------------------------------------------------------------

    def _pieces(self, start: int, end: int) -> Iterator[bytes]:
        first = max(0, bisect.bisect_right(self._offsets, start) - 1)
        for index in range(first, len(self._entries)):
            entry = self._entries[index]
            if entry.offset >= end:
                break
            if entry.end > start:
                yield from self._member_pieces(entry, start, end)
        if end > self._cd_offset and self._entries:
            first = max(0, bisect.bisect_right(self._cd_offsets, start) - 1)
            for index in range(first, len(self._entries)):
                offset = self._cd_offsets[index]
                if offset >= end:
                    break
                entry = self._entries[index]
                piece = entry.central_header(self._crc(entry))
                yield _clip(piece, offset, start, end)
        if end > self._tail_offset:
            yield _clip(self._tail(), self._tail_offset, start, end)

    def _member_pieces(self, entry: _Entry, start: int, end: int) -> Iterator[bytes]:
        size = entry.member.size
        if start < entry.data_start:
            yield _clip(entry.local_header(), entry.offset, start, end)
        lo = max(start, entry.data_start) - entry.data_start
        hi = min(end, entry.data_start + size) - entry.data_start
        desc_start = entry.data_start + size
        needs_descriptor = entry.desc_len > 0 and end > desc_start
        if lo < hi:
            yield from self._member_data(entry, lo, hi, needs_descriptor)
        if needs_descriptor:
            crc = self._crc(entry)
            yield _clip(entry.descriptor(crc), desc_start, start, end)

    def _member_data(self, entry: _Entry, lo: int, hi: int, needs_crc: bool) -> Iterator[bytes]:
        """Stream member bytes [lo, hi); learn or check its CRC when it streams whole."""
        index = entry.index
        to_end = hi == entry.member.size
        running: int | None = None
        if to_end and lo == 0:
            running = 0
        elif to_end and needs_crc and self._crcs[index] is None:
            running = 0
            for chunk in _read(entry, 0, lo):  # the part before the range, for the CRC only
                running = zlib.crc32(chunk, running)
        for chunk in _read(entry, lo, hi):
            if running is not None:
                running = zlib.crc32(chunk, running)
            yield chunk
        if running is not None:
            self._learn_crc(index, entry, running)

    def _crc(self, entry: _Entry) -> int:
        index = entry.index
        crc = self._crcs[index]
        if crc is None:
            crc = 0
            for chunk in _read(entry, 0, entry.member.size):
                crc = zlib.crc32(chunk, crc)
            self._learn_crc(index, entry, crc)
        return crc

    def _learn_crc(self, index: int, entry: _Entry, crc: int) -> None:
        known = self._crcs[index]
        if known is not None and known != crc:
            raise ArchiveError(
                f"{entry.member.arcname!r}: stored bytes do not match the recorded CRC-32 "
                f"({crc:08x} != {known:08x})"
            )
        self._crcs[index] = crc

    def _tail(self) -> bytes:
        tail = b""
        if self._zip64_end:
            count, cd_size, cd_offset = len(self._entries), self._cd_size, self._cd_offset
            tail = _END64.pack(
                b"PK\x06\x06",
                44,
                _MADE_BY_UNIX << 8 | _VERSION64,
                _VERSION64,
                0,
                0,
                count,
                count,
                cd_size,
                cd_offset,
            )
            tail += _LOCATOR64.pack(b"PK\x06\x07", 0, self._tail_offset, 1)
        count16 = self._count16
        return tail + _END.pack(
            b"PK\x05\x06", 0, 0, count16, count16, self._cd_size32, self._cd_offset32, 0
        )


def _read(entry: _Entry, lo: int, hi: int) -> Iterator[bytes]:
    """Member bytes [lo, hi) from storage, checked against the declared size."""
    if lo >= hi:
        return
    member = entry.member
    expected = hi - lo
    chunks = iter(member.open_range(lo, None if hi == member.size else hi))
    got = 0
    try:
        for chunk in chunks:
            got += len(chunk)
            if got > expected:
                raise ArchiveError(
                    f"{member.arcname!r}: storage returned more than the {expected} bytes "
                    f"expected from offset {lo} (declared size {member.size})"
                )
            if chunk:
                yield chunk if type(chunk) is bytes else bytes(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    if got < expected:
        raise ArchiveError(
            f"{member.arcname!r}: storage ended after {got} of the {expected} bytes expected "
            f"from offset {lo} (declared size {member.size})"
        )


def _clip(piece: bytes, offset: int, start: int, end: int) -> bytes:
    """The part of ``piece`` (which starts at ``offset``) inside [start, end)."""
    if offset >= start and offset + len(piece) <= end:
        return piece
    return piece[max(0, start - offset) : max(0, end - offset)]


def _coalesce(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Join small pieces (headers, tiny members) into chunks of about 64 KiB."""
    buffer = bytearray()
    for piece in pieces:
        if len(piece) >= _CHUNK:
            if buffer:
                yield bytes(buffer)
                buffer.clear()
            yield piece
        elif piece:
            buffer += piece
            if len(buffer) >= _CHUNK:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def _timestamps(mtime: datetime) -> tuple[int, int, int]:
    """(DOS date, DOS time, Unix seconds) of ``mtime`` in UTC; naive means UTC."""
    utc = mtime.replace(tzinfo=UTC) if mtime.tzinfo is None else mtime.astimezone(UTC)
    if utc.year < 1980:
        parts = (1980, 1, 1, 0, 0, 0)
    elif utc.year > 2107:
        parts = (2107, 12, 31, 23, 59, 58)
    else:
        parts = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    dos_date = (parts[0] - 1980) << 9 | parts[1] << 5 | parts[2]
    dos_time = parts[3] << 11 | parts[4] << 5 | parts[5] // 2
    stamp = min(max(int(utc.timestamp()), 0), (1 << 31) - 1)
    return dos_date, dos_time, stamp


def _check_member(member: ArchiveMember) -> None:
    name = member.arcname
    if not isinstance(member.size, int) or member.size < 0:
        raise ValueError(f"{name!r}: size must be a non-negative integer")
    crc = member.crc32
    if crc is not None and not 0 <= crc <= _MAX32:
        raise ValueError(f"{name!r}: crc32 must be an unsigned 32-bit integer")
    if member.size == 0 and crc not in (None, 0):
        raise ValueError(f"{name!r}: an empty member's CRC-32 is 0")
    # the files service already refuses such keys; an archive must never carry a path that
    # escapes the folder it is unpacked into
    if not name or _UNSAFE_NAME.search(name):
        raise ValueError(f"unsafe name in archive: {name!r}")
    if len(name.encode("utf-8")) > 0xFFFF:
        raise ValueError(f"{name!r}: name longer than 65535 bytes")
