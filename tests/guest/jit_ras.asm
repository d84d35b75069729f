; jit_ras.asm — returns as a translator with a return-address stack must get them right (each
; case runs 20 times — the last 60 —, so that its code is translated and the stack's entries are in use):
;  1. recursion 50 deep (every RET returns to its own CALL)
;  2. RET 8 (callee pops arguments)
;  3. a callee that moves its return address on by 2 bytes (ADD [ESP], 2) and returns there
;  4. two stacks whose ESPs share their low 16 bits (the same return-address-stack entry): a RET
;     on the other stack to an address no CALL pushed there, and back
;  5. a callee that sets CR0.TS: the code after its RET is the caller's in another mode (an x87
;     instruction there must raise #NM, as the mode says)
;  6. at ring 3, a callee whose system call sets EFLAGS.IOPL in the frame it returns through (no
;     TLB flush, but another block mode), called from the same site in the same mode each time yet
;     returning with IOPL 3 and IOPL 0 alternately, with calls from another site in between (so
;     the RET's inline caches miss and the return-address stack is used): the CLI right after the
;     call must work with IOPL 3 and raise #GP(0) with IOPL 0. (CLI is checked when it runs, so
;     this checks the behaviour across such returns; the return slot's mode check itself guards
;     code whose translation depends on the mode — CPL, x87 availability, segments.)
%define TEST_NAME "jit_ras"
VEC_IOPL equ 0x33                       ; DPL-3 gate: the caller's IOPL = 3 if [want3], else 0
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
saved_a: resd 1
count:   resd 1
want3:   resd 1
gp_seen: resd 1
gp_count: resd 1
section .text

STACK_B equ STACK0_TOP + 0x10000        ; same low 16 bits as the main stack

; SET_IOPL v: IOPL = 3 if v, else 0 (through the gate)
%macro SET_IOPL 1
  mov dword [want3], %1
  int VEC_IOPL
%endmacro

start:
  ENTER_PM32

  ; ---- 1: recursion ----
  xor edi, edi
  mov esi, 20
.rec:
  mov ecx, 50
  call sum_down                         ; EAX = 50 + 49 + ... + 1
  cmp eax, 1275
  jne .rec_no
  inc edi
.rec_no:
  dec esi
  jnz .rec
  CHECK edi, 20, 10, "recursion 50 deep, 20 times"

  ; ---- 2: RET 8 ----
  xor edi, edi
  mov esi, 20
.ret8:
  push esi
  push dword 1000
  call add_args                         ; EAX = 1000 + ESI, pops its arguments
  lea edx, [esi + 1000]
  cmp eax, edx
  jne .ret8_no
  inc edi
.ret8_no:
  dec esi
  jnz .ret8
  CHECK edi, 20, 20, "RET 8, 20 times"
  CHECK esp, STACK0_TOP, 21, "RET 8 popped the arguments"

  ; ---- 3: return address moved on ----
  xor edi, edi
  mov esi, 20
.skip:
  call skip_two
  jmp short .skip_wrong                 ; (2 bytes: skipped)
  inc edi
.skip_wrong:
  dec esi
  jnz .skip
  CHECK edi, 20, 30, "return 2 bytes past the call, 20 times"

  ; ---- 4: two stacks ----
  mov dword [count], 0
  mov esi, 20
.stacks:
  call to_stack_b                       ; returns here from stack B's coroutine, via stack A
  dec esi
  jnz .stacks
  CHECK [count], 20, 40, "RET on another stack sharing the entry, and back, 20 times"
  CHECK esp, STACK0_TOP, 41, "back on the main stack"

  ; ---- 5: a mode change between CALL and RET ----
  xor edi, edi
  mov esi, 20
.mode:
  clts
  fninit
  call set_ts
  EXPECT_FAULT 7, NOERR, 50, "x87 after a callee set CR0.TS: #NM"
  fld1
  END_EXPECT
  inc edi
  dec esi
  jnz .mode
  CHECK edi, 20, 51, "#NM after the RET, 20 times"
  clts

  ; ---- 6: IOPL toggled by a system call in the callee ----
  IDT_GATE VEC_IOPL, iopl_gate, GATE_INT32 | GATE_DPL3
  IDT_GATE 13, gp_skip, GATE_INT32
  mov dword [gp_count], 0
  call tss_init
  TO_RING3 ring3, EFL_FIXED               ; IOPL 0
ring3:
  xor edi, edi
  mov esi, 60
.iopl:
  SET_IOPL 1                            ; the call below is always made with IOPL 3
  mov eax, esi
  and eax, 1
  xor eax, 1
  mov [want3], eax                      ; the callee returns with IOPL 3 when ESI is even
  mov dword [gp_seen], 0
  call set_iopl
  cli                                   ; (in the block the RET returns to) #GP(0) with IOPL 0
  mov eax, esi
  and eax, 1
  cmp eax, [gp_seen]
  jne .next
  inc edi
.next:
  SET_IOPL 1                            ; calls from another site, returning in both modes
  mov dword [want3], 0
  call set_iopl
  SET_IOPL 1
  mov dword [want3], 1
  call set_iopl
  dec esi
  jnz .iopl
  CHECK edi, 60, 60, "CLI right after the RET: #GP(0) exactly when IOPL is 0, 60 times"
  CHECK [gp_count], 30, 61, "thirty #GPs"
  PASS

; #GP from the CLI above: counted and skipped (CLI is one byte).
gp_skip:
  inc dword [gp_seen]
  inc dword [gp_count]
  add dword [esp + 4], 1
  add esp, 4
  iretd

set_iopl:
  int VEC_IOPL
  ret

iopl_gate:
  or dword [esp + 8], EFL_IOPL3
  cmp dword [want3], 0
  jne .done
  and dword [esp + 8], ~EFL_IOPL3
.done:
  iretd

sum_down:                               ; EAX = ECX + (ECX - 1) + ... + 1
  test ecx, ecx
  jnz .more
  xor eax, eax
  ret
.more:
  push ecx
  dec ecx
  call sum_down
  pop ecx
  add eax, ecx
  ret

add_args:
  mov eax, [esp + 4]
  add eax, [esp + 8]
  ret 8

skip_two:
  add dword [esp], 2
  ret

; On stack A: saves ESP, switches to stack B with `on_stack_b` as its top word and returns there.
to_stack_b:
  mov [saved_a], esp
  mov esp, STACK_B
  push dword on_stack_b
  ret
on_stack_b:
  inc dword [count]
  mov esp, [saved_a]
  ret                                   ; to to_stack_b's caller

set_ts:
  mov eax, cr0
  or eax, CR0_TS
  mov cr0, eax
  ret

ROM_END
