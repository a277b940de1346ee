#!/usr/bin/env bash
# Print a sha256 for every output the product writes on the demo data: the build (graph,
# validation, gap report in every format, maps, heatmaps, overview, index), every export
# format, and a metrics/what-if/diff run. Run it before and after a refactor and diff the two
# listings: a restructuring that changes no behaviour changes no line.
#   bash tools/output_digests.sh > before.txt ; ...change... ; bash tools/output_digests.sh > after.txt
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${PCR_GRAPH_BIN:-.venv/bin/pcr-graph}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Relative names inside the scratch folder: the reports name the workspace as given, so an
# absolute scratch path would make every run's digests differ.
cd "$work"
run() { "$bin" --workspace ws "$@"; }
run build --out out >/dev/null
for fmt in graphml gexf jsonld turtle nt trig; do run export --format "$fmt" -o "export.$fmt" >/dev/null; done
run export --format csv -o export-csv >/dev/null
for fmt in md json; do run gaps --format "$fmt" > "gaps-cli.$fmt"; done
run metrics --area wv > "metrics-wv.txt"
run compare wv mb tl > "compare.txt"
run what-if --remove wv-acute > "what-if.txt"
run diff --at 2020-04-01 --at 2021-03-31 > "diff.txt"
run validate > "validate.txt" 2>&1 || true
run queries > "queries.txt" 2>&1 || true
run query areas --format csv > "query-areas.csv" 2>&1 || true
find . -type f ! -path './ws/*' | LC_ALL=C sort | xargs sha256sum
