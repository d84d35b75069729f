; idt_interrupts.asm — interrupts and exceptions through the 32-bit IDT at CPL 0.
;  * INT n through an interrupt gate (IF cleared in the handler) and a trap gate (IF kept);
;    the frame: return EIP after INT n, CS, EFLAGS with IF = 1, ESP lowered by 12; IRET restores IF
;  * traps save the EIP of the next instruction: INT3, INTO with OF = 1 (INTO with OF = 0 does
;    nothing)
;  * faults save the EIP of the faulting instruction: BOUND out of range (#BR), DIV by zero and
;    quotient overflow, IDIV INT_MIN / -1 (#DE), UD2 (#UD)
;  * INT n to a not-present interrupt gate: #NP with error code vector * 8 + 2 (IDT bit); to an
;    all-zero IDT entry (no valid gate type): #GP(vector * 8 + 2)
%define TEST_NAME "idt_interrupts"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
h_eflags:       resd 1   ; EFLAGS inside the handler
h_frame_eip:    resd 1   ; the frame the CPU pushed
h_frame_cs:     resd 1
h_frame_eflags: resd 1
h_esp:          resd 1   ; ESP inside the handler (before its own pushes)
section .text

VEC_INTGATE  equ 0x40
VEC_TRAPGATE equ 0x41
VEC_ABSENT   equ 0x50   ; interrupt gate with P = 0
VEC_EMPTY    equ 0x51   ; all-zero entry

start:
  ENTER_PM32
  IDT_GATE VEC_INTGATE, record_handler, GATE_INT32
  IDT_GATE VEC_TRAPGATE, record_handler, GATE_TRAP32
  IDT_GATE VEC_ABSENT, record_handler, GATE_INT32 & 0x7F

  sti
  mov ebx, esp
  int VEC_INTGATE
.after_int:
  pushfd
  pop eax
  CHECK_BITS eax, EFL_IF, EFL_IF, 1, "IRET restores IF = 1"
  CHECK_BITS dword [h_eflags], EFL_IF, 0, 2, "interrupt gate clears IF"
  CHECK_BITS dword [h_frame_eflags], EFL_IF, EFL_IF, 3, "pushed EFLAGS has IF = 1"
  CHECK [h_frame_eip], .after_int, 4, "pushed EIP = the instruction after INT n"
  CHECK [h_frame_cs], SEL_CODE32, 5, "pushed CS"
  sub ebx, 12
  CHECK [h_esp], ebx, 6, "same-privilege interrupt pushes 3 dwords on the current stack"

  int VEC_TRAPGATE
.after_trap:
  CHECK_BITS dword [h_eflags], EFL_IF, EFL_IF, 7, "trap gate keeps IF"
  CHECK [h_frame_eip], .after_trap, 8, "pushed EIP (trap gate)"
  cli

  EXPECT_TRAP 3, NOERR, 10, "INT3 traps with EIP after it"
  int3
  END_EXPECT
  mov al, 0x7F
  add al, 1                                 ; OF = 1
  EXPECT_TRAP 4, NOERR, 11, "INTO with OF = 1 traps with EIP after it"
  into
  END_EXPECT
  xor eax, eax                              ; OF = 0
  into
  OK "INTO with OF = 0 does nothing"

  mov dword [DATA_BASE], 10                 ; bounds [10, 20]
  mov dword [DATA_BASE + 4], 20
  mov eax, 20
  bound eax, [DATA_BASE]
  OK "BOUND in range does nothing"
  mov eax, 21
  EXPECT_FAULT 5, NOERR, 12, "BOUND above the upper bound: #BR at the instruction"
  bound eax, [DATA_BASE]
  END_EXPECT
  mov eax, 9
  EXPECT_FAULT 5, NOERR, 13, "BOUND below the lower bound: #BR"
  bound eax, [DATA_BASE]
  END_EXPECT

  xor ecx, ecx
  EXPECT_FAULT 0, NOERR, 14, "DIV by zero: #DE at the instruction"
  div ecx
  END_EXPECT
  mov edx, 2
  mov ecx, 2
  EXPECT_FAULT 0, NOERR, 15, "DIV with a quotient too large: #DE"
  div ecx
  END_EXPECT
  mov eax, 0x80000000
  cdq
  mov ecx, -1
  EXPECT_FAULT 0, NOERR, 16, "IDIV INT_MIN / -1: #DE"
  idiv ecx
  END_EXPECT
  EXPECT_FAULT 6, NOERR, 17, "UD2: #UD at the instruction"
  ud2
  END_EXPECT
  EXPECT_FAULT 11, VEC_ABSENT * 8 + 2, 18, "INT n to a not-present gate: #NP(vector * 8 + 2)"
  int VEC_ABSENT
  END_EXPECT
  EXPECT_FAULT 13, VEC_EMPTY * 8 + 2, 19, "INT n to an empty IDT entry: #GP(vector * 8 + 2)"
  int VEC_EMPTY
  END_EXPECT
  PASS

; Records the handler's EFLAGS, its ESP and the pushed frame.
record_handler:
  mov [h_esp], esp
  push eax
  pushfd
  pop dword [h_eflags]
  mov eax, [esp + 4]
  mov [h_frame_eip], eax
  mov eax, [esp + 8]
  mov [h_frame_cs], eax
  mov eax, [esp + 12]
  mov [h_frame_eflags], eax
  pop eax
  iretd

ROM_END
