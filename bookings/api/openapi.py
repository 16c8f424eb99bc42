"""The OpenAPI 3.1 description of the read-only API (tests hold the answers to it)."""

from __future__ import annotations

from ..enums import SECTORS, SESSION_STATUSES

PRICES = {
    "type": "object",
    "description": "Price for each sector in pence; 0 is free.",
    "required": list(SECTORS),
    "additionalProperties": False,
    "properties": {sector: {"type": "integer", "minimum": 0} for sector in SECTORS},
}

SESSION = {
    "type": "object",
    "description": "One dated run of a course.",
    "required": [
        "id",
        "course",
        "title",
        "starts_at",
        "ends_at",
        "venue",
        "online",
        "capacity",
        "places_left",
        "waiting_list",
        "status",
        "url",
        "book_url",
        "prices",
    ],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "course": {"type": "string", "description": "The course's slug."},
        "title": {"type": "string", "description": "The course's title."},
        "starts_at": {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with the Europe/London offset.",
        },
        "ends_at": {"type": "string", "format": "date-time"},
        "venue": {
            "type": ["object", "null"],
            "description": "Where it happens; null for a session that is only online.",
            "required": ["name", "address"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "address": {"type": "string"}},
        },
        "online": {
            "type": "boolean",
            "description": "True when learners can join online (the link is sent on booking).",
        },
        "capacity": {"type": "integer", "minimum": 0},
        "places_left": {"type": "integer", "minimum": 0},
        "waiting_list": {
            "type": "integer",
            "minimum": 0,
            "description": "How many people are on the waiting list.",
        },
        "status": {"type": "string", "enum": list(SESSION_STATUSES)},
        "url": {
            "type": "string",
            "format": "uri",
            "description": "The session on its course page.",
        },
        "book_url": {"type": "string", "format": "uri", "description": "Where to book a place."},
        "prices": {"$ref": "#/components/schemas/Prices"},
    },
}

COURSE = {
    "type": "object",
    "description": "A published course.",
    "required": [
        "slug",
        "title",
        "summary",
        "category",
        "duration",
        "prices",
        "url",
        "sessions",
    ],
    "additionalProperties": False,
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "category": {"type": "string"},
        "duration": {"type": "string"},
        "prices": {"$ref": "#/components/schemas/Prices"},
        "url": {"type": "string", "format": "uri"},
        "sessions": {
            "type": "array",
            "description": "Ids of the course's upcoming scheduled sessions, soonest first.",
            "items": {"type": "integer"},
        },
    },
}


def _list_of(schema: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "next"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "next": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "The next page, or null on the last page.",
            },
        },
    }


ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "parameter": {"type": "string", "description": "The query parameter at fault."},
    },
}

PAGING = [
    {
        "name": "page",
        "in": "query",
        "description": "Page number, from 1.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "description": "Items per page; more than 100 is treated as 100.",
        "schema": {"type": "integer", "minimum": 1, "default": 20},
    },
]

BAD_REQUEST = {
    "description": "A query parameter is not valid.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def document(site_url: str) -> dict:
    """The OpenAPI document for this deployment."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Training Bookings API",
            "version": "1.0.0",
            "description": "Read-only access to the published course catalogue and its "
            "sessions. Times are ISO 8601 with the Europe/London offset; prices are pence.",
        },
        "servers": [{"url": site_url.rstrip("/") + "/api"}],
        "paths": {
            "/v1/courses": {
                "get": {
                    "operationId": "listCourses",
                    "summary": "Published courses, in title order.",
                    "parameters": PAGING,
                    "responses": {
                        "200": {
                            "description": "A page of courses.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/CourseList"}
                                }
                            },
                        },
                        "400": BAD_REQUEST,
                    },
                }
            },
            "/v1/sessions": {
                "get": {
                    "operationId": "listSessions",
                    "summary": "Sessions of published courses, soonest first "
                    "(upcoming ones unless from is given), cancelled ones included.",
                    "parameters": [
                        {
                            "name": "course",
                            "in": "query",
                            "description": "Only this course's sessions (its slug).",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "from",
                            "in": "query",
                            "description": "Sessions starting on or after this date "
                            "(YYYY-MM-DD) or date-time; Europe/London when no offset. "
                            "Defaults to now.",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "description": "Sessions starting on or before this date "
                            "(YYYY-MM-DD, the whole day) or before this date-time.",
                            "schema": {"type": "string"},
                        },
                        *PAGING,
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of sessions.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SessionList"}
                                }
                            },
                        },
                        "400": BAD_REQUEST,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Prices": PRICES,
                "Session": SESSION,
                "Course": COURSE,
                "SessionList": _list_of("Session"),
                "CourseList": _list_of("Course"),
                "Error": ERROR,
            }
        },
    }
