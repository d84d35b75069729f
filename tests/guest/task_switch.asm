; task_switch.asm — hardware task switches between 32-bit TSSs (SDM "Task Management").
;  1. JMP to TSS A: A starts with the registers of its TSS; the outgoing task's registers and
;     the EIP after the JMP are saved in its TSS; A is busy, the outgoing task is not; NT = 0;
;     CR0.TS is set. A JMPs back: the main task resumes with its registers restored.
;  2. CALL through a task gate to TSS B: NT = 1 in B, back link = the caller, both busy.
;     B changes ECX and IRETs: the caller resumes, B is no longer busy, B's saved state holds the
;     new ECX, the EIP after its IRET and NT = 0.
%define TEST_NAME "task_switch"

SEL_TSS_A    equ SEL_FIRST_EXTRA + 0x00
SEL_TSS_B    equ SEL_FIRST_EXTRA + 0x08
SEL_TASKGATE equ SEL_FIRST_EXTRA + 0x10
TSS_A equ TSS_BASE + 0x100
TSS_B equ TSS_BASE + 0x200
%macro GDT_EXTRA 0
  DESC TSS_A, TSS_SIZE - 1, ACC_TSS32, FLG_16
  DESC TSS_B, TSS_SIZE - 1, ACC_TSS32, FLG_16
  dq 0                                     ; task gate to TSS B, filled in at run time
%endmacro
%include "lib/guest.inc"

STACK_A equ 0xA000
STACK_B equ 0xB000

; DESC_TYPE reg, selector: reg = the type nibble of a GDT descriptor (9 available, 0xB busy TSS)
%macro DESC_TYPE 2
  movzx %1, byte [GDT_BASE + (%2) + 5]
  and %1, 0x0F
%endmacro

; INIT_TSS base, eip, esp, first: a TSS running flat ring-0 code at eip with EAX = first,
; ECX = first + 1, ..., EDI = first + 6 (skipping ESP)
%macro INIT_TSS 4
  mov edi, %1
  xor eax, eax
  mov ecx, TSS_SIZE / 4
  rep stosd
  mov dword [%1 + TSS_EIP], %2
  mov dword [%1 + TSS_ESP], %3
  mov dword [%1 + TSS_EFLAGS], EFL_FIXED
  mov dword [%1 + TSS_CS], SEL_CODE32
  mov eax, SEL_DATA32
  mov [%1 + TSS_SS], eax
  mov [%1 + TSS_DS], eax
  mov [%1 + TSS_ES], eax
  mov [%1 + TSS_FS], eax
  mov [%1 + TSS_GS], eax
  mov word [%1 + TSS_IOMAP], TSS_SIZE
  mov dword [%1 + TSS_EAX], %4
  mov dword [%1 + TSS_ECX], %4 + 1
  mov dword [%1 + TSS_EDX], %4 + 2
  mov dword [%1 + TSS_EBX], %4 + 3
  mov dword [%1 + TSS_EBP], %4 + 4
  mov dword [%1 + TSS_ESI], %4 + 5
  mov dword [%1 + TSS_EDI], %4 + 6
%endmacro

; CHECK_REGS first, code: EAX..EDI (without ESP) = first, first + 1, ... (codes code..code+6)
%macro CHECK_REGS 3+
  CHECK eax, %1, %2, %3, " EAX"
  CHECK ecx, %1 + 1, %2 + 1, %3, " ECX"
  CHECK edx, %1 + 2, %2 + 2, %3, " EDX"
  CHECK ebx, %1 + 3, %2 + 3, %3, " EBX"
  CHECK ebp, %1 + 4, %2 + 4, %3, " EBP"
  CHECK esi, %1 + 5, %2 + 5, %3, " ESI"
  CHECK edi, %1 + 6, %2 + 6, %3, " EDI"
%endmacro

; SET_REGS first: EAX..EDI (without ESP) = first, first + 1, ...
%macro SET_REGS 1
  mov eax, %1
  mov ecx, %1 + 1
  mov edx, %1 + 2
  mov ebx, %1 + 3
  mov ebp, %1 + 4
  mov esi, %1 + 5
  mov edi, %1 + 6
%endmacro

MAIN_REGS equ 0x0A000000
A_REGS    equ 0x1A000000
B_REGS    equ 0x2B000000

start:
  ENTER_PM32
  call tss_init
  INIT_TSS TSS_A, task_a, STACK_A, A_REGS
  INIT_TSS TSS_B, task_b, STACK_B, B_REGS
  SET_GATE GDT_BASE + SEL_TASKGATE, 0, SEL_TSS_B, GATE_TASK

  ; ---- 1: JMP to a TSS and back ----
  SET_REGS MAIN_REGS
  jmp SEL_TSS_A:0
.back_from_a:
  CHECK_REGS MAIN_REGS, 1, "main task registers restored after JMP back:"
  CHECK esp, STACK0_TOP, 8, "main task ESP restored"
  str ax
  movzx eax, ax
  CHECK eax, SEL_TSS, 9, "TR = main TSS again"
  DESC_TYPE eax, SEL_TSS_A
  CHECK eax, 9, 10, "JMP away from A cleared A's busy bit"
  DESC_TYPE eax, SEL_TSS
  CHECK eax, 0xB, 11, "main TSS busy again"
  CHECK [TSS_A + TSS_EIP], task_a.jmp_back_done, 12, "A's TSS holds the EIP after its JMP"

  ; ---- 2: CALL through a task gate, IRET back ----
  clts
  SET_REGS MAIN_REGS
  call SEL_TASKGATE:0
.back_from_b:
  CHECK_REGS MAIN_REGS, 30, "main task registers restored after IRET:"
  str ax
  movzx eax, ax
  CHECK eax, SEL_TSS, 37, "TR = main TSS after IRET"
  DESC_TYPE eax, SEL_TSS_B
  CHECK eax, 9, 38, "IRET cleared B's busy bit"
  DESC_TYPE eax, SEL_TSS
  CHECK eax, 0xB, 39, "main TSS still busy"
  pushfd
  pop eax
  CHECK_BITS eax, EFL_NT, 0, 40, "NT = 0 in the main task"
  CHECK [TSS_B + TSS_ECX], 0xBBBB, 41, "B's TSS holds the ECX it set"
  CHECK [TSS_B + TSS_EIP], task_b.iret_done, 42, "B's TSS holds the EIP after its IRET"
  CHECK_BITS dword [TSS_B + TSS_EFLAGS], EFL_NT, 0, 43, "IRET cleared NT in B's saved EFLAGS"
  PASS

task_a:
  CHECK_REGS A_REGS, 13, "task A starts with the registers of its TSS:"
  CHECK esp, STACK_A, 20, "task A ESP from its TSS"
  str ax
  movzx eax, ax
  CHECK eax, SEL_TSS_A, 21, "TR = TSS A"
  DESC_TYPE eax, SEL_TSS_A
  CHECK eax, 0xB, 22, "TSS A busy"
  DESC_TYPE eax, SEL_TSS
  CHECK eax, 9, 23, "JMP cleared the outgoing task's busy bit"
  pushfd
  pop eax
  CHECK_BITS eax, EFL_NT, 0, 24, "NT = 0 after a JMP task switch"
  mov eax, cr0
  CHECK_BITS eax, CR0_TS, CR0_TS, 25, "CR0.TS set by the task switch"
  CHECK [TSS_BASE + TSS_EIP], start.back_from_a, 26, "main TSS holds the EIP after the JMP"
  CHECK [TSS_BASE + TSS_EAX], MAIN_REGS, 27, "main TSS holds the outgoing EAX"
  CHECK [TSS_BASE + TSS_EDI], MAIN_REGS + 6, 28, "main TSS holds the outgoing EDI"
  CHECK [TSS_BASE + TSS_ESP], STACK0_TOP, 29, "main TSS holds the outgoing ESP"
  jmp SEL_TSS:0
.jmp_back_done:
  FAIL 99, "task A resumed unexpectedly"

task_b:
  CHECK_REGS B_REGS, 44, "task B starts with the registers of its TSS:"
  pushfd
  pop eax
  CHECK_BITS eax, EFL_NT, EFL_NT, 51, "NT = 1 after CALL through a task gate"
  movzx eax, word [TSS_B + TSS_LINK]
  CHECK eax, SEL_TSS, 52, "B's back link = the calling task"
  DESC_TYPE eax, SEL_TSS_B
  CHECK eax, 0xB, 53, "TSS B busy"
  DESC_TYPE eax, SEL_TSS
  CHECK eax, 0xB, 54, "CALL keeps the caller's busy bit"
  CHECK [TSS_BASE + TSS_EIP], start.back_from_b, 55, "caller's TSS holds the EIP after the CALL"
  mov ecx, 0xBBBB
  iretd
.iret_done:
  FAIL 98, "task B resumed unexpectedly"

ROM_END
