"""The sandbox's request and response shapes, as pydantic-validated TypedDicts.

One declaration serves three purposes: request validation (strict: no coercion, unknown fields refused),
the `/openapi.json` document, and (in tests) checking that responses hold exactly the documented fields.
"""
