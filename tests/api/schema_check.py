"""A small JSON Schema checker for the parts of JSON Schema our OpenAPI document uses.

It refuses any keyword it does not know, so the document cannot grow a rule the
tests silently ignore.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "boolean": bool,
    "null": type(None),
}
ANNOTATIONS = {"description", "default", "title"}
KNOWN = ANNOTATIONS | {
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "minimum",
    "format",
}


def _is(value, type_name: str) -> bool:
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, TYPES[type_name])


def errors(value, schema: dict, document: dict, path: str = "$") -> list[str]:
    """Every way value breaks schema, as 'path: problem' strings."""
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{path}: schema uses unsupported keywords {sorted(unknown)}"]
    if "$ref" in schema:
        target = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return errors(value, target, document, path)
    found = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, t) for t in types):
            return [f"{path}: {value!r} is not of type {types}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not in {schema['enum']}")
    if "minimum" in schema and _is(value, "integer") and value < schema["minimum"]:
        found.append(f"{path}: {value} is below {schema['minimum']}")
    if schema.get("format") and isinstance(value, str):
        found += _format_errors(value, schema["format"], path)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{path}: missing required {name!r}")
        for name, item in value.items():
            if name in properties:
                found += errors(item, properties[name], document, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: {name!r} is not in the schema")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += errors(item, schema["items"], document, f"{path}[{i}]")
    return found


def _format_errors(value: str, fmt: str, path: str) -> list[str]:
    if fmt == "date-time":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return [f"{path}: {value!r} is not an ISO 8601 date-time"]
        if parsed.tzinfo is None:
            return [f"{path}: {value!r} has no UTC offset"]
    elif fmt == "uri":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return [f"{path}: {value!r} is not an absolute URL"]
    else:
        return [f"{path}: unsupported format {fmt!r}"]
    return []


def check_response(document: dict, path: str, status: str, body) -> list[str]:
    """Errors of body against the schema the document gives for GET path -> status."""
    operation = document["paths"][path]["get"]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    return errors(body, schema, document)
