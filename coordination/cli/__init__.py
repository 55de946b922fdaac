"""The `coord` command line: parse, call one service, render, print."""
