"""The JSON API under /api (routes are added by the API module's sections)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
