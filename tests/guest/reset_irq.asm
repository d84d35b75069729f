; reset_irq.asm — what code without firmware sees right after reset: it enables interrupts
; (STI) before it has programmed the 8254 or initialised the 8259s, and nothing arrives. The
; 8254's counters do not count before their control word (so counter 0 makes no IRQ0 edge) and
; the 8259s request nothing before ICW1-ICW4 (so there is no vector 0 + IRQ0), as on Bochs and
; QEMU. Every IVT entry points to a handler that fails the program; it waits 200 ms of virtual
; time (RDTSC, 1 GHz) with IF = 1, then checks that the PIT's counter 0 is still unprogrammed
; (read-back status: OUT high, null count).
;
; Its own reset entry: the runtime's rom_entry would initialise the PICs first.
%define TEST_NAME "reset_irq"
%include "lib/guest.inc"

WAIT_TSC equ 200000000          ; 200 ms at the TSC's 1 GHz

start:                          ; (the runtime's entry; not used by this program)
quiet_entry:
  xor ax, ax
  mov ss, ax
  mov sp, STACK0_TOP
  mov ds, ax
  mov es, ax
  cld
  ; IVT: all 256 vectors -> F000:unexpected_interrupt
  xor di, di
  mov cx, 256
.ivt:
  mov word [di], R16(unexpected_interrupt)
  mov word [di + 2], 0xF000
  add di, 4
  loop .ivt
  sti
  rdtsc
  mov ebx, eax
  mov ecx, edx
.wait:
  rdtsc
  sub eax, ebx
  sbb edx, ecx
  jnz .waited
  cmp eax, WAIT_TSC
  jb .wait
.waited:
  OK "200 ms with IF = 1 after reset, no interrupt"
  cli
  mov al, 0xE2                  ; read-back: status of counter 0
  out 0x43, al
  in al, 0x40
  and eax, 0xC0
  CHECK eax, 0xC0, 2, "PIT counter 0 unprogrammed: OUT high, null count"
  PASS

unexpected_interrupt:
  FAIL 1, "an interrupt arrived before the PIT and the PICs were programmed"

section .reset start=0xFFF0 vstart=0xFFFF0
bits 16
  jmp 0xF000:R16(quiet_entry)
  times 16 - ($ - $$) db 0
