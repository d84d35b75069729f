; jit_straddle.asm — an instruction across a 4 KiB page boundary (a "straddler") under paging,
; as a binary translator that caches it must keep it right: its bytes come from two pages, and
; the second page's mapping can change while the first stays. `mov eax, imm32` starts 2 bytes
; before the end of page CODE_LIN (B8 and the immediate's low byte) and ends on the next linear
; page (three immediate bytes, then RET), which maps frame A (22 33 44 C3) or frame B (66 77 88 C3).
; Each case calls it 40 times (enough for it and the RET after it to be translated, entered from
; the indirect-branch table and inline caches) and counts the right results:
;  1. second page on frame A: EAX = 0x44332211
;  2. INVLPG of the second page alone (the translated straddler's check of its second page fails
;     until the TLB entry is refilled): A again; then its PTE changed to frame B, INVLPG: 0x88776611
;  3. a second page directory mapping frame A there, CR3 switched to it and back: A, then B
;  4. the second page not present (INVLPG): one #PF with CR2 = the second page, error code 0,
;     saved EIP = the straddler; the handler maps it again and the retried instruction works
;  5. frame B's bytes changed (self-modifying code on the second page only): the new immediate
%define TEST_NAME "jit_straddle"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
PF_RECORD_VARS
section .text

CODE_LIN  equ DATA_BASE + 0x10000      ; the straddler's first page (identity-mapped)
NEXT_LIN  equ CODE_LIN + 0x1000        ; its second page
FRAME_A   equ NEXT_LIN                 ; the identity frame of the second page
FRAME_B   equ DATA_BASE + 0x20000      ; another frame
STRADDLER equ NEXT_LIN - 2
PD2       equ FREE_RAM                 ; a second page directory ...
PT2       equ FREE_RAM + 0x1000        ; ... with its own table for 0-4 MiB (CODE_LIN is below 4 MiB)

; CALL_40 expected: calls the straddler 40 times from one loop (call_40: hot from the first case
; on, so later cases enter the straddler from translated code); EDI = how many returned `expected`
%macro CALL_40 1
  mov esi, %1
  call call_40
%endmacro

start:
  ENTER_PM32
  IDT_GATE 14, pf_handler, GATE_INT32
  ENABLE_PAGING
  mov word [STRADDLER], 0x11B8          ; mov eax, 0x..11 (the rest on the next page)
  mov dword [FRAME_A], 0xC3443322       ; 22 33 44, ret
  mov dword [FRAME_B], 0xC3887766       ; 66 77 88, ret

  CALL_40 0x44332211
  CHECK edi, 40, 10, "straddler with its second page on frame A"

  invlpg [NEXT_LIN]                     ; the same mapping, out of the TLB
  CALL_40 0x44332211
  CHECK edi, 40, 14, "second page's TLB entry flushed (INVLPG), mapping unchanged"

  mov dword [PTE(NEXT_LIN)], FRAME_B | PG_ALL
  invlpg [NEXT_LIN]
  CALL_40 0x88776611
  CHECK edi, 40, 11, "second page remapped to frame B (PTE + INVLPG)"

  ; ---- another address space: a copy of the page directory and of the first table ----
  mov esi, PD_BASE
  mov edi, PD2
  mov ecx, 1024
  rep movsd
  mov esi, PT_BASE
  mov edi, PT2
  mov ecx, 1024
  rep movsd
  mov dword [PD2], PT2 | PG_ALL
  mov dword [PT2 + (NEXT_LIN >> 12) * 4], FRAME_A | PG_ALL
  mov eax, PD2
  mov cr3, eax
  CALL_40 0x44332211
  CHECK edi, 40, 12, "CR3 switched to an address space mapping frame A"
  mov eax, PD_BASE
  mov cr3, eax
  CALL_40 0x88776611
  CHECK edi, 40, 13, "CR3 switched back: frame B"

  ; ---- the second page not present ----
  and dword [PTE(NEXT_LIN)], ~PG_P
  invlpg [NEXT_LIN]
  mov dword [pf_count], 0
  mov edx, STRADDLER
  call edx
  CHECK [pf_count], 1, 20, "second page not present: one #PF"
  CHECK [pf_err], 0, 21, "#PF error code (ring-0 fetch of a not-present page)"
  CHECK [pf_cr2], NEXT_LIN, 22, "CR2 = the second page"
  CHECK [pf_eip], STRADDLER, 23, "saved EIP = the straddler"
  CHECK eax, 0x88776611, 24, "the retried straddler"
  CALL_40 0x88776611
  CHECK edi, 40, 25, "the straddler after the repair"

  ; ---- self-modifying code on the second page only ----
  mov byte [FRAME_B + 1], 0x55
  CALL_40 0x88556611
  CHECK edi, 40, 30, "a byte of the second page rewritten"
  PASS

call_40:
  COUNT_40 {mov edx, STRADDLER}, {call edx}

; #PF handler: records CR2, the error code and the saved EIP, makes the second page present again.
pf_handler:
  push eax
  PF_RECORD
  cmp dword [pf_count], 1
  jne .again
  or dword [PTE(NEXT_LIN)], PG_P
  invlpg [NEXT_LIN]
  pop eax
  add esp, 4
  iretd
.again:
  FAIL 99, "#PF repeated after the repair"

ROM_END
