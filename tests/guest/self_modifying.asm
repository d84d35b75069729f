; self_modifying.asm — self-modifying code in RAM. Every function runs once before it is
; modified, so a decoded/translated copy exists; the new bytes must run afterwards (on P6 a
; store to an instruction already prefetched takes effect too: SDM "Self-Modifying Code").
;  1. a store into the immediate of the very next instruction, in the same block
;  2. a loop that increments the immediate of an instruction in its own body
;  3. a store from one page into a function in another page
;  4. the same through a second linear alias of the code page (detection is by physical address)
;  5. REP MOVSB copying a whole new function body over an old one
%define TEST_NAME "self_modifying"
%include "lib/guest.inc"

RAM_CODE  equ FREE_RAM                 ; the .ramcode section runs here (2 pages)
ALIAS_LIN equ 0x00800000               ; second linear mapping of the second code page

start:
  ENTER_PM32
  mov esi, ROM_BASE + section..ramcode.start
  mov edi, RAM_CODE
  mov ecx, ramcode_end - ramcode_start
  rep movsb

  ; 1: patch the next instruction
  mov bl, 0x42
  call patch_next
  movzx eax, al
  CHECK eax, 0x42, 1, "store into the next instruction's immediate (first run)"
  mov bl, 0x43
  call patch_next
  movzx eax, al
  CHECK eax, 0x43, 2, "store into the next instruction's immediate (second run)"

  ; 2: a loop rewriting its own body
  call patch_loop
  CHECK edx, 1 + 2 + 3 + 4 + 5, 3, "loop incrementing an immediate in its own body"

  ; 3: another page
  call other_page_func
  CHECK eax, 0x1111, 4, "function in the other page, original"
  mov dword [other_page_func + 1], 0x2222
  call other_page_func
  CHECK eax, 0x2222, 5, "function in the other page after a store from this page"

  ; 4: write through a linear alias
  ENABLE_PAGING
  mov dword [PTE(ALIAS_LIN)], RAM_CODE + 0x1000 + PG_P + PG_RW
  invlpg [ALIAS_LIN]
  call other_page_func
  CHECK eax, 0x2222, 6, "function before the aliased store"
  mov dword [ALIAS_LIN + (other_page_func - ramcode_start - 0x1000) + 1], 0x3333
  call other_page_func
  CHECK eax, 0x3333, 7, "store through a second linear alias of the code page"

  ; 5: REP MOVSB a new body over the function
  mov esi, replacement
  mov edi, other_page_func
  mov ecx, replacement_end - replacement
  rep movsb
  call other_page_func
  CHECK eax, 0x4444, 8, "REP MOVSB of a new function body"
  PASS

replacement:                            ; copied over other_page_func
  mov eax, 0x4000
  or eax, 0x0444
  ret
replacement_end:

; ---- code that runs in RAM ---------------------------------------------------------------------
section .ramcode follows=.text vstart=RAM_CODE
ramcode_start:
; AL = BL, by rewriting the immediate of the following instruction
patch_next:
  mov [.target + 1], bl
.target:
  mov al, 0x11
  ret

; EDX = 1 + 2 + 3 + 4 + 5: the loop body adds an immediate that it increments itself
patch_loop:
  mov byte [.add + 2], 1
  xor edx, edx
  mov ecx, 5
.add:
  add edx, strict byte 1
  inc byte [.add + 2]
  loop .add
  ret

  times 0x1000 - ($ - $$) db 0x90     ; next page
other_page_func:
  mov eax, 0x1111
  ret
ramcode_end:

section .text
ROM_END
