"""coord's performance suite: `python -m benchmarks` (see benchmarks/README.md).

Modules: `harness` (figures, measures, targets, the table and the JSON), `datasets` (districts and
large databases built quickly), `rawsql` (the hand-written baselines), `figures` (one function per
figure), `child` (what runs in a subprocess to measure peak memory). The older scripts
(sweep_bench.py, reports_bench.py, ledger_bench.py, concurrency_bench.py) still run on their own.
"""
