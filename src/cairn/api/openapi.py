"""Shapes for the OpenAPI description (documentation only; handlers return raw JSON)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from cairn.records.schema import DraftBody


class FieldErrorOut(BaseModel):
    field: str = Field(description="Dotted path, e.g. `metadata.creators.0.person_or_org.name`.")
    messages: list[str]


class ErrorOut(BaseModel):
    status: int
    message: str
    errors: list[FieldErrorOut] | None = Field(default=None, description="Validation problems.")
    tombstone: dict[str, Any] | None = Field(
        default=None, description="On 410 for deleted records."
    )


class ParentOut(BaseModel):
    id: str
    access: dict[str, Any]
    communities: dict[str, Any]
    pids: dict[str, Any]


class VersionsOut(BaseModel):
    index: int
    is_latest: bool
    is_latest_draft: bool


class RecordOut(BaseModel):
    """A draft or a published record."""

    id: str = Field(description="`xxxxx-xxxdd`")
    created: str
    updated: str
    revision_id: int
    parent: ParentOut
    versions: VersionsOut
    is_published: bool
    is_draft: bool
    status: str
    pids: dict[str, Any]
    metadata: dict[str, Any] = Field(
        description="As in the request body (`DraftBody.metadata`), with vocabulary titles."
    )
    custom_fields: dict[str, Any]
    access: dict[str, Any]
    files: dict[str, Any]
    media_files: dict[str, Any]
    deletion_status: dict[str, Any]
    links: dict[str, str]
    errors: list[FieldErrorOut] | None = Field(default=None, description="Partial-draft problems.")
    expires_at: str | None = None
    tombstone: dict[str, Any] | None = None


class HitsOut(BaseModel):
    hits: list[RecordOut]
    total: int


class SearchOut(BaseModel):
    hits: HitsOut
    aggregations: dict[str, Any]
    sortBy: str
    page: int
    links: dict[str, str]


class TombstoneIn(BaseModel):
    removal_reason: dict[str, str] | None = Field(
        default=None, description="`{id}` of removalreasons"
    )
    note: str | None = None
    citation_text: str | None = None
    is_visible: bool = True


class VocabularyItemOut(BaseModel):
    id: str
    type: str
    title: dict[str, str]
    description: dict[str, str] | None = None
    icon: str | None = None
    props: dict[str, Any]
    tags: list[str]
    links: dict[str, str]


class VocabularyListOut(BaseModel):
    hits: dict[str, Any]
    sortBy: str
    page: int
    links: dict[str, str]


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        400: "Invalid input; `errors` names each field.",
        403: "Permission denied.",
        404: "Not found.",
        406: "No serializer for the Accept header.",
        409: "Changed concurrently by another request.",
        410: "Deleted (with tombstone).",
        412: "Revision mismatch (If-Match).",
        413: "Body too large.",
    }.items()
}
RECORD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": RecordOut, "description": "The draft or record."},
    201: {"model": RecordOut, "description": "Created."},
    202: {"model": RecordOut, "description": "Published."},
    **ERRORS,
}
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": SearchOut, "description": "Search results."},
    **ERRORS,
}
_EXTRA_MODELS = (DraftBody, TombstoneIn)


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }


DRAFT_BODY = _body(DraftBody)
TOMBSTONE_BODY = _body(TombstoneIn)


def install(app: FastAPI) -> None:
    """Serve an OpenAPI document that also carries the request-body models."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in _EXTRA_MODELS:
                js = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(js.pop("$defs", {}))
                components[model.__name__] = js
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
