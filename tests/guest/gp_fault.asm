; gp_fault.asm — general-protection faults and their error codes (the selector for selector
; checks, 0 otherwise); each must leave EIP at the faulting instruction.
;  ring 0: selector beyond the GDT limit, execute-only code / TSS / RPL > DPL loaded into DS,
;          null and read-only selectors loaded into SS, data through a null DS, an access
;          crossing a segment limit, a write to a read-only data segment and through a CS
;          override, a far jump to a data segment
;  ring 3 (IOPL 0): DPL-0 data loaded into DS, HLT, MOV CR0, LGDT, CLI, OUT to a port the
;          TSS I/O bitmap denies (the bitmap allows the console ports, so ring 3 still reports)
%define TEST_NAME "gp_fault"

SEL_XONLY equ SEL_FIRST_EXTRA + 0x00   ; execute-only code segment
SEL_RO    equ SEL_FIRST_EXTRA + 0x08   ; read-only data segment
SEL_SMALL equ SEL_FIRST_EXTRA + 0x10   ; data segment with limit 0xFFF
%macro GDT_EXTRA 0
  DESC 0, 0xFFFFF, ACC_CODE_X, FLG_32
  DESC 0, 0xFFFFF, ACC_DATA_RO, FLG_32
  DESC DATA_BASE, 0xFFF, ACC_DATA_RW, FLG_32_BYTE
%endmacro
%include "lib/guest.inc"

BEYOND_GDT equ 0x1F8                    ; index 63: past the end of the GDT

start:
  ENTER_PM32
  call tss_init

  mov ax, BEYOND_GDT
  EXPECT_FAULT 13, BEYOND_GDT, 10, "load DS with a selector beyond the GDT limit"
  mov ds, ax
  END_EXPECT
  mov ax, BEYOND_GDT | 3
  EXPECT_FAULT 13, BEYOND_GDT, 11, "same selector with RPL 3: error code has RPL bits clear"
  mov es, ax
  END_EXPECT
  mov ax, SEL_XONLY
  EXPECT_FAULT 13, SEL_XONLY, 12, "load DS with an execute-only code segment"
  mov ds, ax
  END_EXPECT
  mov ax, SEL_TSS
  EXPECT_FAULT 13, SEL_TSS, 13, "load DS with a TSS descriptor"
  mov ds, ax
  END_EXPECT
  mov ax, SEL_DATA32 | 3
  EXPECT_FAULT 13, SEL_DATA32, 14, "load SS with RPL 3 at CPL 0"
  mov ss, ax
  END_EXPECT
  xor eax, eax
  EXPECT_FAULT 13, 0, 15, "load SS with the null selector: #GP(0)"
  mov ss, ax
  END_EXPECT
  mov ax, SEL_RO
  EXPECT_FAULT 13, SEL_RO, 16, "load SS with a read-only data segment"
  mov ss, ax
  END_EXPECT

  xor eax, eax
  mov fs, ax                                ; a null selector loads fine ...
  EXPECT_FAULT 13, 0, 17, "... but an access through it is #GP(0)"
  mov eax, [fs:0x1000]
  END_EXPECT

  mov ax, SEL_SMALL
  mov es, ax
  mov eax, [es:0xFFC]
  EXPECT_FAULT 13, 0, 18, "dword access crossing a 4 KiB segment limit"
  mov eax, [es:0xFFE]
  END_EXPECT
  mov ax, SEL_RO
  mov es, ax
  mov eax, [es:0x100]
  EXPECT_FAULT 13, 0, 19, "write to a read-only data segment"
  mov [es:0x100], eax
  END_EXPECT
  EXPECT_FAULT 13, 0, 20, "write through a CS override"
  mov [cs:DATA_BASE], eax
  END_EXPECT
  EXPECT_FAULT 13, SEL_DATA32, 21, "far jump to a data segment"
  jmp SEL_DATA32:0
  END_EXPECT

  TO_RING3 ring3, EFL_FIXED              ; IOPL 0
ring3:
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_UCODE32, 30, "ring 3 with IOPL 0 reports through the I/O bitmap"
  mov ax, SEL_DATA32
  EXPECT_FAULT 13, SEL_DATA32, 31, "CPL 3 loads a DPL-0 data segment"
  mov ds, ax
  END_EXPECT
  EXPECT_FAULT 13, 0, 32, "HLT at CPL 3"
  hlt
  END_EXPECT
  EXPECT_FAULT 13, 0, 33, "MOV to CR0 at CPL 3"
  mov cr0, eax
  END_EXPECT
  EXPECT_FAULT 13, 0, 34, "LGDT at CPL 3"
  lgdt [gdtr_rom]
  END_EXPECT
  EXPECT_FAULT 13, 0, 35, "CLI at CPL 3 with IOPL 0"
  cli
  END_EXPECT
  EXPECT_FAULT 13, 0, 36, "OUT to a port the I/O bitmap denies"
  out 0x80, al
  END_EXPECT
  mov dx, 0x1000
  EXPECT_FAULT 13, 0, 37, "IN from a port beyond the I/O bitmap"
  in al, dx
  END_EXPECT
  PASS

ROM_END
