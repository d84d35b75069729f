; triple_fault.asm — a fault that cannot be delivered must shut the machine down, not hang or
; crash the emulator. With an empty IDT (limit 0) in protected mode, UD2 raises #UD, whose gate
; is beyond the IDT limit -> #GP, itself undeliverable -> #DF, undeliverable -> triple fault.
; Run with -no-reboot: the run must end with a non-zero exit code (the CTest wrapper checks the
; line below was printed and that bt86 neither timed out nor died of a signal).
%define TEST_NAME "triple_fault"
%include "lib/guest.inc"

start:
  ENTER_PM32
  PRINT "triple_fault: forcing a triple fault", 10
  lidt [empty_idtr]
  ud2
  FAIL 1, "UD2 did not fault"

empty_idtr:
  dw 0
  dd 0

ROM_END
