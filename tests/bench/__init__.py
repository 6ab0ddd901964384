"""Benchmarks, run by `make bench` (never by `make test`).

Each module ``tests/bench/bench_<area>.py`` defines ``run(quick: bool) -> str`` returning a
Markdown section (a heading, a table of measured figures, the machine and the date). The
runner prints every section and, with ``--write``, replaces that area's section in
BENCHMARKS.md between ``<!-- bench:<area> -->`` markers.
"""
