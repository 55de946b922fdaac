"""coord web: the JSON API under /api and the server-rendered pages, one FastAPI app under uvicorn."""
