; jit_smc.asm — self-modifying code as a binary translator sees it: every piece of code below runs
; (translated, linked to its successors, entered in the indirect-branch table) before its bytes
; change, and the new bytes must run afterwards. Flat 32-bit protected mode, code in RAM.
;  1. a store into the very next instruction of the same straight-line block: its immediate (20
;     different values) and its opcode (INC EAX / DEC EAX / NOP)
;  2. loops: one that patches an immediate of its own body after 51 of 100 iterations, one
;     patched from outside after it ran 1000 times, one that rewrites the start of its own
;     (self-linked) block on every iteration
;  3. a block that rewrites its own later bytes through a second linear alias of its page
;  4. an instruction that straddles a 4 KiB page boundary, run again after bytes on the second
;     page (then the first) changed
;  5. data stored right next to code on the same page (just before and just after a function),
;     thousands of times: no effect on the code, the results exact
;  6. direct jumps to a block on another page and back, the far block patched from the loop
;  7. an indirect CALL through a register into a function rewritten between calls; RET into a
;     block that the callee rewrote
%define TEST_NAME "jit_smc"
%include "lib/guest.inc"

RAM_CODE  equ FREE_RAM                 ; the .ramcode section runs here (3 pages)
ALIAS_LIN equ 0x00800000               ; second linear mapping of the first code page

; COUNT_MATCH reg, expected: EDI += 1 if reg == expected (flags and reg clobbered)
%macro COUNT_MATCH 2
  cmp %1, %2
  jne %%no
  inc edi
%%no:
%endmacro

start:
  ENTER_PM32
  mov esi, ROM_BASE + section..ramcode.start
  mov edi, RAM_CODE
  mov ecx, ramcode_end - ramcode_start
  rep movsb

  ; ---- 1: the next instruction in the same block -----------------------------------------------
  mov ebx, 1
  xor edi, edi
.next_imm:
  call patch_next_imm                   ; EAX = EBX (patched immediate) + EBX + 7
  lea edx, [ebx * 2 + 7]
  COUNT_MATCH eax, edx
  inc ebx
  cmp ebx, 20
  jbe .next_imm
  CHECK edi, 20, 1, "store into the next instruction's immediate, 20 values in a row"
  CHECK eax, 2 * 20 + 7, 2, "last patched immediate"

  mov bl, 0x40                          ; inc eax
  call patch_next_opcode
  CHECK eax, 101, 3, "next instruction's opcode patched to INC EAX"
  mov bl, 0x48                          ; dec eax
  call patch_next_opcode
  CHECK eax, 99, 4, "next instruction's opcode patched to DEC EAX"
  mov bl, 0x90                          ; nop
  call patch_next_opcode
  CHECK eax, 100, 5, "next instruction's opcode patched to NOP"
  mov bl, 0x40
  call patch_next_opcode
  CHECK eax, 101, 6, "next instruction's opcode patched back to INC EAX"

  ; ---- 2: loops ----------------------------------------------------------------------------------
  call loop_patch_inside
  CHECK edx, 51 * 1 + 49 * 1000, 7, "loop patching its own body after 51 of 100 iterations"
  call loop_patch_inside                ; again: the loop resets the immediate first
  CHECK edx, 51 * 1 + 49 * 1000, 8, "the same loop run a second time"

  call loop_outside
  CHECK edx, 1000 * 3, 9, "loop before it is patched from outside"
  mov dword [loop_outside.add + 2], 5
  call loop_outside
  CHECK edx, 1000 * 5, 10, "linked loop after its body was patched from outside"
  mov dword [loop_outside.count + 1], 500
  call loop_outside
  CHECK edx, 500 * 5, 11, "linked loop after its count was patched from outside"

  call loop_double
  CHECK edx, 512, 12, "block rewriting its own first instruction every iteration (10 runs)"
  call loop_double
  CHECK edx, 512, 13, "the same block run a second time"

  ; ---- 4: an instruction across a page boundary ---------------------------------------------------
  mov ebx, 20                           ; (hot enough to be translated)
.straddle_warm:
  call straddle_func
  dec ebx
  jnz .straddle_warm
  CHECK eax, 0x44332211 + 6, 20, "instruction straddling a page boundary"
  mov byte [straddle_insn + 4], 0x55   ; the immediate's top byte, on the second page
  call straddle_func
  CHECK eax, 0x55332211 + 6, 21, "straddling instruction after its second-page bytes changed"
  mov byte [straddle_insn + 2], 0x66   ; the first byte on the second page
  call straddle_func
  CHECK eax, 0x55336611 + 6, 22, "straddling instruction after its first second-page byte changed"
  mov byte [straddle_insn + 1], 0x99   ; the byte before the boundary
  call straddle_func
  CHECK eax, 0x55336699 + 6, 23, "straddling instruction after its first-page byte changed"
  call straddle_func
  CHECK eax, 0x55336699 + 6, 24, "straddling instruction run once more"

  ; ---- 5: data next to code ------------------------------------------------------------------------
  call data_next_to_code
  CHECK eax, 333833500, 30, "loop storing next to its own code: sum of running sums"
  CHECK [data_after], 500500, 31, "loop storing next to its own code: the dword right after it"
  CHECK [data_before], 1000, 32, "loop storing next to its own code: the dword right before it"
  call data_next_to_code
  CHECK eax, 333833500, 33, "the same loop run a second time"
  CHECK [data_before], 1000, 34, "the dword right before it, again"

  ; ---- 6: cross-page direct jumps -------------------------------------------------------------------
  call xpage_loop
  CHECK eax, 100 * 2, 40, "100 direct jumps to another page and back"
  mov byte [xpage_patch_at], 50         ; now the loop patches the far block at ECX = 50
  call xpage_loop
  CHECK eax, 51 * 2 + 49 * 7, 41, "far block patched from the loop after 51 round trips"
  call xpage_loop                       ; (the far block now adds 7; patch stores 7 again)
  CHECK eax, 100 * 7, 42, "far block patched, run again"

  ; ---- 7: indirect call, return into a rewritten block ------------------------------------------------
  mov ebx, icall_func
  xor esi, esi
  mov ecx, 10
.icall:
  call ebx
  add esi, eax
  loop .icall
  CHECK esi, 10 * 0x100, 50, "indirect CALL through EBX, 10 times"
  mov dword [icall_func + 1], 0x300
  call ebx
  CHECK eax, 0x300, 51, "indirect CALL into a function rewritten since"
  mov byte [icall_func], 0x40           ; inc eax (then the rest of the old mov's bytes)
  mov byte [icall_func + 1], 0xC3       ; ret
  mov eax, 0x41
  call ebx
  CHECK eax, 0x42, 52, "indirect CALL into a function replaced by INC EAX; RET"

  mov esi, 1
  xor edi, edi
.ret_into:
  call ret_caller                       ; the callee rewrites the block it returns to: EAX = ESI
  COUNT_MATCH eax, esi
  inc esi
  cmp esi, 20
  jbe .ret_into
  CHECK edi, 20, 53, "RET into a block the callee rewrote, 20 times"

  ; ---- 3: the running block's later bytes through a linear alias (paging) -----------------------
  ENABLE_PAGING
  mov dword [PTE(ALIAS_LIN)], RAM_CODE + PG_P + PG_RW
  invlpg [ALIAS_LIN]
  mov ebx, 1
  xor edi, edi
.alias:
  call alias_patch                      ; EAX = EBX, stored through the alias into the next insn
  COUNT_MATCH eax, ebx
  inc ebx
  cmp ebx, 10
  jbe .alias
  CHECK edi, 10, 60, "block patching its own next instruction through a second linear alias"
  mov dword [PTE(ALIAS_LIN)], RAM_CODE + 0x1000 + PG_P + PG_RW
  invlpg [ALIAS_LIN]
  call icall_func                       ; (INC EAX; RET from test 7) translated first
  mov dword [ALIAS_LIN + (icall_func - ramcode_start - 0x1000)], 0x00077BB8   ; mov eax, 0x77B
  mov byte [ALIAS_LIN + (icall_func - ramcode_start - 0x1000) + 5], 0xC3      ; ret
  mov ebx, icall_func
  call ebx
  CHECK eax, 0x77B, 61, "function on the other page rewritten through an alias, indirect CALL"
  PASS

; ---- code that runs in RAM ---------------------------------------------------------------------
section .ramcode follows=.text vstart=RAM_CODE
ramcode_start:
; EAX = EBX + EBX + 7: the store rewrites the immediate of the instruction right after it
patch_next_imm:
  mov ecx, 7
  add ecx, ebx
  mov [.target + 1], ebx
.target:
  mov eax, 0x11111111
  add eax, ecx
  ret

; EAX = 100, then the instruction whose opcode byte the store sets to BL (a 1-byte instruction)
patch_next_opcode:
  mov eax, 100
  mov [.op], bl
.op:
  nop
  ret

; EDX = 51 * 1 + 49 * 1000: the loop adds an immediate that it changes at ECX = 50
loop_patch_inside:
  mov dword [.add + 2], 1
  xor edx, edx
  mov ecx, 100
.add:
  add edx, strict dword 1
  cmp ecx, 50
  jne .skip
  mov dword [.add + 2], 1000
.skip:
  dec ecx
  jnz .add
  ret

; EDX = count * immediate; the main program patches the immediate and the count
loop_outside:
  xor edx, edx
.count:
  mov ecx, 1000
.add:
  add edx, strict dword 3
  dec ecx
  jnz .add
  ret

; EDX = 2^9: the block adds its own immediate and stores the sum over that immediate, 10 times
loop_double:
  mov dword [.add + 2], 1
  xor edx, edx
  mov ecx, 10
.add:
  add edx, strict dword 1
  mov [.add + 2], edx
  dec ecx
  jnz .add
  ret

; EAX = EBX, written through ALIAS_LIN (a second mapping of this page) into the next instruction
alias_patch:
  mov ecx, ebx
  mov [ALIAS_LIN + (.target - ramcode_start) + 1], ecx
.target:
  mov eax, 0x11111111
  ret

; data right before and right after a function that stores into both, 1000 times each
data_before:
  dd 0
data_next_to_code:
  xor eax, eax
  mov dword [data_after], 0
  mov dword [data_before], 0
  mov ecx, 1000
.loop:
  add [data_after], ecx
  add eax, [data_after]
  inc dword [data_before]
  dec ecx
  jnz .loop
  ret
data_after:
  dd 0

; EAX = sum over 100 round trips to xpage_target (another page); at ECX = [xpage_patch_at] the
; loop rewrites xpage_target's immediate to 7
xpage_loop:
  xor eax, eax
  mov ecx, 100
.loop:
  jmp xpage_target
.back:
  cmp cl, [xpage_patch_at]
  jne .next
  mov dword [xpage_target + 1], 7
.next:
  dec ecx
  jnz .loop
  ret
xpage_patch_at:
  db 0

; calls a function that rewrites the instruction this call returns to: EAX = ESI
ret_caller:
  call ret_patcher
.after:
  mov eax, 0x11111111
  ret
ret_patcher:
  mov [ret_caller.after + 1], esi
  ret

  times 0x1000 - ($ - $$) db 0x90      ; ---- second page ----
xpage_target:
  add eax, strict dword 2
  jmp xpage_loop.back

icall_func:
  mov eax, 0x100
  ret

; EAX = 0x44332211 + 6, by an instruction whose first two bytes end the second page and whose
; last three start the third
  times 0x1FFE - 8 - ($ - $$) db 0x90
straddle_func:
  mov ecx, 5                            ; 5 bytes
  add ecx, 1                            ; 3 bytes
  times 0x1FFE - ($ - $$) db 0x90      ; (nothing: straddle_insn is at page end - 2)
straddle_insn:
  mov eax, 0x44332211
  add eax, ecx
  ret
ramcode_end:

section .text
ROM_END
