; jit_remap.asm — a code page remapped under hot translated code. A loop calls CODE_LIN through a
; register 40 times (so the call's inline cache holds the block there) and counts the results;
; CODE_LIN maps frame A (mov eax, 0xA; ret) or frame B (mov eax, 0xB; ret).
;  1. frame A: 0xA
;  2. INVLPG of a data page the code never ran from, a store to it: still 0xA (the inline cache
;     may stay: nothing it points at changed)
;  3. the PTE changed to frame B, INVLPG of CODE_LIN: 0xB (a stale inline cache would give 0xA);
;     back to frame A with a CR3 reload instead of INVLPG: 0xA
;  4. CR4.PGE on, CODE_LIN mapped global (frame A): 0xA; a CR3 reload (the global page stays in
;     the TLB, the loop runs again from its inline cache); then the PTE changed to frame B
;     (global), INVLPG: 0xB
;  5. the same without the INVLPG but with CR4.PGE toggled (flushes global pages too): 0xA
;  6. a data page read by hot code: INVLPG and the same frame again (the translator's linear view
;     parks the page and maps it back), a store through it, then another frame after INVLPG
%define TEST_NAME "jit_remap"
%include "lib/guest.inc"

CODE_LIN  equ DATA_BASE + 0x10000
FRAME_A   equ DATA_BASE + 0x20000
FRAME_B   equ DATA_BASE + 0x21000
DATA_PAGE equ DATA_BASE + 0x30000
PG_G      equ 1 << 8

; CALL_40 expected, code, "what": 40 calls of CODE_LIN, all must return `expected`
%macro CALL_40 3+
  mov esi, %1
  call call_40
  CHECK edi, 40, %2, %3
%endmacro

; READ_40 expected, code, "what": 40 reads of DATA_PAGE + 0x800 from one hot loop, all `expected`
%macro READ_40 3+
  mov esi, %1
  call read_40
  CHECK edi, 40, %2, %3
%endmacro

start:
  ENTER_PM32
  ENABLE_PAGING
  mov dword [FRAME_A], 0x00000AB8       ; mov eax, 0xA
  mov dword [FRAME_A + 4], 0xC3000000   ; (imm high bytes) ret
  mov dword [FRAME_B], 0x00000BB8       ; mov eax, 0xB
  mov dword [FRAME_B + 4], 0xC3000000

  mov dword [PTE(CODE_LIN)], FRAME_A | PG_ALL
  invlpg [CODE_LIN]
  CALL_40 0xA, 10, "frame A"

  invlpg [DATA_PAGE]
  mov dword [DATA_PAGE], 0x1234
  CALL_40 0xA, 11, "after INVLPG of a data page: still frame A"

  mov dword [PTE(CODE_LIN)], FRAME_B | PG_ALL
  invlpg [CODE_LIN]
  CALL_40 0xB, 12, "PTE -> frame B, INVLPG: frame B"
  mov dword [PTE(CODE_LIN)], FRAME_A | PG_ALL
  mov eax, cr3
  mov cr3, eax
  CALL_40 0xA, 13, "PTE -> frame A, CR3 reload (no INVLPG): frame A"

  ; ---- a global page ----
  mov eax, cr4
  or eax, CR4_PGE
  mov cr4, eax
  mov dword [PTE(CODE_LIN)], FRAME_A | PG_ALL | PG_G
  invlpg [CODE_LIN]
  CALL_40 0xA, 20, "global page on frame A"
  mov eax, cr3
  mov cr3, eax
  CALL_40 0xA, 21, "after a CR3 reload (the global page stays)"
  mov dword [PTE(CODE_LIN)], FRAME_B | PG_ALL | PG_G
  invlpg [CODE_LIN]
  CALL_40 0xB, 22, "global PTE -> frame B, INVLPG: frame B"
  mov dword [PTE(CODE_LIN)], FRAME_A | PG_ALL | PG_G
  mov eax, cr4
  and eax, ~CR4_PGE
  mov cr4, eax
  or eax, CR4_PGE
  mov cr4, eax
  CALL_40 0xA, 23, "global PTE -> frame A, CR4.PGE toggled: frame A"

  ; ---- a data page out of the TLB and back ----
  mov dword [FRAME_A + 0x800], 0x11111111
  mov dword [FRAME_B + 0x800], 0x22222222
  mov dword [PTE(DATA_PAGE)], FRAME_A | PG_ALL
  invlpg [DATA_PAGE]
  READ_40 0x11111111, 30, "data page on frame A"
  invlpg [DATA_PAGE]
  READ_40 0x11111111, 31, "after INVLPG, the same frame again"
  mov ecx, 40
.store:
  mov dword [DATA_PAGE + 0x800], 0x33333333
  loop .store
  CHECK [FRAME_A + 0x800], 0x33333333, 32, "stores through it reach frame A"
  mov dword [PTE(DATA_PAGE)], FRAME_B | PG_ALL
  invlpg [DATA_PAGE]
  READ_40 0x22222222, 33, "PTE -> frame B, INVLPG: frame B"
  PASS

read_40:
  COUNT_40 {mov eax, [DATA_PAGE + 0x800]}

call_40:
  COUNT_40 {mov edx, CODE_LIN}, {call edx}

ROM_END
