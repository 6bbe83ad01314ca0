#!/usr/bin/env bash
# Builds every variant of the library with a checkout's built CLI (build, bundle, docs, check on
# every engine), keeping each command's output and exit code, so two checkouts compare with
# `diff -r OUT1 OUT2`: the byte-identity proof of a change meant to alter nothing (issue 13).
# usage: scripts/build-all-variants.sh REPO OUT   (run `pnpm build` in REPO first)
set -uo pipefail
repo=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
cd "$repo"
now=2026-12-01
run() { local name=$1; shift; node "$repo/packages/cli/bin/charter.js" "$@" > "$out/$name.stdout" 2> "$out/$name.stderr"; echo $? > "$out/$name.rc"; sed -i "s#$repo#REPO#g; s#$out#OUT#g" "$out/$name.stdout" "$out/$name.stderr"; }
run build-default build --out "$out/default" --now $now --wasm
run build-gk-cel build --out "$out/gk-cel" --now $now --gatekeeper-engine cel --target gatekeeper
run build-cp build --out "$out/cp" --now $now --kyverno-api clusterpolicy --target kyverno
run bundle bundle --out "$out/bundle.tar.gz" --revision r1
mkdir -p "$out/bundle" && tar -xzf "$out/bundle.tar.gz" -C "$out/bundle" && rm "$out/bundle.tar.gz"
run docs docs --out .identity-docs && mv .identity-docs "$out/docs"
for e in ir opa wasm gatekeeper kyverno-cel vap-cel cel-judge; do run check-$e check examples/todo-app --format json --engine $e; done
run check-table check examples/todo-app
run check-sarif check examples/todo-app --format sarif
(cd examples/todo-app && node "$repo/packages/cli/bin/charter.js" build --out "$out/todo" --now $now > "$out/todo.stdout" 2>&1; echo $? > "$out/todo.rc")
sed -i "s#$repo#REPO#g; s#$out#OUT#g" "$out/todo.stdout"
echo "built into $out: $(find "$out" -type f | wc -l) files"
