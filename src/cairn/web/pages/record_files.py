"""A record's files as a folder tree: keys containing ``/`` form folders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote


@dataclass
class FileNode:
    key: str
    name: str
    size: int
    checksum: str
    mimetype: str
    url: str  # the landing page's file route (opens in the browser when safe)
    download_url: str  # the same, as an attachment


@dataclass
class Folder:
    name: str
    path: str
    folders: list[Folder] = field(default_factory=list)
    files: list[FileNode] = field(default_factory=list)
    count: int = 0
    size: int = 0


@dataclass(frozen=True)
class FilesView:
    """What the files section shows: the tree, totals, and what is left out."""

    tree: Folder
    count: int  # committed files of the record
    total_bytes: int
    shown: int  # files in the tree (a very large record lists the rest through the API)
    restricted: bool  # files exist but the caller may not see them
    archive_url: str
    list_url: str
    open_folders: bool


def file_url(record_id: str, key: str, *, preview: bool = False, download: bool = False) -> str:
    query = [name for name, on in (("preview=1", preview), ("download=1", download)) if on]
    path = f"/records/{quote(record_id, safe='')}/files/{quote(key, safe='/')}"
    return path + ("?" + "&".join(query) if query else "")


def build_tree(record_id: str, entries: Iterable[dict[str, Any]], preview: bool = False) -> Folder:
    """Nest ``entries`` (``files.entries`` values) by the folders of their keys; folders
    first, then files, each sorted by name; counts and sizes summed up the tree."""
    root = Folder("", "")
    index: dict[str, Folder] = {"": root}
    for entry in entries:
        key = str(entry.get("key") or "")
        if not key:
            continue
        *parts, name = key.split("/")
        node = root
        path = ""
        for part in parts:
            path = f"{path}{part}/"
            child = index.get(path)
            if child is None:
                child = index[path] = Folder(part, path)
                node.folders.append(child)
            node = child
        size = int(entry.get("size") or 0)
        node.files.append(
            FileNode(
                key=key,
                name=name,
                size=size,
                checksum=str(entry.get("checksum") or ""),
                mimetype=str(entry.get("mimetype") or ""),
                url=file_url(record_id, key, preview=preview),
                download_url=file_url(record_id, key, preview=preview, download=True),
            )
        )
    _finish(root)
    return root


def _finish(folder: Folder) -> None:
    folder.folders.sort(key=lambda f: f.name.casefold())
    folder.files.sort(key=lambda f: f.name.casefold())
    folder.count = len(folder.files)
    folder.size = sum(f.size for f in folder.files)
    for child in folder.folders:
        _finish(child)
        folder.count += child.count
        folder.size += child.size


def files_view(record: dict[str, Any], *, preview: bool = False) -> FilesView | None:
    """The files section of ``record`` (API shape), or None for a metadata-only record."""
    files = record.get("files") or {}
    if not files.get("enabled"):
        return None
    rid = str(record["id"])
    listed = files.get("entries") or {}
    entries = [
        e
        for e in listed.values()
        if isinstance(e, dict) and not (e.get("access") or {}).get("hidden")
    ]
    count = int(files.get("count") or 0)
    tree = build_tree(rid, entries, preview)
    api = f"/api/records/{quote(rid, safe='')}/{'draft/' if preview else ''}"
    return FilesView(
        tree=tree,
        count=count,
        total_bytes=int(files.get("total_bytes") or 0),
        shown=tree.count,
        restricted=count > 0 and not listed,
        archive_url=api + "files-archive",
        list_url=api + "files",
        open_folders=tree.count <= 50,
    )
