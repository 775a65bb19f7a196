"""Input no parser downstream survives, refused before any view or API runs.

- `q` of the API that is neither rison nor JSON: prison raises more than its ParserException
  (RecursionError on "((", IndexError on "!", TypeError on "(a:"), which FAB lets through
  as a 500. 400, with FAB's own message.
- JSON bodies nested past MAX_DEPTH (Python's parser gives up with RecursionError past ~1000
  levels, and nothing we take nests more than a few): 400.
- Text holding NUL (PostgreSQL text cannot) or a lone UTF-16 surrogate ("\\ud800" is valid
  JSON, but no UTF-8 encoder, PostgreSQL's or SQLite's, can write it): 422 naming the field.
Pages are answered on the app's error page (views/errors.py); the API in JSON, like FAB.
"""
import json
import re
import urllib.parse
from typing import Any, Optional

import prison
from flask import Flask, abort, jsonify, request

MAX_DEPTH = 32
UNWRITABLE = re.compile("[\x00\ud800-\udfff]")
NOT_RISON = "Not a valid rison/json argument"  # FAB's message for what it can parse
TOO_DEEP = f"JSON nested deeper than {MAX_DEPTH} levels"
NOT_JSON = "Request body is not valid JSON"
# Only programs send these: answered like marshmallow's own field errors, in English.
NUL_IN_TEXT = "Text cannot contain the NUL character (\\u0000)."
SURROGATE_IN_TEXT = "Text cannot contain a lone UTF-16 surrogate (\\ud800-\\udfff)."


def depth(value: Any) -> int:
    """Return how deeply lists and objects nest in a JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (list, dict)):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:  # no need to walk further than the verdict
                items = value.values() if isinstance(value, dict) else value
                stack.extend((item, level + 1) for item in items)
    return deepest


def parse_rison(text: str) -> Any:
    """Return FAB's reading of a `q` argument (rison, else JSON); ValueError if it has none."""
    try:
        return prison.loads(text)
    except Exception:  # noqa: BLE001 - prison fails in many ways on bad input, see above
        pass
    try:
        return json.loads(urllib.parse.parse_qs(f"q={text}").get("q")[0])
    except Exception as error:  # noqa: BLE001 - as FAB's fallback does
        raise ValueError(NOT_RISON) from error


def unwritable_fields(body: Any) -> dict[str, list[str]]:
    """Return {field: [message]} for the fields of a JSON body whose text, however deep,
    holds NUL or a lone surrogate."""
    def problem(value) -> Optional[str]:
        texts = []
        stack = [value]
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, dict):
                texts.extend(value.keys())
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
        found = "".join(UNWRITABLE.findall("".join(texts)))
        if not found:
            return None
        return NUL_IN_TEXT if "\x00" in found else SURROGATE_IN_TEXT

    if not isinstance(body, dict):
        message = problem(body)
        return {"_schema": [message]} if message else {}
    return {UNWRITABLE.sub("", str(name)): [message] for name, value in body.items()
            if (message := problem(name) or problem(value))}


def refuse_unreadable_input():
    """Answer what the parsers would crash on before any page or API sees it."""
    api = request.path.startswith("/api/")
    if api and request.args.get("q"):
        try:
            deep = depth(parse_rison(request.args["q"])) > MAX_DEPTH
        except ValueError:
            return jsonify(message=NOT_RISON), 400
        if deep:
            return jsonify(message=TOO_DEEP), 400
    if not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body, deep = None, True
    else:
        deep = depth(body) > MAX_DEPTH
    if deep:
        return (jsonify(message=TOO_DEEP), 400) if api else abort(400, description=TOO_DEEP)
    problems = unwritable_fields(body)
    if problems:
        if api:
            return jsonify(message=problems), 422
        abort(400, description="; ".join(f"{name}: {m[0]}" for name, m in problems.items()))
    return None


def init_input_guards(app: Flask) -> None:
    """Refuse unreadable input on every request, before the page and API guards."""
    app.before_request(refuse_unreadable_input)
