; double_fault.asm — a contributory exception raised while delivering another contributory
; exception becomes #DF with error code 0 (SDM "Interrupt 8—Double Fault Exception").
;  1. #GP (bad DS selector) whose IDT gate is not present -> #NP during delivery -> #DF,
;     handled by an interrupt gate: error code 0 on the stack, the #NP handler never runs.
;  2. #DE whose IDT gate names a selector beyond the GDT -> #GP during delivery -> #DF,
;     handled through a task gate by a separate TSS: error code 0 on the new task's stack,
;     TR = the #DF task, back link = the interrupted task, NT = 1.
; #DF is an abort, so neither handler returns: the first continues the test, the second ends it.
%define TEST_NAME "double_fault"

SEL_DF_TSS equ SEL_FIRST_EXTRA
DF_TSS     equ TSS_BASE + 0x100
DF_STACK_TOP equ 0xA000
%macro GDT_EXTRA 0
  DESC DF_TSS, TSS_SIZE - 1, ACC_TSS32, FLG_16
%endmacro
%include "lib/guest.inc"

BEYOND_GDT equ 0x1F8

start:
  ENTER_PM32
  call tss_init

  ; ---- 1: #GP -> #NP -> #DF through an interrupt gate ----
  IDT_GATE 8, df_interrupt_gate, GATE_INT32
  IDT_GATE 13, df_interrupt_gate, GATE_INT32 & 0x7F    ; #GP gate not present
  mov ax, BEYOND_GDT
  mov ds, ax
  FAIL 1, "the bad selector load did not fault"

df_interrupt_gate:
  mov ax, SEL_DATA32
  mov ds, ax
  mov es, ax
  pop eax
  CHECK eax, 0, 2, "#GP + not-present #GP gate: #DF through an interrupt gate, error code 0"
  mov esp, STACK0_TOP

  ; ---- 2: #DE -> #GP -> #DF through a task gate ----
  mov edi, DF_TSS
  xor eax, eax
  mov ecx, TSS_SIZE / 4
  rep stosd
  mov dword [DF_TSS + TSS_EIP], df_task
  mov dword [DF_TSS + TSS_EFLAGS], EFL_FIXED
  mov dword [DF_TSS + TSS_ESP], DF_STACK_TOP
  mov dword [DF_TSS + TSS_CS], SEL_CODE32
  mov eax, SEL_DATA32
  mov [DF_TSS + TSS_SS], eax
  mov [DF_TSS + TSS_DS], eax
  mov [DF_TSS + TSS_ES], eax
  mov [DF_TSS + TSS_FS], eax
  mov [DF_TSS + TSS_GS], eax
  mov word [DF_TSS + TSS_IOMAP], TSS_SIZE
  SET_GATE IDT_BASE + 8 * 8, 0, SEL_DF_TSS, GATE_TASK
  SET_GATE IDT_BASE + 0 * 8, df_task, BEYOND_GDT, GATE_INT32   ; #DE gate: bad selector
  xor ecx, ecx
  div ecx
  FAIL 3, "the division by zero did not fault"

df_task:
  pop eax
  CHECK eax, 0, 4, "#DE + bad #DE gate selector: #DF through a task gate, error code 0"
  str ax
  movzx eax, ax
  CHECK eax, SEL_DF_TSS, 5, "TR = the #DF task"
  movzx eax, word [DF_TSS + TSS_LINK]
  CHECK eax, SEL_TSS, 6, "back link = the interrupted task"
  pushfd
  pop eax
  CHECK_BITS eax, EFL_NT, EFL_NT, 7, "NT = 1 in the #DF task"
  PASS

ROM_END
