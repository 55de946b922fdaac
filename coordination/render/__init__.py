"""Renderers: turn read models into terminal, Markdown, xlsx or docx output. Never touch the database."""
