; real_to_pm.asm — the mode switches by hand: real mode -> 16-bit protected mode -> 32-bit
; protected mode -> back to real mode, with unreal mode at the end.
;  * real mode: segment:offset addressing (two aliases of one linear address), CR0.PE = 0,
;    INT n through the real-mode IVT
;  * 16-bit protected mode (CS base 0xF0000): CS selector, CR0.PE = 1, LSL limits of byte- and
;    page-granular descriptors
;  * 32-bit protected mode after a far jump: data written in real mode seen at its linear
;    address; segment limits: the last bytes inside a byte-granular and a page-granular limit
;    are accessible, one byte beyond is #GP(0)
;  * back to real mode (SDM "Switching Back to Real-Address Mode"): 64 KiB segments, PE = 0, far
;    jump, segment loads compute base = selector * 16 again; FS keeps its 4 GiB limit (unreal
;    mode) and reads a value written above 1 MiB from protected mode.
%define TEST_NAME "real_to_pm"

SEL_SMALL equ SEL_FIRST_EXTRA + 0x00   ; data, base 0x100000, limit 0xFFF (byte granular)
SEL_PAGES equ SEL_FIRST_EXTRA + 0x08   ; data, base 0x100000, limit 0xF (page granular: 64 KiB)
%macro GDT_EXTRA 0
  DESC DATA_BASE, 0xFFF, ACC_DATA_RW, FLG_16
  DESC DATA_BASE, 0xF, ACC_DATA_RW, 0x8
%endmacro

%include "lib/guest.inc"

MAGIC_LOW  equ 0x12345678   ; written in real mode at linear 0x20000
MAGIC_HIGH equ 0xCAFEBABE   ; written in protected mode at linear 0x200000
REAL_VECTOR equ 0x80

start:
  PRINT "real mode", 10
  smsw ax
  movzx eax, ax
  CHECK_BITS eax, CR0_PE, 0, 1, "CR0.PE = 0 after reset"
  mov ax, 0x2000
  mov ds, ax
  mov dword [0], MAGIC_LOW
  mov ax, 0x1FF0
  mov es, ax
  CHECK [es:0x100], MAGIC_LOW, 2, "2000:0000 and 1FF0:0100 are the same byte"

  ; INT n through the IVT: vector REAL_VECTOR -> F000:real_int_handler
  xor ax, ax
  mov es, ax
  mov word [es:REAL_VECTOR * 4], R16(real_int_handler)
  mov word [es:REAL_VECTOR * 4 + 2], 0xF000
  xor ebx, ebx
  int REAL_VECTOR
  CHECK ebx, 0x600D, 3, "real-mode INT through the IVT and IRET"

  ; ---- to 16-bit protected mode ----
  LOAD_GDT
  mov eax, cr0
  or al, CR0_PE
  mov cr0, eax
  jmp SEL_CODE16:R16(pm16)

pm16:
  mov ax, SEL_DATA16
  mov ds, ax
  mov es, ax
  mov ss, ax
  PRINT "16-bit protected mode", 10
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_CODE16, 4, "CS holds the 16-bit code selector"
  smsw ax
  movzx eax, ax
  CHECK_BITS eax, CR0_PE, CR0_PE, 5, "CR0.PE = 1"
  mov bx, SEL_DATA16
  lsl eax, ebx
  CHECK eax, 0xFFFF, 6, "LSL of a 64 KiB byte-granular segment"
  mov bx, SEL_SMALL
  lsl eax, ebx
  CHECK eax, 0xFFF, 7, "LSL of a 4 KiB byte-granular segment"
  mov bx, SEL_PAGES
  lsl eax, ebx
  CHECK eax, 0xFFFF, 8, "LSL of a page-granular segment (limit 0xF -> 0xFFFF)"
  mov bx, SEL_CODE32
  lsl eax, ebx
  CHECK eax, 0xFFFFFFFF, 9, "LSL of a flat 4 GiB segment"
  jmp dword SEL_CODE32:pm32

bits 32
pm32:
  mov ax, SEL_DATA32
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, STACK0_TOP
  call idt_init
  PRINT "32-bit protected mode", 10
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_CODE32, 10, "CS holds the 32-bit code selector"
  CHECK [0x20000], MAGIC_LOW, 11, "real-mode data seen at its linear address"
  mov dword [0x200000], MAGIC_HIGH

  mov ax, SEL_SMALL
  mov es, ax
  mov byte [es:0xFFF], 1
  mov word [es:0xFFE], 2
  CHECK [DATA_BASE + 0xFFC], 0x00020000, 12, "writes up to a byte-granular limit (base 1 MiB)"
  EXPECT_FAULT 13, 0, 13, "word straddling a byte-granular limit: #GP(0)"
  mov word [es:0xFFF], 3
  END_EXPECT
  EXPECT_FAULT 13, 0, 14, "byte just beyond a byte-granular limit: #GP(0)"
  mov al, [es:0x1000]
  END_EXPECT

  mov ax, SEL_PAGES
  mov es, ax
  mov dword [es:0xFFFC], 0x55AA55AA
  CHECK [DATA_BASE + 0xFFFC], 0x55AA55AA, 15, "dword ending at a page-granular limit"
  EXPECT_FAULT 13, 0, 16, "byte just beyond a page-granular limit: #GP(0)"
  mov al, [es:0x10000]
  END_EXPECT

  ; ---- back to real mode ----
  cli
  mov ax, SEL_DATA32
  mov fs, ax                  ; FS keeps a 4 GiB limit into real mode (unreal mode)
  jmp dword SEL_CODE16:R16(back16)

bits 16
back16:
  mov ax, SEL_DATA16
  mov ds, ax
  mov es, ax
  mov gs, ax
  mov ss, ax
  mov eax, cr0
  and eax, ~CR0_PE
  mov cr0, eax
  jmp 0xF000:R16(real_again)

real_again:
  xor ax, ax
  mov ss, ax
  mov sp, STACK0_TOP
  mov ds, ax
  mov es, ax
  mov gs, ax
  QUIET16 lidt [cs:R16(real_idtr)]
  PRINT "back in real mode", 10
  smsw ax
  movzx eax, ax
  CHECK_BITS eax, CR0_PE, 0, 17, "CR0.PE = 0 again"
  mov ax, cs
  movzx eax, ax
  CHECK eax, 0xF000, 18, "CS = F000 after the far jump"
  mov ax, 0x2000
  mov ds, ax
  CHECK [0], MAGIC_LOW, 19, "segment load computes base = selector * 16 again"
  mov ax, 0x3000
  mov ds, ax
  mov dword [0x10], 0x600DF00D
  mov ax, 0x3001
  mov es, ax
  CHECK [es:0], 0x600DF00D, 20, "3000:0010 and 3001:0000 are the same byte"
  mov ebx, 0x200000
  CHECK [fs:ebx], MAGIC_HIGH, 21, "unreal mode: FS reads above 1 MiB with a 32-bit offset"
  xor ebx, ebx
  int REAL_VECTOR
  CHECK ebx, 0x600D, 22, "IVT interrupts work again in real mode"
  PASS

real_int_handler:
  mov bx, 0x600D
  iret

real_idtr:
  dw 0x3FF
  dd 0

ROM_END
