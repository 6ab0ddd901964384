#!/bin/sh
# `make demo`: serve the simulated province (tests/sandbox) on 127.0.0.1, crawl it into the
# SQLite archive in data/, print the run summary and how to look at the archive, stop the
# server. Run it again and the crawl is incremental: everything is answered 304.
#   deploy/demo.sh [small|medium]   (medium: ten times the agencies, a few minutes)
set -eu

size=${1:-small}
bin=${VENV:-.venv}/bin
[ -t 1 ] || export COLUMNS="${COLUMNS:-140}"  # a log, not a terminal: wide enough for the tables
out=sandbox-out/demo-$size
data=${NIANBAO_DATA_DIR:-data}

mkdir -p "$out"
rm -f "$out/ground_truth.json"  # written again once the server answers
"$bin/python" -m tests.sandbox serve --size "$size" --seed 7 --out "$out" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT INT TERM

echo "demo: rendering and serving the $size simulated province ($out/server.log)"
waited=0
while [ ! -f "$out/ground_truth.json" ]; do
    if ! kill -0 "$server" 2>/dev/null || [ "$waited" -gt 600 ]; then
        echo "demo: the simulated province did not start:" >&2
        cat "$out/server.log" >&2
        exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
done
grep -E "^(sandbox|base URL):" "$out/server.log" || true

# The province is on this machine: no politeness delays (a real crawl keeps them, see `make crawl`).
echo "demo: nianbao crawl --all --registry $out/portals.toml --data-dir $data"
status=0
"$bin/nianbao" crawl --all --registry "$out/portals.toml" --data-dir "$data" --report-dir "$data/reports" \
    -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False -s NIANBAO_RETRY_BACKOFF=0.2 || status=$?
"$bin/nianbao" stats --data-dir "$data" || status=$?

cat <<EOF

The archive is $data/nianbao.sqlite (documents in $data/blobs/, run reports in $data/reports/).
Look at it:
  $bin/nianbao browse --data-dir $data      # Datasette: every view, facets, canned queries
  $bin/nianbao stats --data-dir $data       # totals and coverage by region and year
  $bin/nianbao export --data-dir $data --out $data/export   # CSV of every view
  sqlite3 $data/nianbao.sqlite "SELECT agency, year, status, applications_new, carry_check FROM v_reports ORDER BY agency, year LIMIT 20"
What the simulated province really publishes: $out/ground_truth.json
EOF
exit $status
