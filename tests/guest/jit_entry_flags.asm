; jit_entry_flags.asm — the guest flags across block entries. A translated block is entered with
; the flags in the host or parked (after a CALL's return-address push, a RET's inline-cache
; compare), and its body wants them in one place or finds them dead (docs/translator.md, "Flags
; between blocks"). Each case runs 20 times, so its code is translated and entered both ways,
; with two flag patterns in turn (a stale pattern would show):
;  1. a callee whose first instruction faults (#PF, a not-present page) before one that writes
;     every flag: the #PF handler must see the caller's flags in the pushed EFLAGS
;  2. a callee that only reads its return address and returns (get_pc_thunk): the caller's flags
;     come back unchanged
;  3. a callee whose register code overwrites every flag first: the flags after it are its own
;  4. a callee that branches on the caller's flags (they must be in the host at its Jcc)
;  5. as 1, with a flat access that succeeds before the faulting one, the block entered by a JMP
;     (the flags in the host) instead of a CALL (parked): such a body does not know where the
;     flags are until its flag write, and its fault must still show the right ones
%define TEST_NAME "jit_entry_flags"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
pf_count:  resd 1
pf_flags:  resd 1   ; the arithmetic flags the #PF handler found in the pushed EFLAGS
bad:       resd 1   ; iterations with a wrong result
section .text

PAGE_NP   equ DATA_BASE + 0x0000
ARITH     equ 0x8D5                     ; OF SF ZF AF PF CF
PATTERN_A equ 0x890                     ; 0x7F + 1 (8 bits): OF SF AF
PATTERN_B equ 0x045                     ; XOR then STC: ZF PF CF

; SET_FLAGS k: the arithmetic flags = PATTERN_A if k is even, else PATTERN_B (EAX clobbered)
%macro SET_FLAGS 1
  test %1, 1
  jnz %%b
  mov al, 0x7F
  add al, 1
  jmp %%done
%%b:
  xor eax, eax
  stc
%%done:
%endmacro

; EXPECTED k -> EDX: the pattern SET_FLAGS k makes
%macro EXPECTED 1
  mov edx, PATTERN_A
  test %1, 1
  jz %%done
  mov edx, PATTERN_B
%%done:
%endmacro

; CASE_BEGIN loop: [bad] = 0, ESI = 20 down to 1 (the iteration SET_FLAGS and EXPECTED take)
%macro CASE_BEGIN 1
  mov dword [bad], 0
  mov esi, 20
%1:
%endmacro

; CASE_END loop, code, "what": <loop>_bad counts a wrong iteration, <loop>_next goes on; then the check
%macro CASE_END 3+
%1_bad:
  inc dword [bad]
%1_next:
  dec esi
  jnz %1
  CHECK [bad], 0, %2, %3
%endmacro

start:
  ENTER_PM32
  IDT_GATE 14, pf_handler, GATE_INT32
  ENABLE_PAGING
  and dword [PTE(PAGE_NP)], ~PG_P
  invlpg [PAGE_NP]

  ; ---- 1: a fault before the flags are overwritten ----
  CASE_BEGIN .c1
  mov dword [pf_count], 0
  SET_FLAGS esi
  call faults_first
  EXPECTED esi
  cmp [pf_flags], edx
  jne .c1_bad
  cmp dword [pf_count], 1
  je .c1_next
  CASE_END .c1, 10, "#PF in a callee before a flag write sees the caller's flags"

  ; ---- 2: flags through a callee that does not touch them ----
  CASE_BEGIN .c2
  SET_FLAGS esi
  call pc_thunk
.c2_ret:
  pushfd
  pop ecx
  and ecx, ARITH
  EXPECTED esi
  cmp ecx, edx
  jne .c2_bad
  cmp ebx, .c2_ret
  je .c2_next
  CASE_END .c2, 20, "flags through mov ebx, [esp]; ret unchanged"

  ; ---- 3: a callee that overwrites every flag in registers first ----
  CASE_BEGIN .c3
  SET_FLAGS esi
  mov ebx, esi
  call overwrites_first                 ; EAX = ESI - 20, flags of that SUB
  pushfd
  pop ecx
  and ecx, ARITH
  mov edx, esi
  sub edx, 20                           ; the same SUB, for the flags it gives
  pushfd
  pop edx
  and edx, ARITH
  cmp ecx, edx
  jne .c3_bad
  lea edx, [esi - 20]
  cmp eax, edx
  je .c3_next
  CASE_END .c3, 30, "a callee's own flags after register code overwrote them"

  ; ---- 4: a callee that branches on the caller's flags ----
  CASE_BEGIN .c4
  SET_FLAGS esi
  call branches_on_cf                   ; EAX = 1 if CF, else 2
  mov edx, 2
  test esi, 1
  jz .c4_cmp
  mov edx, 1                            ; pattern B has CF
.c4_cmp:
  cmp eax, edx
  je .c4_next
  CASE_END .c4, 40, "a callee's Jcc on the caller's CF"

  ; ---- 5: a fault before the flag write, the block entered with the flags in the host ----
  CASE_BEGIN .c5
  mov dword [pf_count], 0
  SET_FLAGS esi
  jmp faults_second
.c5_back:
  EXPECTED esi
  cmp [pf_flags], edx
  jne .c5_bad
  cmp dword [pf_count], 1
  je .c5_next
  CASE_END .c5, 50, "#PF after a JMP, before a flag write, sees the flags from before"
  PASS

; The access faults; the handler skips it (6 bytes) and records the flags.
faults_first:
  mov ecx, [PAGE_NP + 0x10]             ; 8B 0D disp32
  add ecx, 1
  ret

; Entered by a JMP: an access that succeeds, then one that faults (skipped by the handler).
faults_second:
  mov edx, [pf_count]
  mov ecx, [PAGE_NP + 0x14]             ; 8B 0D disp32
  add ecx, edx
  jmp start.c5_back

pc_thunk:
  mov ebx, [esp]
  ret

overwrites_first:
  mov eax, ebx
  sub eax, 20
  ret

branches_on_cf:
  mov eax, 1
  jc .cf
  mov eax, 2
.cf:
  ret

pf_handler:
  push eax
  mov eax, [esp + 16]                   ; (EAX, error code, EIP, CS, EFLAGS)
  and eax, ARITH
  mov [pf_flags], eax
  inc dword [pf_count]
  add dword [esp + 8], 6                ; past the faulting MOV
  pop eax
  add esp, 4
  iretd

ROM_END
