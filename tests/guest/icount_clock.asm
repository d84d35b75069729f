; icount_clock.asm — reads everything time-dependent a PC guest can see and prints the raw
; values, for the -icount determinism test (tests/guest/run_icount.py): the same command line
; under -icount must print exactly the same bytes every time, on any host load, while with host
; time (the default) the readings differ from run to run. In 32-bit protected mode:
;  * RDTSC twice, one instruction apart (under -icount shift=N the difference is 2 << N)
;  * the RTC's date and time registers (BCD) and the century byte (-rtc base=DATE sets them)
;  * PIT counter 0 in mode 2 at ~1 kHz: its latched count at a few points
;  * the RTC's periodic flag (1024 Hz) polled: how many polls until it is set
;  * 20 IRQ0s, each awaited with HLT: at each one the TSC and counter 0's latched count, then how
;    many spins of a busy loop pass between two IRQ0s, and during 100 IRQ0s that interrupt it
; The program checks only what holds with either clock (the TSC moves forward, 20 periods of
; 1 ms take at least 19 ms of TSC time); run_icount.py compares the printed values.
%define TEST_NAME "icount_clock"
%include "lib/guest.inc"

IRQ0_VECTOR   equ 0x20
MASTER_CMD    equ 0x20
MASTER_DATA   equ 0x21
EOI           equ 0x20
IRQS          equ 20
SPIN_LIMIT    equ 50000000

irq0_count    equ VARS_BASE + 0x100
irq_log       equ VARS_BASE + 0x200     ; IRQS x (TSC low, PIT count)

; PRINT_LABELLED "label": print "label " EAX, newline
%macro PRINT_LABELLED 1+
  PRINT %1, " "
  PRINT_EAX
  PRINT 10
%endmacro


; PIT_LATCH: EAX = counter 0's latched count
%macro PIT_LATCH 0
  xor al, al                            ; counter latch command, counter 0
  out 0x43, al
  in al, 0x40
  mov ah, al
  in al, 0x40
  xchg al, ah
  movzx eax, ax
%endmacro

start:
  ENTER_PM32
  IDT_GATE IRQ0_VECTOR, irq0_handler, GATE_INT32
  mov dword [irq0_count], 0

  ; ---- the TSC, one instruction apart ---------------------------------------------------------
  rdtsc
  mov ebx, eax
  rdtsc
  sub eax, ebx
  PRINT_LABELLED "tsc delta over 2 instructions"
  rdtsc
  PRINT_LABELLED "tsc"

  ; ---- RTC date and time ------------------------------------------------------------------------
  mov ecx, SPIN_LIMIT
.no_uip:                                ; not in the middle of an update
  CMOS_READ 0x0A
  test al, 0x80
  jz .rtc_read
  dec ecx
  jnz .no_uip
.rtc_read:
  CMOS_READ 0x32
  PRINT_LABELLED "rtc century"
  CMOS_READ 0x09
  PRINT_LABELLED "rtc year"
  CMOS_READ 0x08
  PRINT_LABELLED "rtc month"
  CMOS_READ 0x07
  PRINT_LABELLED "rtc day"
  CMOS_READ 0x04
  PRINT_LABELLED "rtc hours"
  CMOS_READ 0x02
  PRINT_LABELLED "rtc minutes"
  CMOS_READ 0x00
  PRINT_LABELLED "rtc seconds"

  ; ---- PIT counter 0, mode 2, 1 ms ----------------------------------------------------------
  PIT_MODE2_1MS
  PIT_LATCH
  PRINT_LABELLED "pit count"
  mov ecx, 1000
.spin_a:
  loop .spin_a
  PIT_LATCH
  PRINT_LABELLED "pit count after 1000 loops"

  ; ---- RTC periodic flag (register A rate 6: 1024 Hz), polled ------------------------------
  CMOS_READ 0x0C                        ; clears the flags
  xor ebx, ebx
  mov ecx, SPIN_LIMIT
.wait_pf:
  inc ebx
  CMOS_READ 0x0C
  test al, 0x40
  jnz .pf_set
  dec ecx
  jnz .wait_pf
  FAIL 1, "RTC periodic flag never set"
.pf_set:
  mov eax, ebx
  PRINT_LABELLED "rtc periodic flag after polls"

  ; ---- 20 IRQ0s, HLT in between ---------------------------------------------------------------
  ; Counter 0 kept counting while IRQ0 was masked: the PIT owes the ticks that merged meanwhile
  ; and would replay them right after the first ones (lost-tick re-injection, pit8254.h), more
  ; of them the longer the host was late. Programming the mode again starts afresh.
  PIT_MODE2_1MS
  rdtsc
  mov esi, eax
  mov al, 0xFE                          ; unmask IRQ0 only
  out MASTER_DATA, al
  sti
.wait_irqs:
  hlt
  cmp dword [irq0_count], IRQS
  jb .wait_irqs
  cli
  rdtsc
  sub eax, esi
  PRINT_LABELLED "tsc for 20 irq0s"
  cmp eax, 19000000                     ; 19 full periods at least
  jae .not_too_fast
  FAIL 2, "20 IRQ0s at 1 kHz in under 19 ms of TSC time"
.not_too_fast:
  xor ebx, ebx
.print_log:
  mov eax, [irq_log + ebx * 8]
  PRINT_LABELLED "irq0 tsc"
  mov eax, [irq_log + ebx * 8 + 4]
  PRINT_LABELLED "irq0 pit count"
  inc ebx
  cmp ebx, IRQS
  jb .print_log

  ; ---- busy spins between two IRQ0s -----------------------------------------------------------
  mov dword [irq0_count], 0
  sti
.sync:                                  ; start right after an IRQ0
  cmp dword [irq0_count], 0
  je .sync
  xor ecx, ecx
.spin_b:
  inc ecx
  cmp dword [irq0_count], 2
  jb .spin_b
  cli
  mov eax, ecx
  PRINT_LABELLED "spins between two irq0s"

  ; ---- 100 IRQ0s arriving in a busy loop (no HLT): where each lands is timing -----------------
  mov dword [irq0_count], 0
  xor ecx, ecx
  xor edx, edx
  sti
.spin_c:
  inc ecx
  add edx, ecx                          ; a checksum of when the interrupts came
  rol edx, 3
  cmp dword [irq0_count], 100
  jb .spin_c
  cli
  mov eax, ecx
  PRINT_LABELLED "spins during 100 irq0s"
  mov eax, edx
  PRINT_LABELLED "spin checksum"
  rdtsc
  PRINT_LABELLED "tsc at the end"
  PASS

irq0_handler:
  push eax
  push ebx
  push edx
  mov ebx, [irq0_count]
  cmp ebx, IRQS
  jae .counted
  rdtsc
  mov [irq_log + ebx * 8], eax
  PIT_LATCH
  mov [irq_log + ebx * 8 + 4], eax
.counted:
  inc dword [irq0_count]
  mov al, EOI
  out MASTER_CMD, al
  pop edx
  pop ebx
  pop eax
  iret

ROM_END
