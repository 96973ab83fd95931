"""The streamed, seekable "download all" ZIP (cairn.files.archive)."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.files import archive as archive_module
from cairn.files.archive import Archive, ArchiveError, ArchiveMember

MTIME = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
GIB = 1 << 30
OpenRange = Callable[[int, int | None], Iterator[bytes]]


class Source:
    """In-memory bytes behind a member, recording every open_range call."""

    def __init__(self, data: bytes, chunk: int = 7, stored: bytes | None = None) -> None:
        self.data = data
        self.stored = data if stored is None else stored  # what storage really holds
        self.chunk = chunk
        self.calls: list[tuple[int, int | None]] = []
        self.closed = 0

    def open_range(self, start: int, end: int | None) -> Iterator[bytes]:
        self.calls.append((start, end))
        stop = len(self.stored) if end is None else min(end, len(self.stored))
        try:
            for pos in range(start, stop, self.chunk):
                yield self.stored[pos : min(pos + self.chunk, stop)]
        finally:
            self.closed += 1


def member(
    name: str,
    data: bytes,
    *,
    known_crc: bool = True,
    mtime: datetime = MTIME,
    chunk: int = 7,
    stored: bytes | None = None,
) -> tuple[ArchiveMember, Source]:
    source = Source(data, chunk, stored)
    crc = zlib.crc32(data) if known_crc else None
    return ArchiveMember(name, len(data), mtime, source.open_range, crc), source


def build(*specs: tuple[str, bytes, bool]) -> tuple[Archive, list[Source]]:
    pairs = [member(name, data, known_crc=known) for name, data, known in specs]
    return Archive(m for m, _ in pairs), [s for _, s in pairs]


def whole(archive: Archive, start: int = 0, end: int | None = None) -> bytes:
    return b"".join(archive.iter_bytes(start, end))


def check_zip(data: bytes, expected: dict[str, bytes]) -> zipfile.ZipFile:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    assert [info.filename for info in zf.infolist()] == list(expected)
    for info in zf.infolist():
        content = expected[info.filename]
        assert zf.read(info) == content
        assert zlib.crc32(content) == info.CRC
        assert info.file_size == info.compress_size == len(content)
        assert info.compress_type == zipfile.ZIP_STORED
    return zf


def unzip_test(path: Path, data: bytes) -> None:
    if shutil.which("unzip") is None:
        return
    path.write_bytes(data)
    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors detected" in result.stdout


MIXED = (
    ("README.md", b"# Data\n", True),
    ("data/é漢字 (v2).bin", bytes(range(256)) * 300, False),
    ("data/empty.txt", b"", False),
    ("data/sub/x.csv", b"a,b\n1,2\n" * 1000, True),
    ("z", b"\x00", False),
)


# -- layout and read-back ----------------------------------------------------------------


def test_empty_archive() -> None:
    archive = Archive([])
    data = whole(archive)
    assert archive.size() == len(data) == 22
    assert len(archive) == 0
    assert zipfile.ZipFile(io.BytesIO(data)).infolist() == []
    assert whole(archive, 5, 9) == data[5:9]


@pytest.mark.parametrize("known", [True, False])
def test_single_member(tmp_path: Path, known: bool) -> None:
    archive, _ = build(("hello.txt", b"hello world", known))
    data = whole(archive)
    assert archive.size() == len(data)
    zf = check_zip(data, {"hello.txt": b"hello world"})
    assert bool(zf.infolist()[0].flag_bits & 0x08) is not known  # data descriptor
    unzip_test(tmp_path / "a.zip", data)


def test_many_members_mixed(tmp_path: Path) -> None:
    archive, sources = build(*MIXED)
    data = whole(archive)
    assert archive.size() == len(data)
    zf = check_zip(data, {name: content for name, content, _ in MIXED})
    infos = {info.filename: info for info in zf.infolist()}
    assert infos["data/é漢字 (v2).bin"].flag_bits & 0x800  # UTF-8 name
    assert not infos["README.md"].flag_bits & 0x800
    assert not infos["data/empty.txt"].flag_bits & 0x08  # empty: CRC known to be 0
    assert infos["README.md"].external_attr >> 16 == 0o100644
    unzip_test(tmp_path / "a.zip", data)
    # a full stream reads each non-empty member exactly once, from the start, to its end
    assert [s.calls for s in sources] == [[(0, None)], [(0, None)], [], [(0, None)], [(0, None)]]
    assert all(s.closed == len(s.calls) for s in sources)


def test_member_spans_point_at_the_data() -> None:
    archive, _ = build(*MIXED)
    data = whole(archive)
    for index, (_, content, _) in enumerate(MIXED):
        start, end = archive.member_span(index)
        assert data[start:end] == content


def test_times_are_utc_with_extended_timestamp() -> None:
    paris = timezone(timedelta(hours=2))
    specs = [
        ("aware", datetime(2024, 5, 6, 9, 8, 9, tzinfo=paris)),  # 07:08:09 UTC
        ("naive", datetime(2024, 5, 6, 7, 8, 9)),  # taken as UTC
        ("old", datetime(1970, 1, 2, tzinfo=UTC)),
        ("future", datetime(2200, 1, 1, tzinfo=UTC)),
    ]
    archive = Archive(member(name, b"x", mtime=mtime)[0] for name, mtime in specs)
    zf = zipfile.ZipFile(io.BytesIO(whole(archive)))
    times = {info.filename: info.date_time for info in zf.infolist()}
    assert times["aware"] == times["naive"] == (2024, 5, 6, 7, 8, 8)  # DOS: 2 s resolution
    assert times["old"] == (1980, 1, 1, 0, 0, 0)
    assert times["future"] == (2107, 12, 31, 23, 59, 58)
    extra = zf.getinfo("aware").extra
    assert extra[:5] == struct.pack("<HHB", 0x5455, 5, 1)
    assert struct.unpack("<l", extra[5:9])[0] == int(MTIME.timestamp())


def test_same_members_give_the_same_bytes_and_fingerprint() -> None:
    first, _ = build(*MIXED)
    second, _ = build(*MIXED)
    assert whole(first) == whole(second)
    assert first.fingerprint() == second.fingerprint()
    changed = [
        Archive([member("a", b"x", mtime=MTIME + timedelta(seconds=1))[0]]),
        Archive([member("a", b"xy")[0]]),
        Archive([member("b", b"x")[0]]),
        Archive([member("a", b"x", known_crc=False)[0]]),
    ]
    prints = {a.fingerprint() for a in changed} | {Archive([member("a", b"x")[0]]).fingerprint()}
    assert len(prints) == 5


# -- validation --------------------------------------------------------------------------


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Archive([member("a/b", b"1")[0], member("a/b", b"2")[0]])


UNSAFE = ["", "/etc/passwd", "..", "../up", "a/../../up", "a/..", "a//b", "./a", "a/.", "a/"]


@pytest.mark.parametrize("name", [*UNSAFE, "a\\b", "a\x00b", "a\nb", "a\x7fb"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        Archive([member(name, b"x")[0]])


def test_unusual_but_safe_names_are_kept() -> None:
    names = ["...", ".hidden", "a./b", "..a/b..", "a/...b", "sp ace/é 漢字.txt", "x" * 1024]
    data = whole(Archive(member(name, name.encode())[0] for name in names))
    check_zip(data, {name: name.encode() for name in names})


def test_bad_sizes_and_crcs_are_refused() -> None:
    def opener(start: int, end: int | None) -> Iterator[bytes]:
        yield b""

    with pytest.raises(ValueError):
        Archive([ArchiveMember("a", -1, MTIME, opener)])
    with pytest.raises(ValueError):
        Archive([ArchiveMember("a", 1, MTIME, opener, crc32=1 << 32)])
    with pytest.raises(ValueError):
        Archive([ArchiveMember("a", 0, MTIME, opener, crc32=5)])


@pytest.mark.parametrize("bounds", [(-1, 5), (5, 4), (0, 10**9)])
def test_ranges_outside_the_archive_are_refused_at_once(bounds: tuple[int, int]) -> None:
    archive, _ = build(("a", b"abc", True))
    with pytest.raises(ValueError):
        archive.iter_bytes(*bounds)


# -- ranges ------------------------------------------------------------------------------


names = st.lists(
    st.text(st.sampled_from("ab.é漢-_ "), min_size=1, max_size=4).filter(
        lambda s: s not in (".", "..")
    ),
    min_size=1,
    max_size=3,
).map("/".join)
members_strategy = st.lists(
    st.tuples(names, st.binary(max_size=200), st.booleans()),
    max_size=5,
    unique_by=lambda spec: spec[0],
)


@settings(max_examples=150, deadline=None)
@given(
    specs=members_strategy,
    bounds=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    small_limits=st.booleans(),
)
def test_every_range_is_the_slice_of_the_whole(
    specs: list[tuple[str, bytes, bool]], bounds: tuple[float, float], small_limits: bool
) -> None:
    limit = 64 if small_limits else archive_module.ZIP64_LIMIT
    count = 2 if small_limits else archive_module.ZIP_FILECOUNT_LIMIT
    with (
        mock.patch.object(archive_module, "ZIP64_LIMIT", limit),
        mock.patch.object(archive_module, "ZIP_FILECOUNT_LIMIT", count),
    ):
        archive, _ = build(*specs)
        full = whole(archive)
        assert len(full) == archive.size()
        check_zip(full, {name: data for name, data, _ in specs})
        fresh, _ = build(*specs)  # no CRC learnt from an earlier pass
        a, b = sorted(int(x * archive.size()) for x in bounds)
        assert whole(fresh, a, b) == full[a:b]


def test_a_range_opens_only_the_members_it_covers() -> None:
    specs = [(f"f{i}", bytes([i]) * 1000, True) for i in range(5)]
    archive, sources = build(*specs)
    full = whole(archive)
    for source in sources:
        source.calls.clear()
    start, end = archive.member_span(2)
    assert whole(archive, start + 100, start + 200) == full[start + 100 : start + 200]
    assert [s.calls for s in sources] == [[], [], [(100, 200)], [], []]
    # from inside member 2 to inside member 3: the end of 2, the start of 3
    sources[2].calls.clear()
    next_start, _ = archive.member_span(3)
    assert whole(archive, end - 10, next_start + 10) == full[end - 10 : next_start + 10]
    assert [s.calls for s in sources] == [[], [], [(990, None)], [(0, 10)], []]
    # the central directory and the end record need no member data when CRCs are known
    sources[2].calls.clear()
    sources[3].calls.clear()
    _, last_end = archive.member_span(4)
    assert whole(archive, last_end) == full[last_end:]
    assert all(s.calls == [] for s in sources)


def test_unknown_crcs_are_computed_only_when_a_range_needs_them() -> None:
    specs = [(f"f{i}", bytes([i]) * 1000, False) for i in range(3)]
    archive, sources = build(*specs)
    full = whole(archive)
    archive, sources = build(*specs)  # fresh: nothing learnt yet
    start, end = archive.member_span(1)
    # data only: no CRC needed
    assert whole(archive, start + 10, start + 20) == full[start + 10 : start + 20]
    assert [s.calls for s in sources] == [[], [(10, 20)], []]
    sources[1].calls.clear()
    # into the descriptor: the skipped prefix is read for the CRC, then the rest streams
    assert whole(archive, start + 500, end + 4) == full[start + 500 : end + 4]
    assert sources[1].calls == [(0, 500), (500, None)]
    sources[1].calls.clear()
    # the central directory: member 1's CRC is now known, members 0 and 2 are read for theirs
    _, last_end = archive.member_span(2)
    assert whole(archive, last_end + 16) == full[last_end + 16 :]
    assert [s.calls for s in sources] == [[(0, None)], [], [(0, None)]]


def test_small_pieces_are_coalesced_and_big_chunks_pass_through() -> None:
    tiny = Archive(member(f"f{i}", b"x" * 10)[0] for i in range(2000))
    chunks = list(tiny.iter_bytes())
    assert len(chunks) < 10
    assert sum(map(len, chunks)) == tiny.size()
    big, _ = member("big", b"\x01" * (4 << 20), chunk=1 << 20)
    chunks = list(Archive([big]).iter_bytes())
    assert max(map(len, chunks)) == 1 << 20  # never a joined copy of the member


def test_other_buffer_types_come_out_as_bytes() -> None:
    def opener(start: int, end: int | None) -> Iterator[bytes]:
        yield bytearray(b"ab")  # type: ignore[misc]
        yield memoryview(b"cd")  # type: ignore[misc]

    archive = Archive([ArchiveMember("a", 4, MTIME, opener, zlib.crc32(b"abcd"))])
    chunks = list(archive.iter_bytes())
    assert all(type(c) is bytes for c in chunks)
    check_zip(b"".join(chunks), {"a": b"abcd"})


def test_stopping_early_closes_the_member_stream() -> None:
    m, source = member("a", b"x" * 200_000, chunk=70_000)
    stream = Archive([m]).iter_bytes()
    next(stream)
    stream.close()  # type: ignore[attr-defined]
    assert source.calls and source.closed == 1


# -- never a silently broken archive -----------------------------------------------------


def collect_until_error(stream: Iterator[bytes]) -> bytes:
    got = bytearray()
    with pytest.raises(ArchiveError):
        for chunk in stream:
            got += chunk
    return bytes(got)


@pytest.mark.parametrize("known", [True, False])
@pytest.mark.parametrize("stored", [b"x" * 99, b"x" * 101, b""])
def test_short_or_long_member_data_aborts(known: bool, stored: bytes) -> None:
    first, _ = member("first", b"x" * 100, known_crc=known, stored=stored)
    archive = Archive([first, member("second", b"abc")[0]])
    sent = collect_until_error(archive.iter_bytes())
    assert b"PK\x01\x02" not in sent and b"PK\x05\x06" not in sent  # no directory, no end
    assert len(sent) < archive.size()


def test_a_range_that_gets_too_much_or_too_little_aborts() -> None:
    m, _ = member("a", b"x" * 100, stored=b"x" * 50)
    archive = Archive([m])
    start, _ = archive.member_span(0)
    collect_until_error(archive.iter_bytes(start + 40, start + 60))

    def greedy(start: int, end: int | None) -> Iterator[bytes]:
        yield b"x" * 100  # ignores the requested end

    archive = Archive([ArchiveMember("a", 100, MTIME, greedy, zlib.crc32(b"x" * 100))])
    start, _ = archive.member_span(0)
    collect_until_error(archive.iter_bytes(start + 10, start + 20))


def test_corrupt_storage_is_caught_by_a_known_crc() -> None:
    m, _ = member("a", b"x" * 100, stored=b"x" * 99 + b"y")
    sent = collect_until_error(Archive([m]).iter_bytes())
    assert b"PK\x01\x02" not in sent


def test_unknown_crc_read_for_the_directory_checks_the_size() -> None:
    m, _ = member("a", b"x" * 100, known_crc=False, stored=b"x" * 80)
    archive = Archive([m])
    _, end = archive.member_span(0)
    collect_until_error(archive.iter_bytes(end + 16))


# -- ZIP64 -------------------------------------------------------------------------------


def test_zip64_extras_and_descriptors_with_lowered_limits(tmp_path: Path) -> None:
    specs = [(f"f{i}", bytes([65 + i]) * (50 + 30 * i), i % 2 == 0) for i in range(6)]
    with (
        mock.patch.object(archive_module, "ZIP64_LIMIT", 100),
        mock.patch.object(archive_module, "ZIP_FILECOUNT_LIMIT", 4),
    ):
        archive, _ = build(*specs)
    data = whole(archive)
    assert archive.size() == len(data)
    assert b"PK\x06\x06" in data[-98:] and b"PK\x06\x07" in data[-42:]
    end = struct.unpack("<4s4H2LH", data[-22:])
    assert end[3:7] == (0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    zf = check_zip(data, {name: content for name, content, _ in specs})
    for info in zf.infolist():
        needs_zip64 = info.file_size > 100 or info.header_offset > 100
        assert info.extra.startswith(b"\x01\x00") is needs_zip64  # ZIP64 extra first
    assert [i.header_offset > 100 for i in zf.infolist()] == [False] * 2 + [True] * 4
    assert [i.file_size > 100 for i in zf.infolist()] == [False] * 2 + [True] * 4
    unzip_test(tmp_path / "z64.zip", data)


def test_more_than_65535_members(tmp_path: Path) -> None:
    count = 70_000

    def one_byte(value: int) -> OpenRange:
        return lambda start, end: iter([bytes([value])])

    members = [ArchiveMember(f"d{i % 7}/{i}", 1, MTIME, one_byte(i % 256)) for i in range(count)]
    archive = Archive(members)
    data = whole(archive)
    assert archive.size() == len(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    assert len(infos) == count
    assert infos[-1].filename == f"d{(count - 1) % 7}/{count - 1}"
    assert zf.read(infos[-1]) == bytes([(count - 1) % 256])
    assert struct.unpack("<H", data[-12:-10])[0] == 0xFFFF  # count is in the ZIP64 record
    unzip_test(tmp_path / "many.zip", data)


class ArchiveFile(io.RawIOBase):
    """A read-only seekable view of an archive, fetching only the ranges read."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.archive.size()}[whence]
        self.pos = base + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        end = min(self.pos + len(buffer), self.archive.size())
        data = whole(self.archive, self.pos, end) if end > self.pos else b""
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def zeros(size: int, calls: list[tuple[int, int | None]]) -> OpenRange:
    def open_range(start: int, end: int | None) -> Iterator[bytes]:
        calls.append((start, end))
        stop = size if end is None else end
        block = bytes(1 << 20)
        for pos in range(start, stop, len(block)):
            yield block[: min(len(block), stop - pos)]

    return open_range


def test_a_member_over_4_gib(tmp_path: Path) -> None:
    big_size = 5 * GIB + 3
    calls: list[tuple[int, int | None]] = []
    fake_crc = 0x1234ABCD  # never verified: the member is never streamed whole here
    members = [
        member("before.txt", b"before")[0],
        ArchiveMember("big.bin", big_size, MTIME, zeros(big_size, calls), fake_crc),
        member("after.txt", b"after")[0],
    ]
    archive = Archive(members)
    big_start, big_end = archive.member_span(1)
    after_start, _ = archive.member_span(2)
    assert big_end - big_start == big_size
    # local header of "after.txt": 30 + name + 9 (UT), no ZIP64 extra for a small member
    assert after_start == big_end + 30 + len("after.txt") + 9
    assert archive.size() > big_size

    # a range in the middle of the big member opens only that slice
    middle = big_start + 4 * GIB
    assert whole(archive, middle, middle + 1000) == bytes(1000)
    assert calls == [(4 * GIB, 4 * GIB + 1000)]

    # the tail (after.txt, directory, ZIP64 end) is produced without reading big.bin
    calls.clear()
    tail = whole(archive, big_end)
    assert calls == []
    assert len(tail) == archive.size() - big_end
    assert tail[-98:-94] == b"PK\x06\x06"

    # zipfile reads the structure through ranges only
    zf = zipfile.ZipFile(ArchiveFile(archive))
    infos = {info.filename: info for info in zf.infolist()}
    assert infos["big.bin"].file_size == big_size
    assert fake_crc == infos["big.bin"].CRC
    assert infos["after.txt"].header_offset == big_end
    assert zf.read("after.txt") == b"after"
    with zf.open("big.bin") as stream:
        assert stream.read(1 << 16) == bytes(1 << 16)
    assert all(end is not None and end - start <= 1 << 20 for start, end in calls)

    # unzip agrees on the layout: write the archive sparsely (the hole reads as zeros)
    if shutil.which("unzip"):
        path = tmp_path / "big.zip"
        with path.open("wb") as out:
            out.write(whole(archive, 0, big_start))
            out.seek(big_end)
            out.write(tail)
        listing = subprocess.run(["unzip", "-l", str(path)], capture_output=True, text=True)
        assert listing.returncode == 0, listing.stdout + listing.stderr
        assert f"{big_size}" in listing.stdout and "after.txt" in listing.stdout
