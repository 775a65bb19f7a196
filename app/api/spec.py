"""The OpenAPI operations of the workflow endpoints (submit, decide, review, transition...),
which FAB's ModelRestApi does not describe itself.

FAB puts the YAML after `---` in an endpoint's docstring into /api/v1/_openapi; API users
read it there, and the fuzzer (tests/test_api_fuzz.py) sends only what the spec describes:
an endpoint without one gets no id and no body.
"""
import yaml

ANSWERS = (400, 401, 404, 422)  # the refusals every such endpoint may give (FAB's components)
TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}


def operation(summary: str, answer: str, *, method: str = "post", body: dict = None,
              required: tuple = ()):
    """Describe an endpoint on one record (`/<pk>/...`): its id, its JSON body's fields
    (`body`: name -> JSON schema) and answers; put it in the endpoint's docstring."""
    spec = {"summary": summary,
            "parameters": [{"in": "path", "name": "pk", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {200: {"description": answer},
                          **{code: {"$ref": f"#/components/responses/{code}"}
                             for code in ANSWERS}}}
    if body is not None:
        schema = {"type": "object", "properties": body}
        if required:
            schema["required"] = list(required)
        spec["requestBody"] = {"required": True,
                               "content": {"application/json": {"schema": schema}}}
    text = f"{summary}\n---\n{yaml.safe_dump({method: spec}, sort_keys=False)}"

    def describe(func):
        func.__doc__ = text
        return func
    return describe
