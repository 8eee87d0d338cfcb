#!/bin/sh
# Seeds the fuzzers' corpora from every example and fixture of the repo
# (fuzz/corpus is not committed: it grows while the fuzzers run).
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/raw corpus/topology
for f in ../examples/*.vj ../tests/fixtures/*/*.vj ../tests/hostile/*.vj; do
	[ -f "$f" ] || continue
	cp "$f" "corpus/raw/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# The topology target reads choices, not text: any bytes will do as seeds.
for n in 0 1 2 3 4 5 6 7; do
	head -c 256 /dev/urandom >"corpus/topology/seed-$n"
done
