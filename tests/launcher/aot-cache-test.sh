#!/usr/bin/env bash
# The launcher's AOT cache may make a command start sooner, never change what it does: a cache
# that is missing, corrupt, truncated or recorded for other jars must give the same output and
# keep stderr clean. Uses `summary` (a short command, so it goes through the cache, and its
# output is exact). Run by .ci/run after the test suite; builds the CLI first if needed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jtorch="$root/jtorch"
cache="$root/cli/target/jtorch.aot"
errfile="$(mktemp)"
trap 'rm -f "$errfile"' EXIT
passed=0 failed=0

# The reference, without the cache (this also builds the CLI when needed).
expected="$(JTORCH_AOT=0 "$jtorch" summary resnet18 2>/dev/null)"

# $1: the case; $2: "records" if this run must record the cache anew, else "uses".
check() {
  local out problem=""
  out="$("$jtorch" summary resnet18 2>"$errfile")" || problem="exit status $?"
  [ "$out" = "$expected" ] || problem="${problem:+$problem; }output differs"
  # Allowed on stderr: the JDK's incubator-module warning and the launcher's note on recording.
  if grep -v -e '^WARNING: Using incubator modules: jdk.incubator.vector$' \
       -e '^jtorch: recording the start-up cache (once per build)\.\.\.$' "$errfile" | grep -q .; then
    problem="${problem:+$problem; }stderr: $(tr '\n' ' ' < "$errfile")"
  fi
  if [ "$2" = records ]; then grep -q '^jtorch: recording' "$errfile" || problem="${problem:+$problem; }did not record"
  else ! grep -q '^jtorch: recording' "$errfile" || problem="${problem:+$problem; }recorded again"; fi
  [ "$2" = uses ] && { [ -s "$cache" ] || problem="${problem:+$problem; }no cache"; }
  if [ -z "$problem" ]; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1: $problem"; fi
}

rm -f "$cache" "$cache.id"
check "no cache: records one" records
check "the recorded cache" uses
head -c 100000 /dev/urandom > "$cache"
check "a corrupt cache" uses
rm -f "$cache.id" # a corrupt cache is kept until the next build; start again from a good one
check "a forgotten cache: records anew" records
head -c $(( $(stat -c %s "$cache") / 2 )) "$cache" > "$cache.half" && mv "$cache.half" "$cache"
check "a truncated cache" uses
touch "$root/cli/target/jtorch-cli.jar" # what a rebuild does to the jar; the JVM alone would not notice
check "a jar newer than the cache" records
check "the re-recorded cache" uses

echo "launcher: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
