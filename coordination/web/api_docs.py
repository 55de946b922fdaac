"""GET /api/docs: the API described on one self-contained page, read from the app's own OpenAPI document.

District intranets are offline, so there is no Swagger UI and nothing from a CDN: the page is plain
HTML rendered by the server, like the other pages. It needs no token (it holds no data), as
/api/openapi.json does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from coordination.domain.enums import Action
from coordination.domain.labels import bilingual
from coordination.web.api_common import DIRECT_ACTIONS, ERRORS
from coordination.web.templating import render

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path, query, header, body
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    secured: bool
    fields: list[Param] = field(default_factory=list)
    responses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "").strip("-")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        resolved: dict[str, Any] = components.get(ref.rsplit("/", 1)[-1], {})
        return resolved
    return schema


def type_text(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A JSON schema as a short type: `string | null`, `array of string`, `A | B | C` for an enum."""
    if "anyOf" in schema:
        return " | ".join(type_text(part, components) for part in schema["anyOf"])
    schema = _resolve(schema, components)
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"array of {type_text(schema.get('items', {}), components)}"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _body_fields(operation: dict[str, Any], components: dict[str, Any]) -> list[Param]:
    body = operation.get("requestBody")
    if not body:
        return []
    schema = _resolve(body.get("content", {}).get("application/json", {}).get("schema", {}), components)
    if "anyOf" in schema:  # an optional body: the model among the alternatives
        schema = next((_resolve(part, components) for part in schema["anyOf"] if "$ref" in part), {})
    required = set(schema.get("required", []))
    return [Param(name, "body", type_text(prop, components), name in required, str(prop.get("description", "")))
            for name, prop in schema.get("properties", {}).items()]


def operations(document: dict[str, Any]) -> list[tuple[str, list[Operation]]]:
    """The document's operations, grouped by their first tag in the order the tags first appear."""
    components = document.get("components", {}).get("schemas", {})
    groups: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            found = Operation(method.upper(), path, str(operation.get("summary", "")),
                              str(operation.get("description", "")), bool(operation.get("security")))
            for parameter in operation.get("parameters", []):
                found.fields.append(Param(parameter["name"], parameter["in"],
                                          type_text(parameter.get("schema", {}), components),
                                          bool(parameter.get("required")), str(parameter.get("description", ""))))
            found.fields += _body_fields(operation, components)
            found.responses = [(str(status), str(answer.get("description", "")))
                               for status, answer in sorted(operation.get("responses", {}).items())]
            groups.setdefault((operation.get("tags") or ["其他 / other"])[0], []).append(found)
    return list(groups.items())


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    document = request.app.openapi()
    actions = [(key, *bilingual(Action(key))) for key in DIRECT_ACTIONS]
    errors = [(status, zh, en) for status, (zh, en) in sorted(ERRORS.items())]
    return render(request, "api_docs.html", {"document": document, "groups": operations(document),
                                             "actions": actions, "errors": errors})
