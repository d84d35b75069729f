; string_ops.asm — REP string instructions crossing page boundaries with a #PF in the middle.
; The #PF handler records CR2, the error code, the saved EIP and the interrupted ECX/ESI/EDI,
; makes the page present and IRETs; the instruction must resume where it stopped (SDM: a
; repeated string instruction is interruptible between iterations, registers point at the
; faulting iteration) and finish with the right result.
;  1. REP MOVSD forward, destination runs into a not-present page (write fault)
;  2. REP STOSB backward (DF = 1), destination runs down into a not-present page
;  3. REPE CMPSB, source runs into a not-present page (read fault), then stops at a mismatch
;  4. REP MOVSB with ECX = 0 touches no memory, even with both pointers in not-present pages
%define TEST_NAME "string_ops"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
PF_RECORD_VARS
pf_ecx:   resd 1
pf_esi:   resd 1
pf_edi:   resd 1
section .text

SRC  equ DATA_BASE              ; 3 pages of pattern
DST  equ DATA_BASE + 0x4000     ; 3 pages, the middle one not present
FILL equ DATA_BASE + 0x8000     ; pages FILL (not present) and FILL + 0x1000
CMPA equ DATA_BASE + 0xA000     ; 2 pages each; CMPB's second page not present
CMPB equ DATA_BASE + 0xC000
MISMATCH equ 0x123              ; offset of the first difference past the CMPB page boundary

; NOT_PRESENT lin: clear P in the PTE of `lin`
%macro NOT_PRESENT 1
  and dword [PTE(%1)], ~PG_P
  invlpg [%1]
%endmacro

; PF_SEEN insn, err, cr2, ecx, esi, edi, code, "what": one #PF with this state (codes code..code+6)
%macro PF_SEEN 8
  CHECK [pf_count], 1, %7, %8, ": one #PF"
  CHECK [pf_err], %2, %7 + 1, %8, ": error code"
  CHECK [pf_cr2], %3, %7 + 2, %8, ": CR2"
  CHECK [pf_eip], %1, %7 + 3, %8, ": saved EIP = the string instruction"
  CHECK [pf_ecx], %4, %7 + 4, %8, ": ECX at the fault"
  CHECK [pf_edi], %6, %7 + 5, %8, ": EDI at the fault"
  CHECK [pf_esi], %5, %7 + 6, %8, ": ESI at the fault"
%endmacro

start:
  ENTER_PM32
  IDT_GATE 14, pf_handler, GATE_INT32
  ENABLE_PAGING
  mov edi, SRC                          ; pattern: dword i = i * 0x01010101 + 0x10203
  xor eax, eax
  mov ecx, 3 * 1024
.pattern:
  stosd
  add eax, 0x01010101
  loop .pattern

  ; ---- 1: REP MOVSD, write fault in the middle ----
  NOT_PRESENT DST + 0x1000
  mov dword [pf_count], 0
  mov esi, SRC
  mov edi, DST + 0x800
  mov ecx, 0x800
.movsd:
  rep movsd
  PF_SEEN .movsd, PF_W, DST + 0x1000, 0x600, SRC + 0x800, DST + 0x1000, 10, "REP MOVSD"
  CHECK ecx, 0, 17, "REP MOVSD finished: ECX = 0"
  CHECK edi, DST + 0x2800, 18, "REP MOVSD finished: EDI"
  mov esi, SRC
  mov edi, DST + 0x800
  mov ecx, 0x800
  repe cmpsd
  pushfd
  pop eax
  CHECK_BITS eax, EFL_ZF, EFL_ZF, 19, "REP MOVSD copied all 8 KiB across the fault"

  ; ---- 2: REP STOSB backward ----
  NOT_PRESENT FILL
  mov dword [pf_count], 0
  std
  mov al, 0x5A
  mov edi, FILL + 0x100F
  mov ecx, 0x20
  xor esi, esi
.stosb:
  rep stosb
  cld
  PF_SEEN .stosb, PF_W, FILL + 0xFFF, 0x10, 0, FILL + 0xFFF, 20, "REP STOSB with DF = 1"
  CHECK edi, FILL + 0xFEF, 27, "REP STOSB finished: EDI"
  CHECK [FILL + 0xFF0], 0x5A5A5A5A, 28, "REP STOSB filled below the page boundary"
  CHECK [FILL + 0x100C], 0x5A5A5A5A, 29, "REP STOSB filled above the page boundary"

  ; ---- 3: REPE CMPSB, read fault, then a mismatch ----
  mov esi, SRC
  mov edi, CMPA
  mov ecx, 0x2000
  rep movsb
  mov esi, SRC
  mov edi, CMPB
  mov ecx, 0x2000
  rep movsb
  not byte [CMPB + 0x1000 + MISMATCH]
  NOT_PRESENT CMPB + 0x1000
  mov dword [pf_count], 0
  mov esi, CMPB + 0x800
  mov edi, CMPA + 0x800
  mov ecx, 0x1000
.cmpsb:
  repe cmpsb
  pushfd
  PF_SEEN .cmpsb, 0, CMPB + 0x1000, 0x800, CMPB + 0x1000, CMPA + 0x1000, 30, "REPE CMPSB"
  pop eax
  CHECK_BITS eax, EFL_ZF, 0, 37, "REPE CMPSB stopped at a difference (ZF = 0)"
  CHECK esi, CMPB + 0x1000 + MISMATCH + 1, 38, "REPE CMPSB: ESI past the differing byte"
  CHECK ecx, 0x800 - MISMATCH - 1, 39, "REPE CMPSB: ECX counts the rest"

  ; ---- 4: ECX = 0 ----
  NOT_PRESENT SRC
  NOT_PRESENT DST
  mov dword [pf_count], 0
  mov esi, SRC
  mov edi, DST
  xor ecx, ecx
  rep movsb
  CHECK [pf_count], 0, 40, "REP MOVSB with ECX = 0 touches no memory"
  CHECK edi, DST, 41, "REP MOVSB with ECX = 0 leaves EDI"
  PASS

pf_handler:
  mov [pf_ecx], ecx
  mov [pf_esi], esi
  mov [pf_edi], edi
  push eax
  PF_RECORD
  cmp dword [pf_count], 1
  jne .again
  mov eax, cr2
  shr eax, 12
  or dword [PT_BASE + eax * 4], PG_P
  mov eax, cr2
  invlpg [eax]
  pop eax
  add esp, 4
  iretd
.again:
  FAIL 99, "#PF repeated after the repair"

ROM_END
