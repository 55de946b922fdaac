"""The pages (routes are added by the pages module's sections)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
