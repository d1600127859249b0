#!/usr/bin/env bash
# Three peers, same workloads, same machine, same run: PyTorch (bench/model_torch.py), ONNX Runtime
# (its Java API, bench/peer/ort) and jtorch (`./jtorch bench model`), one process after the other,
# never two at once. Prints a header (versions, commit), each tool's own line as it finishes, and
# last one markdown table: median ms per iteration of each peer, the ratios jtorch/ORT and
# jtorch/PyTorch (time per iteration, so above 1 means jtorch is slower), and the three peak RSS.
#
# usage: bench/peer_compare.sh [--quick] [WORD...]
#   WORD...   run only the rows whose workload name has every WORD as a word (e.g. resnet18, train, b8)
#   --quick   smoke run: 0.5 s warm-up and 3 timed iterations per tool (or PEER_QUICK=1); the
#             figures then mean little, it only shows that every piece works
#
# ORT runs an ONNX export of the very model PyTorch times (bench/peer/export_onnx.py, cached in
# bench/peer/cache/), and checks its first output against PyTorch's for the same input before it
# times anything. It has no training: the training row shows "—" for it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
py=/usr/bin/python3 # Debian's python3-torch 1.13; the pyenv python3 on PATH has no torch
cache="$root/bench/peer/cache"
ort_dir="$root/bench/peer/ort"
ort_jar="$ort_dir/target/ort-bench.jar"

quick="${PEER_QUICK:-}"
filters=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg (see --help)" >&2; exit 64 ;;
    *) filters+=("$arg") ;;
  esac
done
timing=()
[ -n "$quick" ] && timing=(--warmup-seconds 0.5 --iters 3)

# model, batch, height, width, threads, mode
workloads=(
  "resnet50 1 224 224 1 eval"
  "resnet50 1 224 224 2 eval"
  "resnet18 1 224 224 1 eval"
  "resnet18 1 224 224 2 eval"
  "resnet50 8 224 224 2 eval"
  "resnet18 8 224 224 2 eval"
  "resnet18 16 112 112 2 train"
)
label() { echo "$1 $6 b$2 $3x$4"; } # the name filters match: e.g. "resnet18 train b16 112x112"
selected=()
for w in "${workloads[@]}"; do
  # shellcheck disable=SC2086
  name="$(label $w)"
  keep=1
  # Whole words: "b1" must not also pick the "b16" row.
  for f in "${filters[@]+"${filters[@]}"}"; do [[ " $name " == *" $f "* ]] || keep=; done
  [ -n "$keep" ] && selected+=("$w")
done
if [ ${#selected[@]} -eq 0 ]; then echo "no workload matches: ${filters[*]}" >&2; exit 64; fi

# --- prerequisites ----------------------------------------------------------------------------
if ! "$py" -c 'import torch, torchvision' 2>/dev/null; then
  echo "PyTorch/torchvision are not installed for $py (apt-get install -y python3-torch python3-torchvision)" >&2
  exit 1
fi

# A JDK 25, found the way the ./jtorch launcher finds one.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1; }
find_jdk25() {
  local c
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 25 ] 2>/dev/null; then
    echo "$JAVA_HOME"; return
  fi
  for c in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$c/bin/javac" ] || continue
    if [ "$(java_major "$c/bin/java")" -ge 25 ] 2>/dev/null; then echo "$c"; return; fi
  done
}
JAVA_HOME="$(find_jdk25)"
[ -n "$JAVA_HOME" ] || { echo "error: needs a JDK 25 (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME

# ORT's runner: (re)built when missing or older than its sources.
if [ ! -f "$ort_jar" ] || [ -n "$(find "$ort_dir/pom.xml" "$ort_dir/src" -newer "$ort_jar" -print -quit)" ]; then
  echo "building bench/peer/ort ..." >&2
  mvn_cmd=("$root/mvnw" -B -ntp -q)
  [ -n "${JTORCH_MVN_OFFLINE:-}" ] && mvn_cmd+=(-o)
  MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" "${mvn_cmd[@]}" -f "$ort_dir/pom.xml" package >&2
fi
# jtorch's CLI: built now if stale, so no row pays for (or is disturbed by) a build.
./jtorch --version >/dev/null

# ONNX exports for the eval rows, made once per model and shape (and again if the model code changed).
mkdir -p "$cache"
onnx_path() { echo "$cache/$1_b$2_$3x$4.onnx"; }
for w in "${selected[@]}"; do
  read -r model batch h wd threads mode <<<"$w"
  [ "$mode" = eval ] || continue
  f="$(onnx_path "$model" "$batch" "$h" "$wd")"
  if [ ! -f "$f" ] || [ bench/peer/export_onnx.py -nt "$f" ] || [ bench/model_torch.py -nt "$f" ]; then
    "$py" bench/peer/export_onnx.py "$model" "$f" --batch "$batch" --size "$h" "$wd" >&2
  fi
done

# --- header -----------------------------------------------------------------------------------
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit + uncommitted changes"
ort_version="$(basename "$(ls "$ort_dir"/target/lib/onnxruntime-*.jar)" .jar)"
echo "# peer_compare $(date -u +%Y-%m-%dT%H:%MZ)${quick:+ (QUICK smoke run: 0.5 s warm-up, 3 iterations; figures not meaningful)}"
echo "# commit $commit; $(nproc) CPUs: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)"
echo "# torch $("$py" -c 'import torch, torchvision; print(torch.__version__, "/ torchvision", torchvision.__version__)');" \
  "ORT ${ort_version#onnxruntime-} (Java API);" \
  "JDK $("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p')"

# --- runs -------------------------------------------------------------------------------------
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" | head -n1; }
# "~" stands for "—" until the table is printed: bash's printf pads by bytes, and "—" is three.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2fx", a/b; else printf "~" }'; }
# Runs one tool; its line goes to stderr as progress and to stdout for the caller. A failure is
# reported and leaves an empty result (the cell shows "error") rather than ending the whole run.
run_tool() {
  local out
  if out="$("$@" 2>&1)"; then
    grep -E '^(torch_model|ort_model|ort_check|jtorch_model) ' <<<"$out" >&2 || true
    echo "$out"
  else
    echo "FAILED ($*):" >&2; tail -n 5 <<<"$out" | sed 's/^/  /' >&2
  fi
}
cell() { [ -n "$1" ] && echo "$1" || echo error; }

rows=()
for w in "${selected[@]}"; do
  read -r model batch h wd threads mode <<<"$w"
  # shellcheck disable=SC2086
  name="$(label $w)"
  echo "== $name, $threads thread(s)" >&2
  args=("$model" --batch "$batch" --size "$h" "$wd" --threads "$threads")
  [ "$mode" = train ] && args+=(--train)

  t="$(run_tool "$py" bench/model_torch.py "${args[@]}" "${timing[@]+"${timing[@]}"}")"
  if [ "$mode" = eval ]; then
    f="$(onnx_path "$model" "$batch" "$h" "$wd")"
    o="$(run_tool "$JAVA_HOME/bin/java" -jar "$ort_jar" "$f" --name "$model" --batch "$batch" --size "$h" "$wd" \
      --threads "$threads" "${timing[@]+"${timing[@]}"}" --check "${f%.onnx}.input.f32" "${f%.onnx}.output.f32")"
    om="$(cell "$(field ms <<<"$o")")"; orss="$(cell "$(field rss_peak_mb <<<"$o")")"
  else
    om="~"; orss="~"
  fi
  j="$(run_tool ./jtorch bench model "${args[@]}" "${timing[@]+"${timing[@]}"}")"

  tm="$(cell "$(field ms <<<"$t")")"; jm="$(cell "$(field ms <<<"$j")")"
  rows+=("$(printf '| %-26s | %7s | %10s | %8s | %9s | %10s | %14s | %9s | %8s | %10s |' \
    "$name" "$threads" "$tm" "$om" "$jm" "$(ratio "$jm" "$om")" "$(ratio "$jm" "$tm")" \
    "$(cell "$(field rss_peak_mb <<<"$t")")" "$orss" "$(cell "$(field rss_peak_mb <<<"$j")")")")
done

# --- table ------------------------------------------------------------------------------------
echo
printf '| %-26s | %7s | %10s | %8s | %9s | %10s | %14s | %9s | %8s | %10s |\n' workload threads "PyTorch ms" "ORT ms" "jtorch ms" \
  jtorch/ORT jtorch/PyTorch "torch RSS" "ORT RSS" "jtorch RSS"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do echo "${r//\~/—}"; done
echo "(ms: median per iteration after warm-up, one forward or training step; ratios are jtorch time / peer time,"
echo " above 1 means jtorch is slower; RSS: peak resident set, VmHWM / ru_maxrss, in MB; — : ORT does not train)"
