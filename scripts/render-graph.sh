#!/bin/sh
# Renders the README's picture: examples/router-lab.vj's topology, drawn by
# `vjc graph --format dot` and laid out by Graphviz, into docs/router-lab.svg
# (or into the file named by $1). tests/graph.rs checks that the committed
# SVG is what this script makes, when Graphviz is installed.
#
#   scripts/render-graph.sh              rebuild vjc if needed, write docs/router-lab.svg
#   VJC=path/to/vjc scripts/render-graph.sh OUT.svg
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/router-lab.svg}

command -v dot >/dev/null 2>&1 || {
	echo "render-graph.sh: needs Graphviz's dot (Debian: apt-get install graphviz)" >&2
	exit 1
}
if [ -z "${VJC:-}" ]; then
	cargo build --quiet --manifest-path "$root/Cargo.toml"
	VJC=$root/target/debug/vjc
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$VJC" graph "$root/examples/router-lab.vj" --format dot >"$dir/router-lab.dot"
dot -Tsvg "$dir/router-lab.dot" >"$dir/router-lab.svg"
mv "$dir/router-lab.svg" "$out"
