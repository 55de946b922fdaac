"""One module per revision, named `NNNN_slug.py`, revision ids `NNNN`."""
