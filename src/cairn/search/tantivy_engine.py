"""The embedded search engine: Tantivy indexes in a folder, versions behind alias files.

Layout under ``root`` (see docs/search.md): ``<prefix><name>-<stamp>/`` is one version of an
index (a Tantivy index plus ``cairn-index.json``: format, stemming language, fields) and
``<prefix><name>.alias`` names the live version.  A version is addressed by its physical
name ``<name>-<stamp>`` (what :meth:`TantivyEngine.create_version` returns); every method
taking an index name accepts either the alias name or a physical name.

One writer per index per process: open indexes are shared by every engine of the process
that points at the same folder, and the writer stays open between commits.  Each
:meth:`~TantivyEngine.apply` is one commit that also replaces a small state document holding
the change-log sequence, so the sequence is exactly as durable as the documents.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer

from cairn.search import facets
from cairn.search.cursor import count, decode, page, resolve_sort
from cairn.search.documents import FIELDS, META_ID, NAMES, TEXT
from cairn.search.engine import Delete, SearchRequest, SearchResult, Upsert
from cairn.search.query import QueryBuilder, is_engine_failure

FORMAT = 1
META_FILE = "cairn-index.json"
MAX_SIZE = 10_000
_OWN = ("id", "meta_seq")  # set by the engine, never by a document
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class IndexNotFound(LookupError):
    pass


def _analyzer(language: str | None, fold_only: bool = False) -> tantivy.TextAnalyzer:
    tokenizer = Tokenizer.raw() if fold_only else Tokenizer.simple()
    builder = TextAnalyzerBuilder(tokenizer)
    if not fold_only:
        builder = builder.filter(Filter.remove_long(64))
    builder = builder.filter(Filter.lowercase()).filter(Filter.ascii_fold())
    if language:
        builder = builder.filter(Filter.stemmer(language))
    return builder.build()


def _schema(fields: Sequence[str]) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in fields:
        spec = FIELDS[name]
        if spec.kind == "text":
            builder.add_text_field(name, stored=spec.stored, tokenizer_name=spec.analyzer)
        elif spec.kind == "raw":
            builder.add_text_field(name, stored=spec.stored, fast=spec.fast, tokenizer_name="raw")
        else:
            add = {
                "u64": builder.add_unsigned_field,
                "i64": builder.add_integer_field,
                "bool": builder.add_boolean_field,
                "date": builder.add_date_field,
            }[spec.kind]
            add(name, stored=spec.stored, indexed=spec.indexed, fast=spec.fast)
    return builder.build()


def _values(kind: str, value: Any, lower: bool) -> list[Any]:
    items = value if isinstance(value, list | tuple) else [value]
    out: list[Any] = []
    for item in items:
        if item is None:
            continue
        if kind in ("text", "raw") and isinstance(item, str):
            out.append(item.lower() if lower else item)
        elif kind == "bool" and isinstance(item, bool):
            out.append(item)
        elif kind in ("u64", "i64") and isinstance(item, int) and not isinstance(item, bool):
            if kind == "i64" or item >= 0:
                out.append(item)
        elif kind == "date" and hasattr(item, "tzinfo"):
            out.append(item)
    return out


class _Handle:
    """One open physical index: Tantivy index, query builder, lazily opened writer."""

    def __init__(self, path: Path | None, *, language: str, heap_size: int, create: bool) -> None:
        """``path`` None: a throwaway index in memory (see :mod:`cairn.search.percolate`)."""
        self.path = path
        self.heap_size = heap_size
        self.lock = threading.Lock()
        self.closed = False
        self._writer: tantivy.IndexWriter | None = None
        meta: dict[str, Any] = {"format": FORMAT, "language": language, "fields": list(FIELDS)}
        if path is None:
            self.index = tantivy.Index(_schema(meta["fields"]))
        elif create:
            path.mkdir(parents=True, exist_ok=False)
            self.index = tantivy.Index(_schema(meta["fields"]), str(path), reuse=False)
            tmp = path / f"{META_FILE}.tmp"
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, path / META_FILE)
        else:
            meta = json.loads((path / META_FILE).read_text())
            self.index = tantivy.Index.open(str(path))
        stem = meta.get("language") or None
        stem = None if stem == "none" else stem
        self.fields = frozenset(f for f in meta["fields"] if f in FIELDS)
        self.index.register_tokenizer(TEXT, _analyzer(stem))
        self.index.register_tokenizer(NAMES, _analyzer(None))
        self.index.config_reader("OnCommit")
        self.schema = self.index.schema
        self.builder = QueryBuilder(
            self.schema,
            {TEXT: _analyzer(stem), NAMES: _analyzer(None)},
            _analyzer(None, fold_only=True),
            self.fields,
        )
        self.state_doc = Query.term_query(self.schema, "id", META_ID)

    def writer(self, heap_size: int | None = None) -> tantivy.IndexWriter:
        """The open writer, or a new one: by default the small single-threaded writer of
        incremental commits; a bulk load asks for a large heap and all cores."""
        if self._writer is None:
            if heap_size is None:
                self._writer = self.index.writer(self.heap_size, num_threads=1)
            else:
                self._writer = self.index.writer(heap_size)
        return self._writer

    def document(self, doc_id: str, document: dict[str, Any]) -> tantivy.Document:
        """The Tantivy document; values of a wrong type are left out, never an error."""
        values = {
            name: value
            for name, value in document.items()
            if name in self.fields and value is not None and value != [] and name not in _OWN
        }
        values["id"] = doc_id.lower()
        try:  # the fast path: record_document's output is already typed
            return tantivy.Document.from_dict(values, self.schema)
        except (ValueError, TypeError, OverflowError):
            pass
        checked: dict[str, Any] = {}
        for name, value in values.items():
            spec = FIELDS[name]
            kept = _values(spec.kind, value, spec.lower)
            if kept:
                checked[name] = kept
        return tantivy.Document.from_dict(checked, self.schema)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None


_OPEN: weakref.WeakValueDictionary[str, _Handle] = weakref.WeakValueDictionary()
_OPEN_LOCK = threading.Lock()
# Tantivy commits of different indexes in one process, one at a time: concurrent commits
# (the live writer and a migration) were seen to hang inside the writer now and then.
_COMMIT_LOCK = threading.Lock()


def scratch_index(language: str, heap_size: int) -> _Handle:
    """A throwaway index in memory, with the fields, analysers and query builder of the
    indexes on disk (see :mod:`cairn.search.percolate`)."""
    return _Handle(None, language=language, heap_size=heap_size, create=True)


def commit_alone(writer: tantivy.IndexWriter) -> None:
    """Commit ``writer`` while no other index of the process commits (see ``_COMMIT_LOCK``)."""
    with _COMMIT_LOCK:
        writer.commit()


class TantivyEngine:
    """:class:`cairn.search.engine.SearchEngine` on Tantivy indexes under ``root``."""

    def __init__(
        self,
        root: Path,
        prefix: str = "",
        *,
        language: str = "english",
        heap_size: int = 16_000_000,
        bulk_heap_size: int = 256_000_000,
        search_threads: int = 2,
    ) -> None:
        if prefix and not _NAME.match(prefix):
            raise ValueError(f"invalid index prefix {prefix!r}")
        self.root = Path(root)
        self.prefix = prefix
        self.language = language
        self.heap_size = heap_size  # the long-lived writer of small incremental commits
        self.bulk_heap_size = bulk_heap_size  # a bulk load's writer (closed after it)
        self.search_threads = search_threads
        _analyzer(None if language == "none" else language)  # fail early on a bad language
        self._held: dict[str, _Handle] = {}
        self._threads: ThreadPoolExecutor | None = None
        self._threads_lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor | None:
        """Threads that count facets while the page is fetched (Tantivy releases the GIL)."""
        if self.search_threads < 1:
            return None
        with self._threads_lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.search_threads, "cairn-search")
            return self._threads

    # -- names, versions, aliases ----------------------------------------------------------
    def _path(self, physical: str) -> Path:
        if not _NAME.match(physical):
            raise ValueError(f"invalid index name {physical!r}")
        return self.root / f"{self.prefix}{physical}"

    def _alias_path(self, name: str) -> Path:
        return self._path(name).with_name(f"{self.prefix}{name}.alias")

    def alias_target(self, name: str) -> str | None:
        """The physical name of the version ``name`` serves (``None``: no alias)."""
        try:
            return self._alias_path(name).read_text().strip() or None
        except FileNotFoundError:
            return None

    def switch_alias(self, name: str, version: str) -> None:
        """Point ``name`` at ``version`` atomically (readers follow on their next search)."""
        if not (self._path(version) / META_FILE).exists():
            raise IndexNotFound(f"no index version {version!r}")
        alias = self._alias_path(name)
        tmp = alias.with_name(f"{alias.name}.{os.getpid()}.tmp")
        with open(tmp, "w") as handle:
            handle.write(version + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, alias)

    def create_version(self, name: str) -> str:
        """A new empty version of ``name`` beside the live one; returns its physical name."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = int(time.time())
        while self._path(f"{name}-{stamp}").exists():
            stamp += 1
        version = f"{name}-{stamp}"
        self._open(version, create=True)
        return version

    def versions(self, name: str) -> list[str]:
        pattern = re.compile(rf"^{re.escape(self.prefix + name)}-(\d+)$")
        if not self.root.is_dir():
            return []
        found = [p.name for p in self.root.iterdir() if pattern.match(p.name) and p.is_dir()]
        return sorted(n[len(self.prefix) :] for n in found)

    def drop_version(self, version: str) -> None:
        """Delete one version (not the live one: switch the alias first)."""
        for alias in self.root.glob(f"{self.prefix}*.alias"):
            if (
                alias.read_text().strip() == version
                and alias.name != f"{self.prefix}{version}.alias"
            ):
                raise ValueError(f"{version} is live behind {alias.name}; switch the alias first")
        self._remove(version)

    def _remove(self, version: str) -> None:
        path = self._path(version)
        with _OPEN_LOCK:
            handle = _OPEN.pop(str(path), None)
        self._held.pop(version, None)
        if handle is not None:
            handle.close()
        shutil.rmtree(path, ignore_errors=True)

    def ensure_index(self, name: str) -> None:
        target = self.alias_target(name)
        if target is not None and (self._path(target) / META_FILE).exists():
            return
        if target is None and (self._path(name) / META_FILE).exists():
            return  # a physical version
        self.switch_alias(name, self.create_version(name))

    def drop_index(self, name: str) -> None:
        for version in self.versions(name):
            self._remove(version)
        self._alias_path(name).unlink(missing_ok=True)

    def _physical(self, name: str) -> str:
        target = self.alias_target(name)
        if target is not None:
            return target
        if (self._path(name) / META_FILE).exists():
            return name
        raise IndexNotFound(f"no search index {name!r}; create it with ensure_index")

    def _open(self, physical: str, create: bool = False) -> _Handle:
        handle = self._held.get(physical)
        if handle is not None and not handle.closed:
            return handle
        path = self._path(physical)
        with _OPEN_LOCK:
            handle = _OPEN.get(str(path))
            if handle is None or handle.closed:
                handle = _Handle(
                    path, language=self.language, heap_size=self.heap_size, create=create
                )
                _OPEN[str(path)] = handle
        self._held[physical] = handle
        return handle

    def _handle(self, name: str) -> _Handle:
        return self._open(self._physical(name))

    def close(self) -> None:
        """Let go of this engine's indexes (writers close when no engine uses them)."""
        self._held.clear()
        with self._threads_lock:
            if self._threads is not None:
                self._threads.shutdown(wait=False)
                self._threads = None

    # -- writing ---------------------------------------------------------------------------
    def _commit(
        self,
        name: str,
        fill: Callable[[tantivy.IndexWriter, _Handle], int],
        seq: int,
        heap_size: int | None = None,
    ) -> int:
        """Run ``fill`` with the writer of ``name``, then store ``seq`` and commit, all or
        nothing; returns what ``fill`` returned."""
        handle = self._handle(name)
        with handle.lock:
            writer = handle.writer(heap_size)
            try:
                result = fill(writer, handle)
                writer.delete_documents_by_term("id", META_ID)
                writer.add_document(
                    tantivy.Document.from_dict({"id": [META_ID], "meta_seq": [seq]}, handle.schema)
                )
                with _COMMIT_LOCK:
                    writer.commit()
            except BaseException:
                writer.rollback()
                raise
        handle.index.reload()
        return result

    def apply(self, name: str, changes: Sequence[Upsert | Delete], seq: int) -> None:
        def fill(writer: tantivy.IndexWriter, handle: _Handle) -> int:
            for change in changes:
                writer.delete_documents_by_term("id", change.doc_id.lower())
                if isinstance(change, Upsert):
                    writer.add_document(handle.document(change.doc_id, change.document))
            return len(changes)

        self._commit(name, fill, seq)

    def load(
        self,
        name: str,
        batches: Iterable[Sequence[Upsert | Delete]],
        seq: int,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Bulk-load a new, empty version: add every upsert of ``batches`` (deletes are
        ignored: there is nothing to delete) and commit once with ``seq``.  Nothing is
        visible, and nothing stays, unless the whole load commits.  Returns the count."""

        def fill(writer: tantivy.IndexWriter, handle: _Handle) -> int:
            added = 0
            for batch in batches:
                for change in batch:
                    if isinstance(change, Upsert):
                        writer.add_document(handle.document(change.doc_id, change.document))
                        added += 1
                if progress is not None:
                    progress(len(batch))
            return added

        return self._commit(name, fill, seq, self.bulk_heap_size)

    def applied_seq(self, name: str) -> int:
        try:
            handle = self._handle(name)
        except IndexNotFound:
            return 0
        searcher = handle.index.searcher()
        hits = searcher.search(handle.state_doc, 1).hits
        if not hits:
            return 0
        value = searcher.doc(hits[0][1]).get_first("meta_seq")
        return int(value) if value is not None else 0

    def reload(self, name: str) -> None:
        self._handle(name).index.reload()

    def release(self, name: str) -> None:
        """Close this process's writer of ``name`` (so another process may write it)."""
        try:
            handle = self._handle(name)
        except IndexNotFound:
            return
        with handle.lock:
            if handle._writer is not None:
                handle._writer.wait_merging_threads()
                handle._writer = None

    def describe(self, name: str) -> dict[str, Any]:
        """What the version behind ``name`` was built with (``cairn-index.json``)."""
        meta = json.loads((self._path(self._physical(name)) / META_FILE).read_text())
        return {"version": self._physical(name), **meta}

    def definition(self) -> dict[str, Any]:
        """What a version created now would be built with."""
        return {"format": FORMAT, "language": self.language, "fields": list(FIELDS)}

    def is_current(self, name: str) -> bool:
        """Whether the live version of ``name`` matches :meth:`definition`."""
        meta = self.describe(name)
        wanted = self.definition()
        return all(meta.get(k) == v for k, v in wanted.items())

    # -- reading ---------------------------------------------------------------------------
    def _compose(self, handle: _Handle, user: Query | None, filters: Sequence[Query]) -> Query:
        clauses = [(Occur.Must, user if user is not None else Query.all_query())]
        clauses.extend((Occur.Must, Query.const_score_query(f, 0.0)) for f in filters)
        clauses.append((Occur.MustNot, handle.state_doc))
        return Query.boolean_query(clauses)

    def _queries(
        self, handle: _Handle, request: SearchRequest
    ) -> tuple[Query | None, list[Query], dict[str, Query]]:
        builder = handle.builder
        chosen = facets.selections(builder, request.facets)
        return builder.user_query(request.q), [builder.filter(request.filter)], chosen

    def count(self, name: str, request: SearchRequest) -> int:
        handle = self._handle(name)
        user, filters, chosen = self._queries(handle, request)
        query = self._compose(handle, user, [*filters, *chosen.values()])
        searcher = handle.index.searcher()
        return int(
            self._run(
                handle,
                request,
                lambda q: count(searcher, q),
                query,
                filters + list(chosen.values()),
            )
        )

    def document_count(self, name: str) -> int:
        return self.count(name, SearchRequest())

    def _run(
        self, handle: _Handle, request: SearchRequest, call: Any, query: Query, filters: list[Query]
    ) -> Any:
        """Run ``call(query)``; if Tantivy refuses the query, search the text as plain words."""
        try:
            return call(query)
        except BaseException as exc:
            if not is_engine_failure(exc):
                raise
            plain = handle.builder.plain_text(request.q)
            return call(self._compose(handle, plain, filters))

    def search(self, name: str, request: SearchRequest) -> SearchResult:
        handle = self._handle(name)
        user, filters, chosen = self._queries(handle, request)
        all_filters = [*filters, *chosen.values()]
        query = self._compose(handle, user, all_filters)
        sort, spec = resolve_sort(request.sort, has_terms=user is not None)
        cursor = decode(request.cursor, sort) if request.cursor else None
        size = min(max(int(request.size), 1), MAX_SIZE)
        searcher = handle.index.searcher()

        def run(q: Query) -> tuple[list[str], int, str | None]:
            return page(
                searcher, handle.schema, q, sort, spec, max(int(request.page), 1), size, cursor
            )

        counts = self._facet_counts(handle, searcher, request, user, filters, chosen)
        ids, total, next_cursor = self._run(handle, request, run, query, all_filters)
        return SearchResult(ids, total, counts(), next_cursor)

    def _facet_counts(
        self,
        handle: _Handle,
        searcher: tantivy.Searcher,
        request: SearchRequest,
        user: Query | None,
        filters: list[Query],
        chosen: dict[str, Query],
    ) -> Callable[[], dict[str, list[dict[str, Any]]]]:
        """Start counting the requested facets (on the pool's threads, while the caller
        fetches the page); the returned function waits for the counts."""
        names = request.aggregations
        if not names:
            return dict
        tasks = facets.plan(self._compose(handle, user, filters), chosen, names)
        pool = self._pool()
        futures = [pool.submit(searcher.aggregate, q, spec) for q, spec, _ in tasks] if pool else []

        def wait() -> dict[str, list[dict[str, Any]]]:
            try:
                raws = [f.result() for f in futures] or [
                    searcher.aggregate(q, s) for q, s, _ in tasks
                ]
                return facets.collect(tasks, raws, names)
            except BaseException as exc:
                if not is_engine_failure(exc):
                    raise
                plain = self._compose(handle, handle.builder.plain_text(request.q), filters)
                return facets.count(searcher.aggregate, plain, chosen, names)

        return wait
