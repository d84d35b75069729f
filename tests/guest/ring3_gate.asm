; ring3_gate.asm — privilege changes between ring 0 and ring 3.
;  * RETF and IRET from ring 0 enter ring 3 on the stack they pop; IRET to ring 3 nulls ES when
;    it holds a DPL-0 data segment and keeps DS holding a DPL-3 one
;  * CALL through a DPL-3 call gate with 2 parameters: the ring-0 target runs on SS0:ESP0 from
;    the TSS with [EIP, CS, param2, param1, ESP, SS] on it; RETF 8 returns to ring 3 and
;    releases the parameters on both stacks
;  * INT n to a DPL-3 interrupt gate: stack switch to SS0:ESP0, frame [EIP, CS, EFLAGS, ESP, SS],
;    IF cleared in the handler; IRET returns to ring 3
;  * INT n to a DPL-0 gate from ring 3: #GP(vector * 8 + 2)
; Ring 3 runs with IOPL 0 and reports through the TSS I/O bitmap.
%define TEST_NAME "ring3_gate"

SEL_CALLGATE equ SEL_FIRST_EXTRA | 3
%macro GDT_EXTRA 0
  dq 0                                       ; call gate, filled in at run time
%endmacro
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
seen_cs:    resd 1     ; CS, SS, ESP and EFLAGS inside the ring-0 code
seen_ss:    resd 1
seen_esp:   resd 1
seen_flags: resd 1
seen_frame: resd 6     ; what the CPU pushed on the ring-0 stack
section .text

VEC_USER   equ 0x30    ; DPL-3 interrupt gate
VEC_KERNEL equ 0x31    ; DPL-0 interrupt gate
VEC_BACK   equ 0x32    ; DPL-3 gate that returns to ring-0 test code
PARAM1 equ 0x11111111
PARAM2 equ 0x22222222

; RECORD_RING0 n: store CS, SS, ESP, EFLAGS and the n dwords on top of the stack.
%macro RECORD_RING0 1
  mov [seen_esp], esp
  push eax
  mov ax, cs
  movzx eax, ax
  mov [seen_cs], eax
  mov ax, ss
  movzx eax, ax
  mov [seen_ss], eax
  pushfd
  pop dword [seen_flags]
  %assign i 0
  %rep %1
    mov eax, [esp + 4 + i * 4]
    mov [seen_frame + i * 4], eax
    %assign i i + 1
  %endrep
  pop eax
%endmacro

start:
  ENTER_PM32
  call tss_init
  SET_GATE GDT_BASE + (SEL_CALLGATE & ~7), call_gate_target, SEL_CODE32, GATE_CALL32 | GATE_DPL3, 2
  IDT_GATE VEC_USER, user_int_handler, GATE_INT32 | GATE_DPL3
  IDT_GATE VEC_KERNEL, user_int_handler, GATE_INT32
  IDT_GATE VEC_BACK, back_to_ring0, GATE_INT32 | GATE_DPL3

  ; ---- RETF to ring 3 ----
  mov ax, SEL_UDATA32
  mov ds, ax
  mov es, ax
  push dword SEL_UDATA32
  push dword STACK3_TOP
  push dword SEL_UCODE32
  push dword ring3_by_retf
  retf
ring3_by_retf:
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_UCODE32, 1, "RETF to ring 3: CS"
  CHECK esp, STACK3_TOP, 2, "RETF to ring 3: ESP popped from the ring-0 stack"
  int VEC_BACK

back_to_ring0:
  mov esp, STACK0_TOP
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_CODE32, 3, "INT n from ring 3 reaches ring 0"

  ; ---- IRET to ring 3 ----
  mov ax, SEL_UDATA32
  mov ds, ax
  mov ax, SEL_DATA32
  mov es, ax
  push dword SEL_UDATA32
  push dword STACK3_TOP
  push dword EFL_FIXED | EFL_IF
  push dword SEL_UCODE32
  push dword ring3_by_iret
  iretd
ring3_by_iret:
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_UCODE32, 4, "IRET to ring 3: CS"
  mov ax, ss
  movzx eax, ax
  CHECK eax, SEL_UDATA32, 5, "IRET to ring 3: SS"
  mov ax, es
  movzx eax, ax
  CHECK eax, 0, 6, "IRET to ring 3 nulls ES holding a DPL-0 segment"
  mov ax, ds
  movzx eax, ax
  CHECK eax, SEL_UDATA32, 7, "IRET to ring 3 keeps DS holding a DPL-3 segment"

  ; ---- call gate ----
  push dword PARAM1
  push dword PARAM2
  call SEL_CALLGATE:0
.after_call:
  CHECK esp, STACK3_TOP, 10, "RETF 8 released the parameters on the ring-3 stack"
  CHECK [seen_cs], SEL_CODE32, 11, "call gate target runs at CPL 0"
  CHECK [seen_ss], SEL_DATA32, 12, "call gate: SS = SS0 from the TSS"
  CHECK [seen_esp], KSTACK_TOP - 24, 13, "call gate: ESP0 - 6 dwords"
  CHECK [seen_frame + 0], .after_call, 14, "call gate frame: return EIP"
  CHECK [seen_frame + 4], SEL_UCODE32, 15, "call gate frame: return CS"
  CHECK [seen_frame + 8], PARAM2, 16, "call gate frame: parameter 2 (nearest the top)"
  CHECK [seen_frame + 12], PARAM1, 17, "call gate frame: parameter 1 copied"
  CHECK [seen_frame + 16], STACK3_TOP - 8, 18, "call gate frame: caller ESP"
  CHECK [seen_frame + 20], SEL_UDATA32, 19, "call gate frame: caller SS"
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_UCODE32, 20, "back at CPL 3 after RETF"

  ; ---- INT n through a DPL-3 interrupt gate ----
  int VEC_USER
.after_int:
  CHECK esp, STACK3_TOP, 21, "IRET restored the ring-3 stack"
  CHECK [seen_cs], SEL_CODE32, 22, "interrupt handler runs at CPL 0"
  CHECK [seen_ss], SEL_DATA32, 23, "interrupt: SS = SS0"
  CHECK [seen_esp], KSTACK_TOP - 20, 24, "interrupt: ESP0 - 5 dwords"
  CHECK_BITS dword [seen_flags], EFL_IF, 0, 25, "interrupt gate cleared IF"
  CHECK [seen_frame + 0], .after_int, 26, "interrupt frame: EIP after INT n"
  CHECK [seen_frame + 4], SEL_UCODE32, 27, "interrupt frame: CS"
  CHECK_BITS dword [seen_frame + 8], EFL_IF, EFL_IF, 28, "interrupt frame: EFLAGS with IF = 1"
  CHECK [seen_frame + 12], STACK3_TOP, 29, "interrupt frame: ring-3 ESP"
  CHECK [seen_frame + 16], SEL_UDATA32, 30, "interrupt frame: ring-3 SS"
  pushfd
  pop eax
  CHECK_BITS eax, EFL_IF, EFL_IF, 31, "IF = 1 again in ring 3"

  EXPECT_FAULT 13, VEC_KERNEL * 8 + 2, 32, "INT n to a DPL-0 gate from ring 3: #GP(vector * 8 + 2)"
  int VEC_KERNEL
  END_EXPECT
  PASS

call_gate_target:
  RECORD_RING0 6
  retf 8

user_int_handler:
  RECORD_RING0 5
  iretd

ROM_END
