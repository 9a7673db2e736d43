"""Flask's JSON through orjson: the same output, several times faster for large responses.

A large batch answer is megabytes of JSON, which orjson encodes many times faster than the
standard library (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    """dumps/loads/response with orjson; types orjson does not know go through Flask's own `default`."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        option = _OPTIONS | (orjson.OPT_INDENT_2 if kwargs.get("indent") else 0)
        return orjson.dumps(obj, default=self.default, option=option).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        indent = orjson.OPT_INDENT_2 if (self.compact is None and self._app.debug) or self.compact is False else 0
        body = orjson.dumps(obj, default=self.default, option=_OPTIONS | indent | orjson.OPT_APPEND_NEWLINE)
        return self._app.response_class(body, mimetype=self.mimetype)
