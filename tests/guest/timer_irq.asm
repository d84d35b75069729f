; timer_irq.asm — the PC's interrupt and timer core as a guest sees it, in 32-bit protected mode:
; PIT counter 0 in mode 2 at ~1 kHz raises IRQ0 through the 8259 pair (remapped to vectors
; 0x20/0x28 by the runtime); a masked IRQ0 waits in IRR; HLT is woken by IRQ0; ISR is set in the
; handler until its EOI; 50 IRQ0s take a plausible time (measured with the TSC, which follows the
; same virtual clock); masking holds interrupts back and unmasking delivers the latched one;
; PIT read-back status; port 0x61 gates counter 2 and shows its OUT and the refresh toggle; an
; unmasked x87 error with CR0.NE = 0 arrives as IRQ13 (FERR#), cleared through port 0xF0.
;
; Checked against Bochs 2.7 (passes) and QEMU 7.2 (passes up to the mode-0 gate check, which its
; PIT does not implement; its TCG then aborts on FERR#). Both have a local APIC, so there the
; program needs LVT LINT0 = ExtINT (0x700 at 0xFEE00350) and the APIC enabled (SVR 0xFEE000F0
; = 0x1FF) after ENTER_PM32 to let the 8259's INTR through; bt86 has no APIC yet.
%define TEST_NAME "timer_irq"
%include "lib/guest.inc"

IRQ0_VECTOR   equ 0x20
IRQ13_VECTOR  equ 0x2D                  ; slave base 0x28 + 5
MASTER_CMD    equ 0x20
MASTER_DATA   equ 0x21
SLAVE_CMD     equ 0xA0
SLAVE_DATA    equ 0xA1
OCW3_READ_IRR equ 0x0A
OCW3_READ_ISR equ 0x0B
EOI           equ 0x20
SPIN_LIMIT    equ 50000000              ; bound for polling loops (a lost device is a failure)

irq0_count    equ VARS_BASE + 0x100     ; IRQ0s handled
irq0_isr_seen equ VARS_BASE + 0x104     ; master ISR as read inside the first IRQ0 handler
irq13_count   equ VARS_BASE + 0x108

; CHECK_NONZERO mem, code, "what": the dword at `mem` is not zero. (A count that must be "at
; least one": a new timer edge may always arrive while the first interrupt is handled.)
%macro CHECK_NONZERO 3+
  cmp dword %1, 0
  jne %%ok
  FAIL %2, %3
%%ok:
  OK %3
%endmacro

start:
  ENTER_PM32
  IDT_GATE IRQ0_VECTOR, irq0_handler, GATE_INT32
  IDT_GATE IRQ13_VECTOR, irq13_handler, GATE_INT32
  mov dword [irq0_count], 0
  mov dword [irq0_isr_seen], -1
  mov dword [irq13_count], 0

  ; ---- counter 0: mode 2, 1 ms period; IRQ0 still masked ------------------------------------
  PIT_MODE2_1MS
  mov al, 0xE2                          ; read-back: status of counter 0
  out 0x43, al
  in al, 0x40
  movzx eax, al
  CHECK_BITS eax, 0x3F, 0x34, 1, "PIT read-back status: LSB/MSB access, mode 2, binary"

  mov al, OCW3_READ_IRR
  out MASTER_CMD, al
  mov ecx, SPIN_LIMIT
.wait_irr:
  in al, MASTER_CMD
  test al, 1
  jnz .irr_set
  dec ecx
  jnz .wait_irr
.irr_set:
  movzx eax, al
  CHECK_BITS eax, 1, 1, 2, "masked IRQ0 is latched in IRR"
  call irq_window
  CHECK dword [irq0_count], 0, 3, "masked IRQ0 is not delivered"

  ; ---- unmask IRQ0: HLT wakes, the handler sees ISR bit 0 ------------------------------------
  mov al, 0xFE
  out MASTER_DATA, al
  sti
  hlt
  cli
  CHECK_NONZERO [irq0_count], 4, "HLT woken by IRQ0"
  CHECK dword [irq0_isr_seen], 1, 5, "ISR bit 0 set while the IRQ0 handler runs"
  mov al, OCW3_READ_ISR
  out MASTER_CMD, al
  in al, MASTER_CMD
  movzx eax, al
  CHECK eax, 0, 6, "ISR clear after the EOI"

  ; ---- 50 IRQ0s at 1 kHz take about 50 ms of (virtual) time ----------------------------------
  rdtsc
  mov ebx, eax
  mov dword [irq0_count], 0
  sti
.wait_50:
  hlt
  cmp dword [irq0_count], 50
  jb .wait_50
  cli
  rdtsc
  sub eax, ebx                          ; TSC: 1 GHz nominal, i.e. nanoseconds
  cmp eax, 48000000                     ; 49 full periods at least
  jae .not_too_fast
  PRINT "50 IRQ0s took (ns) "
  PRINT_EAX
  FAIL 7, "IRQ0 faster than the programmed 1 kHz"
.not_too_fast:
  cmp eax, 1000000000
  jbe .not_too_slow
  FAIL 8, "50 IRQ0s at 1 kHz took over a second"
.not_too_slow:
  OK "50 IRQ0s in a plausible time"

  ; ---- masking holds IRQ0 back; unmasking delivers the latched request ----------------------
  mov al, 0xFF
  out MASTER_DATA, al
  mov dword [irq0_count], 0
  sti
  call wait_5ms
  cli
  CHECK dword [irq0_count], 0, 9, "masked: no IRQ0 for 5 ms"
  mov al, 0xFE
  out MASTER_DATA, al
  call irq_window
  CHECK_NONZERO [irq0_count], 10, "unmasking delivers the latched IRQ0 at once"
  mov al, 0xFF
  out MASTER_DATA, al

  ; ---- port 0x61: counter 2 gate and OUT, refresh toggle -------------------------------------
  xor al, al                            ; gate 2 off, speaker off
  out 0x61, al
  mov al, 0xB0                          ; counter 2, LSB then MSB, mode 0, binary
  out 0x43, al
  mov al, 100
  out 0x42, al
  xor al, al
  out 0x42, al
  call wait_5ms
  in al, 0x61
  movzx eax, al
  CHECK_BITS eax, 0x20, 0, 11, "gate 2 low: counter 2 stopped, OUT2 low"
  mov bl, al
  in al, 0x61
  xor bl, al
  movzx ebx, bl
  CHECK_BITS ebx, 0x10, 0x10, 12, "refresh bit toggles between reads"
  mov al, 0x01                          ; gate 2 on
  out 0x61, al
  mov ecx, SPIN_LIMIT
.wait_out2:
  in al, 0x61
  test al, 0x20
  jnz .out2_high
  dec ecx
  jnz .wait_out2
.out2_high:
  movzx eax, al
  CHECK_BITS eax, 0x21, 0x21, 13, "gate 2 high: OUT2 goes high at terminal count"

  ; ---- x87 error with CR0.NE = 0 -> FERR# -> IRQ13 -------------------------------------------
  mov al, 0xFB                          ; master: unmask IRQ2 (cascade)
  out MASTER_DATA, al
  mov al, 0xDF                          ; slave: unmask IRQ13
  out SLAVE_DATA, al
  mov eax, cr0
  and eax, ~((1 << 5) | (1 << 2) | CR0_TS)  ; NE = 0, EM = 0, TS = 0
  mov cr0, eax
  fninit
  fldcw [fpu_cw_zero_divide]
  fldz
  fld1
  fdiv st0, st1                         ; ZE pending
  fwait                                 ; reports it: FERR# latches IRQ13
  call irq_window
  CHECK dword [irq13_count], 1, 14, "x87 error with CR0.NE=0 raises IRQ13"
  fninit

  PASS

; irq_window: enable interrupts for a short loop, so that pending ones are taken at an
; instruction boundary, then disable them again.
irq_window:
  push ecx
  sti
  mov ecx, 100
.spin:
  loop .spin
  cli
  pop ecx
  ret

; wait_5ms: spin on the TSC for 5 ms (interrupts are taken meanwhile if enabled).
wait_5ms:
  push eax
  push ebx
  push edx
  rdtsc
  mov ebx, eax
.spin:
  rdtsc
  sub eax, ebx
  cmp eax, 5000000
  jb .spin
  pop edx
  pop ebx
  pop eax
  ret

irq0_handler:
  push eax
  cmp dword [irq0_isr_seen], -1
  jne .counted
  mov al, OCW3_READ_ISR
  out MASTER_CMD, al
  in al, MASTER_CMD
  movzx eax, al
  mov [irq0_isr_seen], eax
  mov al, OCW3_READ_IRR
  out MASTER_CMD, al
.counted:
  inc dword [irq0_count]
  mov al, EOI
  out MASTER_CMD, al
  pop eax
  iret

irq13_handler:
  push eax
  out 0xF0, al                          ; clear the FERR# latch (IGNNE#)
  fnclex
  inc dword [irq13_count]
  mov al, EOI
  out SLAVE_CMD, al
  out MASTER_CMD, al
  pop eax
  iret

fpu_cw_zero_divide:
  dw 0x037B                             ; all masked except ZE

ROM_END
