; v86_mode.asm — virtual-8086 mode under a small ring-0 monitor.
;  * entry through IRET with EFLAGS.VM = 1; real-mode-style segment:offset addressing; SMSW
;    shows PE = 1; OUT to the console port is allowed by the TSS I/O bitmap
;  * IOPL 0: CLI, STI, PUSHF, POPF and INT n raise #GP(0); the #GP handler (the monitor) gets a
;    frame with VM = 1 and the V86 segment registers, finds the opcode at CS * 16 + IP and
;    emulates it with a virtual IF; INT3 is not IOPL-sensitive and goes through its DPL-3 IDT
;    gate; OUT to a port the I/O bitmap denies raises #GP(0); HLT leaves V86 mode
;  * IOPL 3: CLI/STI/PUSHF/POPF run without trapping
%define TEST_NAME "v86_mode"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
mon_traps:    resd 1   ; #GPs from V86 mode
mon_vif:      resd 1   ; the virtual IF the monitor keeps (0 or 1)
mon_entry_ds: resd 1   ; DS on entry to the monitor (V86 segments are nulled)
mon_int_vec:  resd 1   ; vector of the last emulated INT n
mon_io_port:  resd 1   ; port of the last denied OUT imm8
mon_exit_eflags: resd 1 ; V86 frame at the HLT that left V86 mode
mon_exit_cs:  resd 1
mon_exit_ds:  resd 1
bp_eflags:    resd 1   ; frame seen by the INT3 handler
bp_cs:        resd 1
bp_eip:       resd 1
mon_exit_to:  resd 1   ; ring-0 continuation after HLT
section .text

V86_SS equ 0x0A00              ; V86 stack: 0A00:1000 = linear 0xB000 down
V86_SP equ 0x1000

; ENTER_V86 entry, iopl_bits, continuation: run F000:entry in V86 mode; HLT comes back to
; `continuation` in ring 0 (stack STACK0_TOP)
%macro ENTER_V86 3
  mov dword [mon_exit_to], %3
  mov dword [mon_traps], 0
  push dword 0                 ; GS
  push dword 0                 ; FS
  push dword 0                 ; DS
  push dword 0                 ; ES
  push dword V86_SS
  push dword V86_SP
  push dword EFL_VM | EFL_FIXED | (%2)
  push dword 0xF000
  push dword R16(%1)
  iretd
%endmacro

start:
  ENTER_PM32
  call tss_init
  IDT_GATE 13, v86_monitor, GATE_INT32
  IDT_GATE 3, v86_breakpoint, GATE_INT32 | GATE_DPL3
  mov dword [mon_vif], 1
  ENTER_V86 v86_iopl0, 0, after_iopl0

after_iopl0:
  PRINT "back in ring 0", 10
  CHECK [mon_traps], 10, 20, "10 sensitive instructions trapped at IOPL 0"
  CHECK [mon_entry_ds], 0, 21, "monitor entered with DS nulled"
  CHECK [mon_int_vec], 0x21, 22, "monitor saw INT 0x21"
  CHECK [mon_io_port], 0x80, 23, "OUT to a port denied by the bitmap trapped"
  CHECK_BITS dword [mon_exit_eflags], EFL_VM, EFL_VM, 24, "#GP frame EFLAGS has VM = 1"
  CHECK [mon_exit_cs], 0xF000, 25, "#GP frame holds the V86 CS"
  CHECK [mon_exit_ds], 0x1234, 26, "#GP frame holds the V86 DS"
  CHECK_BITS dword [bp_eflags], EFL_VM, EFL_VM, 27, "INT3 frame EFLAGS has VM = 1"
  CHECK [bp_cs], 0xF000, 28, "INT3 frame CS"
  CHECK [bp_eip], R16(v86_iopl0.after_int3), 29, "INT3 frame IP after INT3"
  CHECK [0x12350], 0xBEEF, 30, "V86 write to 1234:0010 landed at linear 0x12350"

  ENTER_V86 v86_iopl3, EFL_IOPL3, after_iopl3
after_iopl3:
  CHECK [mon_traps], 1, 31, "IOPL 3: only HLT trapped"
  PASS

; ---- V86 code -------------------------------------------------------------------------------------
bits 16
v86_iopl0:
  PRINT "V86 mode, IOPL 0", 10
  smsw ax
  movzx eax, ax
  CHECK_BITS eax, CR0_PE, CR0_PE, 1, "SMSW in V86 mode: PE = 1"
  mov ax, 0x1234
  mov ds, ax
  mov word [0x10], 0xBEEF
  mov ax, 0x1235
  mov es, ax
  movzx eax, word [es:0]
  CHECK eax, 0xBEEF, 2, "V86 segment:offset addressing (1234:0010 = 1235:0000)"
  cli
  sti
  pushf
  pop ax
  CHECK_BITS eax, EFL_IF, EFL_IF, 3, "emulated CLI, STI, PUSHF: virtual IF = 1"
  cli
  pushf
  pop ax
  CHECK_BITS eax, EFL_IF, 0, 4, "emulated CLI: virtual IF = 0"
  push word EFL_IF
  popf
  pushf
  pop ax
  CHECK_BITS eax, EFL_IF, EFL_IF, 5, "emulated POPF sets the virtual IF"
  xor bx, bx
  int 0x21
  movzx ebx, bx
  CHECK ebx, 0x600D, 6, "INT 0x21 trapped and emulated by the monitor"
  xor ecx, ecx
  int3
.after_int3:
  CHECK ecx, 0xCC, 7, "INT3 reached its DPL-3 gate directly"
  out 0x80, al
  hlt

v86_iopl3:
  PRINT "V86 mode, IOPL 3", 10
  cli
  sti
  pushf
  pop ax
  CHECK_BITS eax, EFL_IF, EFL_IF, 10, "IOPL 3: STI and PUSHF run directly"
  push word 0
  popf
  pushf
  pop ax
  CHECK_BITS eax, EFL_IF, 0, 11, "IOPL 3: POPF clears IF directly"
  hlt

; ---- ring-0 handlers ------------------------------------------------------------------------------
bits 32
; #GP frame after PUSHAD: error, EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS
GP_ERR equ 32
GP_EIP equ 36
GP_CS  equ 40
GP_EFL equ 44
GP_ESP equ 48
GP_SS  equ 52
GP_DS  equ 60
SAVED_EBX equ 16

v86_monitor:
  pushad
  mov bx, ds
  mov ax, SEL_DATA32
  mov ds, ax
  mov es, ax
  movzx ebx, bx
  mov [mon_entry_ds], ebx
  test dword [esp + GP_EFL], EFL_VM
  jz .not_v86
  cmp dword [esp + GP_ERR], 0
  jne .bad_error
  inc dword [mon_traps]
  movzx ebx, word [esp + GP_CS]           ; EBX = linear address of the instruction
  shl ebx, 4
  movzx eax, word [esp + GP_EIP]
  add ebx, eax
  movzx eax, word [esp + GP_SS]           ; EDI = linear address of the V86 stack top
  shl eax, 4
  movzx edi, word [esp + GP_ESP]
  add edi, eax
  mov al, [ebx]
  cmp al, 0xFA
  je .cli
  cmp al, 0xFB
  je .sti
  cmp al, 0x9C
  je .pushf
  cmp al, 0x9D
  je .popf
  cmp al, 0xCD
  je .int_n
  cmp al, 0xE6
  je .out_imm
  cmp al, 0xF4
  je .hlt
  FAIL 50, "monitor: unexpected opcode"
.cli:
  mov dword [mon_vif], 0
  jmp .skip1
.sti:
  mov dword [mon_vif], 1
  jmp .skip1
.pushf:
  mov eax, [esp + GP_EFL]
  and eax, ~EFL_IF
  mov ecx, [mon_vif]
  shl ecx, 9
  or eax, ecx
  mov [edi - 2], ax
  sub word [esp + GP_ESP], 2
  jmp .skip1
.popf:
  movzx eax, word [edi]
  shr eax, 9
  and eax, 1
  mov [mon_vif], eax
  add word [esp + GP_ESP], 2
  jmp .skip1
.int_n:
  movzx eax, byte [ebx + 1]
  mov [mon_int_vec], eax
  mov dword [esp + SAVED_EBX], 0x600D
  jmp .skip2
.out_imm:
  movzx eax, byte [ebx + 1]
  mov [mon_io_port], eax
  jmp .skip2
.hlt:
  mov eax, [esp + GP_EFL]
  mov [mon_exit_eflags], eax
  mov eax, [esp + GP_CS]
  mov [mon_exit_cs], eax
  mov eax, [esp + GP_DS]
  mov [mon_exit_ds], eax
  mov esp, STACK0_TOP
  jmp [mon_exit_to]
.skip2:
  inc word [esp + GP_EIP]
.skip1:
  inc word [esp + GP_EIP]
  popad
  add esp, 4
  iretd
.not_v86:
  FAIL 51, "#GP outside V86 mode"
.bad_error:
  FAIL 52, "V86 #GP error code is not 0"

; INT3 from V86 mode: record the frame, return ECX = 0xCC.
v86_breakpoint:
  push ds
  push eax
  mov ax, SEL_DATA32
  mov ds, ax
  mov eax, [esp + 8]
  mov [bp_eip], eax
  mov eax, [esp + 12]
  mov [bp_cs], eax
  mov eax, [esp + 16]
  mov [bp_eflags], eax
  mov ecx, 0xCC
  pop eax
  pop ds
  iretd

ROM_END
