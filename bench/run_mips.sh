#!/usr/bin/env bash
# run_mips.sh — the interpreter speed benchmark: guest MIPS of bt86 on a compute-heavy guest loop
# (bench/mips/workload.inc), side by side with QEMU (TCG) running the same ROM image and the same
# loop compiled natively for the host. See bench/README.md.
#
# usage: bench/run_mips.sh [--bt86 PATH] [--rounds N] [--install-qemu]
#   --bt86 PATH      the bt86 binary (default: $BT86, else build/bt86 in the repository)
#   --rounds N       workload rounds (default 1000, about 1.56 G guest instructions)
#   --install-qemu   apt-get install qemu-system-x86 first if qemu-system-i386 is missing
# bt86's MIPS is its own -stats figure; QEMU's and native MIPS divide the workload's instruction
# count (measured once with valgrind --tool=lackey on the native build) by their wall time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bt86=${BT86:-$repo/build/bt86}
rounds=1000
install_qemu=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bt86) bt86=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --install-qemu) install_qemu=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run_mips.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rom=$work/mips.bin
nasm -f bin -DBENCH_ROUNDS="$rounds" -I"$repo/tests/guest/" -I"$repo/bench/mips/" -o "$rom" "$repo/bench/mips/mips.asm"

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
checksum_of() { grep -o 'checksum [0-9A-F]*' "$1" | cut -d' ' -f2 || true; }
rows=()
insns=""   # guest instructions bt86 reports

# ---- bt86 ----
if [[ -x "$bt86" ]]; then
  t0=$(now)
  status=0
  "$bt86" -bios "$rom" -m 32 -nographic -no-reboot -timeout 600 -stats >"$work/bt86.out" 2>"$work/bt86.err" || status=$?
  t1=$(now)
  insns=$(awk '/guest instructions retired/ {print $4}' "$work/bt86.err")
  mips=$(awk '/guest MIPS/ {print $3}' "$work/bt86.err")
  secs=$(awk '/wall seconds/ {print $3}' "$work/bt86.err")
  [[ -n "$secs" ]] || secs=$(elapsed "$t0" "$t1")
  [[ $status -eq 0 ]] || { echo "bt86 exited with $status:"; cat "$work/bt86.err"; }
  rows+=("bt86|$secs|${mips:-?}|$(checksum_of "$work/bt86.out")")
else
  echo "bt86 not found at $bt86 (build it, or pass --bt86 PATH)"
fi

# instructions of the workload: 1,546,431 per round + 10,864 once (CRC table, output)
workload_insns=$(( 1546431 * rounds + 10864 ))
mips_for() {  # seconds -> MIPS
  printf '%.1f' "$(echo "$workload_insns / $1 / 1000000" | bc -l)"
}

# ---- QEMU (TCG) ----
if ! command -v qemu-system-i386 >/dev/null && (( install_qemu )); then
  apt-get install -y qemu-system-x86 >/dev/null
fi
if command -v qemu-system-i386 >/dev/null; then
  t0=$(now)
  status=0
  qemu-system-i386 -bios "$rom" -m 32 -display none -serial none -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=1 -debugcon "file:$work/qemu.out" || status=$?
  t1=$(now)
  # isa-debug-exit ends QEMU with (V << 1) | 1 for a guest write of V
  (( status == 1 )) || echo "qemu: guest exit code $(( status >> 1 )) (raw $status)"
  secs=$(elapsed "$t0" "$t1")
  rows+=("qemu-tcg|$secs|$(mips_for "$secs")|$(checksum_of "$work/qemu.out")")
else
  echo "qemu-system-i386 not installed (pass --install-qemu to install qemu-system-x86)"
fi

# ---- native ----
if nasm -f elf32 -DBENCH_ROUNDS="$rounds" -I"$repo/bench/mips/" -o "$work/native.o" "$repo/bench/mips/native.asm" &&
   ld -m elf_i386 -o "$work/native" "$work/native.o" 2>/dev/null; then
  t0=$(now)
  "$work/native" >"$work/native.out"
  t1=$(now)
  secs=$(elapsed "$t0" "$t1")
  rows+=("native|$secs|$(mips_for "$secs")|$(checksum_of "$work/native.out")")
else
  echo "native build skipped (needs ld with elf_i386 support)"
fi

echo "workload: $rounds rounds, $workload_insns instructions (bt86 retired ${insns:-?} incl. ROM start-up)"
printf '%-10s %10s %10s  %s\n' engine seconds MIPS checksum
for row in "${rows[@]}"; do
  IFS='|' read -r name secs mips sum <<<"$row"
  printf '%-10s %10.3f %10s  %s\n' "$name" "$secs" "$mips" "${sum:-none}"
done
sums=$(printf '%s\n' "${rows[@]}" | cut -d'|' -f4 | sort -u | wc -l)
(( sums <= 1 )) || echo "WARNING: checksums differ between engines"
