; mips.asm — the MIPS benchmark as a bt86 guest ROM: enters flat 32-bit protected mode, runs
; bench_workload (workload.inc) once and prints "checksum XXXXXXXX" on the debug console, then
; exits with code 0. Run by bench/run_mips.sh; not a CTest test.
; Assemble: nasm -f bin -I tests/guest/ -I bench/mips/ -o mips.bin bench/mips/mips.asm
%define TEST_NAME "mips"
%include "lib/guest.inc"

SIEVE_BUF equ DATA_BASE
CRC_TABLE equ DATA_BASE + 0x20000

start:
  ENTER_PM32
  mov edi, SIEVE_BUF
  mov ebp, CRC_TABLE
  call bench_workload
  PRINT "checksum "
  PRINT_EAX
  PRINT 10
  EXIT 0

%include "workload.inc"

ROM_END
