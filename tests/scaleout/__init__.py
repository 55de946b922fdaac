"""Scale-out: coord on PostgreSQL with a real Prefect server, work pool and worker (`pytest --scaleout`)."""
