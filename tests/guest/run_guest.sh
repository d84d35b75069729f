#!/usr/bin/env bash
# run_guest.sh — runs one guest test program under bt86 for CTest and checks BOTH its exit code
# and its output. CTest's PASS_REGULAR_EXPRESSION alone would ignore the exit code, so this
# script prints the marker line "GUEST-TEST-OK" only when both are right (and exits 1 otherwise);
# the test's PASS_REGULAR_EXPRESSION matches that marker. The guest's own output is echoed with a
# "| " prefix, so a guest can never print the marker itself.
#
# usage: run_guest.sh --exit CODE|nonzero --line TEXT [--stderr TEXT] -- bt86 [bt86 options...]
#   --exit 0        the run must end with this exit code
#   --exit nonzero  the run must end with a non-zero code that is not one of bt86's own failures
#                   (1 startup error, 124 timeout, 125 internal error, >= 126 crash or signal)
#   --line TEXT     the guest's standard output must contain a line equal to TEXT
#   --stderr TEXT   bt86's standard error must contain TEXT (how bt86 says why the run ended)
set -u
expect_exit="" expect_line="" expect_stderr=""
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    --exit) expect_exit="$2"; shift 2 ;;
    --line) expect_line="$2"; shift 2 ;;
    --stderr) expect_stderr="$2"; shift 2 ;;
    *) echo "run_guest.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
shift   # the "--"
[[ -n "$expect_exit" && -n "$expect_line" && $# -gt 0 ]] || { echo "run_guest.sh: bad usage" >&2; exit 2; }

out_file=$(mktemp) err_file=$(mktemp)
trap 'rm -f "$out_file" "$err_file"' EXIT
"$@" <&- >"$out_file" 2>"$err_file"
status=$?

sed 's/^/| /' "$out_file"
sed 's/^/stderr| /' "$err_file"
echo "exit code: $status"

exit_ok=0
if [[ "$expect_exit" == nonzero ]]; then
  if (( status != 0 && status != 1 && status != 124 && status != 125 && status < 126 )); then exit_ok=1; fi
elif (( status == expect_exit )); then
  exit_ok=1
fi
line_ok=0
grep -qxF -- "$expect_line" "$out_file" && line_ok=1

stderr_ok=1
[[ -z "$expect_stderr" ]] || grep -qF -- "$expect_stderr" "$err_file" || stderr_ok=0

(( exit_ok )) || echo "wrong exit code: expected $expect_exit, got $status"
(( line_ok )) || echo "missing output line: \"$expect_line\""
(( stderr_ok )) || echo "missing on stderr: \"$expect_stderr\""
if (( exit_ok && line_ok && stderr_ok )); then
  echo "GUEST-TEST-OK"
  exit 0
fi
exit 1
