"""User query strings and permission filters -> Tantivy queries.

The query string is OpenSearch ``query_string`` syntax, parsed with luqum: terms, phrases
(``"a b"``, ``"a b"~2``), ``AND``/``OR``/``NOT``/``+``/``-``, grouping, field paths
(:data:`cairn.search.documents.PATHS`), wildcards (``clim*``), fuzzy terms (``clim~``),
boosts, ranges (``[2020 TO 2021]``, ``>2020``), regular expressions (``/clim.*/``) and
``_exists_:field``.  Terms without an operator must all match (``AND``).  Nothing a user types
makes a search fail: a string luqum cannot parse, or a part Tantivy refuses, is searched as
plain text instead (:meth:`QueryBuilder.plain_text`).  See docs/search.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import tantivy
from luqum import tree
from luqum.thread import parse as luqum_parse
from tantivy import FieldType, Occur, Query

from cairn.core.filters import All, AnyOf, Filter, MatchAll, MatchNone, Term
from cairn.search.documents import (
    FIELDS,
    PUBLICATION,
    TEXT,
    IndexField,
    index_fields,
    partial_date,
)

UNQUALIFIED = ("all", "description")  # fields searched for words typed without a field
TITLE_BOOST = 2.0  # an unqualified term found in the title counts this much more
MAX_PLAIN_TERMS = 64
MAX_WILDCARDS = 8  # in one word; more are read as spaces
_ESCAPED = re.compile(r"\\(.)", re.S)
_RANGE_TYPES = {"u64": FieldType.Unsigned, "i64": FieldType.Integer, "date": FieldType.Date}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def is_engine_failure(exc: BaseException) -> bool:
    """Errors Tantivy raises for a query it refuses (a Rust panic is a ``BaseException``)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _bool(clauses: list[tuple[Occur, Query]]) -> Query | None:
    if not clauses:
        return None
    if len(clauses) == 1 and clauses[0][0] != Occur.MustNot:
        return clauses[0][1]
    if all(occur == Occur.MustNot for occur, _ in clauses):
        clauses = [(Occur.Must, Query.all_query()), *clauses]
    return Query.boolean_query(clauses)


def _should(queries: Iterable[Query | None]) -> Query | None:
    return _bool([(Occur.Should, q) for q in queries if q is not None])


def _unescape(value: str) -> tuple[str, bool]:
    """The literal text of a luqum word and whether it has an unescaped ``*`` or ``?``."""
    wildcard = bool(re.search(r"(?<!\\)[*?]", value))
    return _ESCAPED.sub(r"\1", value), wildcard


def _wildcard_regex(pattern: str) -> str:
    """A Lucene wildcard pattern (``*``, ``?``, ``\\`` escapes) as a regular expression."""
    pieces = re.findall(r"\\.?|[*?]|[^\\*?]+", pattern, re.S)
    return "".join(
        ".*" if p == "*" else "." if p == "?" else re.escape(p[1:] if p[0] == "\\" else p)
        for p in pieces
    )


def _negated(query: Query) -> Query:
    return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, query)])


def _fuzzy_distance(word: str, degree: Any, implicit: bool) -> int:
    if implicit or degree is None or float(degree) < 1:
        return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2
    return min(int(degree), 2)


class QueryBuilder:
    """Builds Tantivy queries for one index: its schema, analysers and fields."""

    def __init__(
        self,
        schema: tantivy.Schema,
        analyzers: Mapping[str, tantivy.TextAnalyzer],
        fold: tantivy.TextAnalyzer,
        fields: Iterable[str] = FIELDS,
    ) -> None:
        self.schema = schema
        self.analyzers = dict(analyzers)
        self.fold = fold  # lower-case + accent folding, one token: for wildcard patterns
        self.fields = frozenset(fields)

    # -- the user's query string ----------------------------------------------------------
    def user_query(self, text: str) -> Query | None:
        """The query for ``text``; ``None`` when it has no searchable term (match all)."""
        text = text.strip()
        if not text:
            return None
        try:
            return self._node(luqum_parse(text), None)
        except BaseException as exc:
            if not is_engine_failure(exc):
                raise
            return self.plain_text(text)

    def plain_text(self, text: str) -> Query | None:
        """Every word of ``text`` (punctuation and syntax ignored) must match."""
        tokens = dict.fromkeys(self.analyzers[TEXT].analyze(text)[:MAX_PLAIN_TERMS])
        queries = [self._unqualified([token]) for token in tokens]
        return _bool([(Occur.Must, q) for q in queries if q is not None])

    def _node(self, node: Any, path: str | None) -> Query | None:
        if isinstance(node, tree.SearchField):
            return self._search_field(node, path)
        if isinstance(node, tree.BaseGroup):
            return self._node(node.expr, path)
        if isinstance(node, tree.AndOperation | tree.OrOperation | tree.UnknownOperation):
            return self._operation(node, path)
        if isinstance(node, tree.Not | tree.Prohibit):
            return None if (q := self._node(node.a, path)) is None else _negated(q)
        if isinstance(node, tree.Plus):
            return self._node(node.a, path)
        if isinstance(node, tree.Boost):
            inner = self._node(node.expr, path)
            return None if inner is None else Query.boost_query(inner, float(node.force))
        if isinstance(node, tree.Fuzzy) and isinstance(node.term, tree.Word):
            return self._fuzzy(node, path)
        if isinstance(node, tree.Proximity) and isinstance(node.term, tree.Phrase):
            return self._phrase(node.term.value, path, slop=int(node.degree or 1))
        if isinstance(node, tree.BaseApprox):
            return self._node(node.term, path)
        if isinstance(node, tree.Range):
            return self._range(
                path, node.low.value, node.high.value, node.include_low, node.include_high
            )
        if isinstance(node, tree.From):
            return self._range(path, node.a.value, "*", node.include, True)
        if isinstance(node, tree.To):
            return self._range(path, "*", node.a.value, True, node.include)
        if isinstance(node, tree.Phrase):
            return self._phrase(node.value, path)
        if isinstance(node, tree.Regex):
            return self._regex(node.value[1:-1], path)
        if isinstance(node, tree.Word):
            return self._word(node.value, path)
        raise ValueError(f"unsupported query element {type(node).__name__}")

    def _operation(self, node: Any, path: str | None) -> Query | None:
        default = Occur.Should if isinstance(node, tree.OrOperation) else Occur.Must
        clauses: list[tuple[Occur, Query]] = []
        for child in node.children:
            occur = default
            if isinstance(child, tree.Not | tree.Prohibit):
                inner = self._node(child.a, path)
                if inner is None:
                    continue
                if default == Occur.Should:  # "a OR -b": anything but b counts
                    clauses.append((Occur.Should, _negated(inner)))
                else:
                    clauses.append((Occur.MustNot, inner))
                continue
            if isinstance(child, tree.Plus):
                occur, child = Occur.Must, child.a
            query = self._node(child, path)
            if query is not None:
                clauses.append((occur, query))
        return _bool(clauses)

    def _search_field(self, node: tree.SearchField, path: str | None) -> Query | None:
        name = node.name
        if name == "_exists_":
            return self.exists(str(getattr(node.expr, "value", "")))
        if name == "*":
            return self._node(node.expr, None)
        if index_fields(name) is not None:
            return self._node(node.expr, name)
        # not a field we know: its name is searched as words, like the value
        return _bool(
            [(Occur.Must, q) for q in (self._word(name, path), self._node(node.expr, path)) if q]
        )

    # -- leaves ----------------------------------------------------------------------------
    def _fields(self, path: str) -> list[str]:
        return [f for f in index_fields(path) or () if f in self.fields or f == PUBLICATION]

    def _tokens(self, field: str, text: str) -> list[str]:
        return self.analyzers[FIELDS[field].analyzer].analyze(text)

    def _text(self, field: str, tokens: list[str], slop: int = 0) -> Query | None:
        if not tokens:
            return None
        if len(tokens) == 1:
            return Query.term_query(self.schema, field, tokens[0])
        words: list[str | tuple[int, str]] = list(tokens)
        return Query.phrase_query(self.schema, field, words, slop)

    def _unqualified(self, tokens: list[str], slop: int = 0) -> Query | None:
        """Words typed without a field: found in ``all`` (the short texts) or the description,
        a match in the title counting :data:`TITLE_BOOST` times more."""
        title = self._text("title", tokens, slop)
        return _should(
            [
                self._text("all", tokens, slop),
                self._text("description", tokens, slop),
                Query.boost_query(title, TITLE_BOOST) if title is not None else None,
            ]
        )

    def _word(self, raw: str, path: str | None) -> Query | None:
        text, wildcard = _unescape(raw)
        if wildcard:
            return self._wildcard(raw, path)
        if path is None:
            return self._unqualified(self._tokens("all", text))
        return _should(self.value(field, text) for field in self._fields(path))

    def _phrase(self, raw: str, path: str | None, slop: int = 0) -> Query | None:
        text, _ = _unescape(raw[1:-1] if raw.startswith('"') and raw.endswith('"') else raw)
        if path is None:
            return self._unqualified(self._tokens("all", text), slop)
        queries = []
        for field in self._fields(path):
            spec = FIELDS.get(field)
            if spec is not None and spec.kind == "text":
                queries.append(self._text(field, self._tokens(field, text), slop))
            else:
                queries.append(self.value(field, text))
        return _should(queries)

    def value(self, field: str, value: Any) -> Query | None:
        """Documents whose ``field`` holds ``value`` (typed as the field is)."""
        if field == PUBLICATION:
            span = partial_date(str(value))
            return self._overlap(span.start, span.end) if span else Query.empty_query()
        spec = FIELDS[field]
        if spec.kind == "text":
            return self._text(field, self._tokens(field, str(value)))
        typed = self._typed(spec, value)
        if typed is None:
            return Query.empty_query()
        if spec.kind == "date":
            return Query.range_query(self.schema, field, FieldType.Date, typed.start, typed.end)
        return Query.term_query(self.schema, field, typed)

    @staticmethod
    def _typed(spec: IndexField, value: Any) -> Any:
        text = str(value).strip()
        if spec.kind == "raw":
            return text.lower() if spec.lower else text
        if spec.kind == "bool":
            if isinstance(value, bool):
                return value
            lowered = text.lower()
            return True if lowered in _TRUE else False if lowered in _FALSE else None
        if spec.kind in ("u64", "i64"):
            if isinstance(value, bool) or not re.fullmatch(r"-?\d{1,18}", text):
                return None
            number = int(text)
            return None if spec.kind == "u64" and number < 0 else number
        return partial_date(text)  # date

    def _wildcard(self, raw: str, path: str | None) -> Query | None:
        fields = UNQUALIFIED if path is None else self._fields(path)
        raw = re.sub(r"\*+", "*", raw)
        if raw.strip("*") == "":  # "*" alone: anything (with a value in that field)
            return None if path is None else self.exists(path)
        if len(re.findall(r"[*?]", raw)) > MAX_WILDCARDS:  # too costly: the word itself
            return self._word(re.sub(r"[*?]", " ", raw), path)
        queries: list[Query | None] = []
        for field in fields:
            spec = FIELDS.get(field)
            if spec is None or spec.kind not in ("text", "raw"):
                queries.append(Query.empty_query())
                continue
            pattern = raw.lower() if spec.kind == "text" or spec.lower else raw
            if spec.kind == "text":
                pattern = "".join(self.fold.analyze(pattern)) or pattern
            variants = {_wildcard_regex(pattern)}
            stemmed = self._stemmed_pattern(field, pattern) if spec.kind == "text" else None
            if stemmed:
                variants.add(_wildcard_regex(stemmed))
            queries.extend(Query.regex_query(self.schema, field, v) for v in sorted(variants))
        return _should(queries)

    def _stemmed_pattern(self, field: str, pattern: str) -> str | None:
        """The pattern as the index holds its words: ``climate*`` -> ``climat*``,
        ``te?perature`` -> ``te?peratur`` (stemmers only change a word's end)."""
        if "\\" in pattern:
            return None
        trailing = pattern.endswith("*")
        body = pattern[:-1] if trailing else pattern
        tokens = self._tokens(field, re.sub(r"[*?]", "q", body))
        if len(tokens) != 1:
            return None
        marks = [i for i, ch in enumerate(body) if ch in "*?"]
        stem = tokens[0]
        if any(i >= len(stem) or stem[i] != "q" for i in marks):
            return None
        rebuilt = "".join(body[i] if i in marks else ch for i, ch in enumerate(stem))
        return rebuilt + ("*" if trailing else "")

    def _fuzzy(self, node: tree.Fuzzy, path: str | None) -> Query | None:
        text, _ = _unescape(node.term.value)
        fields = UNQUALIFIED if path is None else self._fields(path)
        implicit = bool(getattr(node, "_implicit_degree", False))
        queries: list[Query | None] = []
        for field in fields:
            spec = FIELDS.get(field)
            if spec is None or spec.kind not in ("text", "raw"):
                queries.append(self.value(field, text))
                continue
            tokens = self._tokens(field, text) if spec.kind == "text" else [text.lower()]
            if len(tokens) != 1:
                queries.append(self._text(field, tokens) if spec.kind == "text" else None)
                continue
            distance = _fuzzy_distance(tokens[0], node.degree, implicit)
            queries.append(Query.fuzzy_term_query(self.schema, field, tokens[0], distance))
        return _should(queries)

    def _regex(self, pattern: str, path: str | None) -> Query | None:
        fields = UNQUALIFIED if path is None else self._fields(path)
        return _should(
            Query.regex_query(self.schema, f, pattern)
            if FIELDS.get(f) and FIELDS[f].kind in ("text", "raw")
            else Query.empty_query()
            for f in fields
        )

    def _range(
        self, path: str | None, low: str, high: str, incl_low: bool, incl_high: bool
    ) -> Query | None:
        if path is None:  # a range needs a field
            return Query.empty_query()
        low_text, _ = _unescape(low)
        high_text, _ = _unescape(high)
        return _should(
            self.range(
                field,
                None if low_text == "*" else low_text,
                None if high_text == "*" else high_text,
                incl_low,
                incl_high,
            )
            for field in self._fields(path)
        )

    def range(
        self, field: str, low: Any, high: Any, incl_low: bool = True, incl_high: bool = True
    ) -> Query:
        """``low``..``high`` on a number or date field (``None`` leaves a side open); partial
        dates cover their whole span, so ``[2020 TO 2021]`` is 2020-01-01..2021-12-31."""
        if low is None and high is None:
            return self.exists_field(field)
        if field == PUBLICATION:
            lo = partial_date(str(low)) if low is not None else None
            hi = partial_date(str(high)) if high is not None else None
            if (low is not None and lo is None) or (high is not None and hi is None):
                return Query.empty_query()
            start = (lo.start if incl_low else lo.end + timedelta(microseconds=1)) if lo else None
            end = (hi.end if incl_high else hi.start - timedelta(microseconds=1)) if hi else None
            return self._overlap(start, end)
        spec = FIELDS[field]
        kind = _RANGE_TYPES.get(spec.kind)
        if kind is None:
            return Query.empty_query()  # ranges work on numbers and dates
        lo_value = self._typed(spec, low) if low is not None else None
        hi_value = self._typed(spec, high) if high is not None else None
        if (low is not None and lo_value is None) or (high is not None and hi_value is None):
            return Query.empty_query()
        if spec.kind == "date":
            lo_value = (lo_value.start if incl_low else lo_value.end) if lo_value else None
            hi_value = (hi_value.end if incl_high else hi_value.start) if hi_value else None
        return Query.range_query(
            self.schema,
            field,
            kind,
            lo_value,
            hi_value,
            include_lower=incl_low or lo_value is None,
            include_upper=incl_high or hi_value is None,
        )

    def _overlap(self, start: Any, end: Any) -> Query:
        """Publication spans that share at least one instant with ``start``..``end``."""
        clauses = []
        if end is not None:
            clauses.append(
                Query.range_query(self.schema, "publication_start", FieldType.Date, None, end)
            )
        if start is not None:
            clauses.append(
                Query.range_query(self.schema, "publication_end", FieldType.Date, start, None)
            )
        return _bool([(Occur.Must, c) for c in clauses]) or self.exists_field("publication_start")

    def exists(self, path: str) -> Query:
        fields = self._fields(path.strip())
        return _should(self.exists_field(f) for f in fields) or Query.empty_query()

    def exists_field(self, field: str) -> Query:
        field = "publication_start" if field == PUBLICATION else field
        return Query.term_query(self.schema, "present", field)

    # -- permission filters and facet selections -------------------------------------------
    def filter(self, flt: Filter) -> Query:
        """The engine query of a :mod:`cairn.core.filters` filter (never scored)."""
        if isinstance(flt, MatchAll):
            return Query.all_query()
        if isinstance(flt, MatchNone):
            return Query.empty_query()
        if isinstance(flt, Term):
            fields = index_fields(flt.field)
            if fields is None:
                raise ValueError(f"cannot filter on unknown field {flt.field!r}")
            return _should(self.value(f, flt.value) for f in fields) or Query.empty_query()
        if isinstance(flt, AnyOf | All):
            occur = Occur.Should if isinstance(flt, AnyOf) else Occur.Must
            parts = [(occur, self.filter(f)) for f in flt.filters]
            if not parts:
                return Query.empty_query() if occur == Occur.Should else Query.all_query()
            return _bool(parts) or Query.all_query()
        raise ValueError(f"not a filter: {flt!r}")

    def any_value(self, field: str, values: Iterable[str]) -> Query:
        """Documents with any of ``values`` in a raw ``field``."""
        spec = FIELDS[field]
        typed = [v.lower() if spec.lower else v for v in values]
        if not typed:
            return Query.empty_query()
        return Query.term_set_query(self.schema, field, typed)
