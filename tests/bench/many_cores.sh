#!/usr/bin/env bash
# The many-core curve on a machine that has python3 and nothing else (no Node.js, no registry,
# no browser): how docs/performance.md's "Many cores" figures are measured on a 16-vCPU machine.
#
#   tests/bench/many_cores.sh pack DIR        here: fills DIR (≈ 62 MiB) with the release site,
#                                             the native kernel bench, a headless Chromium and
#                                             the libraries and fonts it needs, xz-compressed
#   tests/bench/many_cores.sh run DIR OUT [W] there, from the repo's root: the native kernel
#                                             (3 runs), the page's threads and processes curves
#                                             and its own sweep (tests/bench/page_curve.py),
#                                             CPython's pools; JSON files into OUT
#
# The browser is npm's @sparticuz/chromium (a headless shell built to run without system
# libraries but NSS, which it carries); without a font, its Skia aborts ("SkFontMgr_FontConfigInterface
# … Not implemented") at the first text it cannot place, hence the fonts and FONTCONFIG_PATH.
set -euo pipefail
cmd=${1:?pack or run}
dir=${2:?a folder}

if [ "$cmd" = pack ]; then
  root=$(cd "$(dirname "$0")/../.." && pwd)
  mkdir -p "$dir"
  work=$(mktemp -d)
  (cd "$root" && cargo xtask dist && cargo +nightly-2026-05-20 build -q --release -p model --example kernel_bench)
  tar cJf "$dir/site.tar.xz" -C "$root/dist" .
  xz -9 -c "$root/target/release/examples/kernel_bench" >"$dir/kernel_bench.xz"
  (cd "$work" && npm pack -q @sparticuz/chromium@147.0.0 >/dev/null && tar xzf sparticuz-chromium-*.tgz)
  # Brotli (the package's format) is not in Python's standard library; xz is, and with the x86
  # filter it packs the browser smaller (58 MiB).
  node -e 'const z=require("zlib"),fs=require("fs");for(const f of ["chromium","al2023.tar","fonts.tar"])fs.writeFileSync(process.argv[1]+"/"+f,z.brotliDecompressSync(fs.readFileSync(process.argv[1]+"/package/bin/"+f+".br")))' "$work"
  xz -9e --x86 --lzma2=preset=9e,dict=192MiB -c "$work/chromium" >"$dir/chromium.xz"
  mkdir -p "$work/al" && tar xf "$work/al2023.tar" -C "$work/al" && tar cJf "$dir/libs.tar.xz" -C "$work/al" lib
  xz -9 -c "$work/fonts.tar" >"$dir/fonts.tar.xz"
  rm -rf "$work"
  du -sh "$dir"
  exit 0
fi

[ "$cmd" = run ] || { echo "pack or run" >&2; exit 2; }
out=${3:?a folder for the results}
workers=${4:-1,2,4,8,16}
t=$(mktemp -d)
python3 - "$dir" "$t" <<'EOF'
import lzma, os, shutil, sys, tarfile
src, t = sys.argv[1], sys.argv[2]
for name in ("chromium", "kernel_bench"):
    with lzma.open(f"{src}/{name}.xz") as i, open(f"{t}/{name}", "wb") as o:
        shutil.copyfileobj(i, o)
    os.chmod(f"{t}/{name}", 0o755)
for archive, to in (("libs", t), ("fonts", f"{t}/fonts"), ("site", f"{t}/site")):
    os.makedirs(to, exist_ok=True)
    tarfile.open(f"{src}/{archive}.tar.xz").extractall(to)
# The package's fonts.conf names the folders of AWS Lambda; this one names where they are now.
with open(f"{t}/fonts/fonts.conf", "w") as f:
    f.write(f"<?xml version='1.0'?><fontconfig><dir>{t}/fonts</dir><cachedir>{t}/fonts-cache</cachedir></fontconfig>")
EOF
export LD_LIBRARY_PATH="$t/lib" FONTCONFIG_PATH="$t/fonts" PYTHONUNBUFFERED=1
mkdir -p "$out"
for i in 1 2 3; do "$t/kernel_bench" "$workers" >"$out/native-$i.json"; done
python3 tests/bench/page_curve.py "$t/site" "$t/chromium" "$workers" --out "$out/page.json" >/dev/null
python3 tests/bench/cpython_curve.py "$workers" >"$out/cpython.json"
