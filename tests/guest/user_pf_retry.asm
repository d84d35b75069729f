; user_pf_retry.asm — ring-3 page faults whose handler makes the page present and returns to
; retry the access, as a demand-paging kernel does; each case runs over 40 pages from one hot
; ring-3 loop (so it runs translated; the translator maps the page into its user view at the
; IRET when the tables already allow the retry, see docs/translator.md). Every retry must read
; or write the right memory, and the accessed and dirty bits must end as the hardware leaves
; them:
;  1. read, the handler sets P only: the retry sets A, not D
;  2. write, the handler sets P only: the retry sets A and D, the value lands
;  3. read, the handler sets P, A and D itself: the retry reads; bits as the handler left them
;  4. read, the handler sets P and A but not R/W: the read retries fine, then a write to the
;     same page raises #PF(P|W|U) — the page must not have become writable
;  5. read, the handler sets P and A (R/W allowed), then a write to the page: no fault, and the
;     write sets D (the page was not dirty when the read's retry mapped it)
;  6. read, the handler sets P only and returns past the read (no retry): A stays clear
%define TEST_NAME "user_pf_retry"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
pf_count:  resd 1
pf_bits:   resd 1   ; what the #PF handler ORs into the faulting page's PTE
pf_err:    resd 1   ; the last error code
pf_skip:   resd 1   ; nonzero: the handler also returns past the 2-byte access
sum:       resd 1
section .text

VEC_BACK  equ 0x32                      ; DPL-3 gate back to ring 0
PAGES     equ 40
BASE1     equ DATA_BASE + 0x100000      ; one set of 40 pages per case
BASE2     equ DATA_BASE + 0x140000
BASE3     equ DATA_BASE + 0x180000
BASE4     equ DATA_BASE + 0x1C0000
BASE5     equ DATA_BASE + 0x200000
BASE6     equ DATA_BASE + 0x240000

; PREPARE base: each page k holds k + 1 at offset 0x10, and its PTE is not present, user,
; read/write (R/W cleared for case 4 by the caller), A and D clear.
%macro PREPARE 1
  mov ecx, PAGES
  mov edi, %1
%%page:
  mov eax, PAGES + 1
  sub eax, ecx                          ; k + 1 for page k = 40 - ECX
  mov [edi + 0x10], eax
  mov eax, edi
  shr eax, 12
  mov dword [PT_BASE + eax * 4], 0
  or [PT_BASE + eax * 4], edi
  or dword [PT_BASE + eax * 4], PG_US | PG_RW
  invlpg [edi]
  add edi, 0x1000
  loop %%page
%endmacro

; COUNT_PTES base, mask, bits -> EDX = how many of the 40 PTEs have exactly `bits` under `mask`
%macro COUNT_PTES 3   ; base, mask, expected
  xor edx, edx
  mov ecx, PAGES
  mov edi, %1
%%page:
  mov eax, edi
  shr eax, 12
  mov eax, [PT_BASE + eax * 4]
  and eax, %2
  cmp eax, %3
  jne %%no
  inc edx
%%no:
  add edi, 0x1000
  loop %%page
%endmacro

start:
  ENTER_PM32
  call tss_init
  IDT_GATE 14, pf_handler, GATE_INT32
  IDT_GATE VEC_BACK, back_to_ring0, GATE_INT32 | GATE_DPL3
  IDT_GATE VEC_BACK + 1, back_to_ring0_2, GATE_INT32 | GATE_DPL3
  ENABLE_PAGING
  PREPARE BASE1
  PREPARE BASE2
  PREPARE BASE3
  PREPARE BASE4
  PREPARE BASE5
  PREPARE BASE6
  mov ecx, PAGES
  mov edi, BASE4
.ro:
  mov eax, edi
  shr eax, 12
  and dword [PT_BASE + eax * 4], ~PG_RW
  add edi, 0x1000
  loop .ro
  TO_RING3 ring3, EFL_FIXED

ring3:
  ; ---- 1: read, P set by the handler ----
  mov dword [pf_bits], PG_P
  mov dword [pf_count], 0
  mov dword [sum], 0
  mov esi, BASE1 + 0x10
  mov ecx, PAGES
.r1:
  mov eax, [esi]
  add [sum], eax
  add esi, 0x1000
  loop .r1
  ; ---- 2: write, P set by the handler ----
  mov edi, BASE2 + 0x10
  mov ecx, PAGES
.w2:
  mov [edi], ecx
  add edi, 0x1000
  loop .w2
  ; ---- 3: read, P, A and D set by the handler ----
  mov dword [pf_bits], PG_P | PG_A | PG_D
  mov esi, BASE3 + 0x10
  mov ecx, PAGES
.r3:
  mov eax, [esi]
  add [sum], eax
  add esi, 0x1000
  loop .r3
  ; ---- 4: read with P and A set by the handler (no R/W), then a write ----
  mov dword [pf_bits], PG_P | PG_A
  mov esi, BASE4 + 0x10
  mov ecx, PAGES
.r4:
  mov eax, [esi]
  add [sum], eax
  add esi, 0x1000
  loop .r4
  ; ---- 5: read with P and A set by the handler, then a write ----
  mov esi, BASE5 + 0x10
  mov ecx, PAGES
.rw5:
  mov eax, [esi]
  add [sum], eax
  mov [esi], eax
  add esi, 0x1000
  loop .rw5
  ; ---- 6: read, the handler sets P and skips it ----
  mov dword [pf_bits], PG_P
  mov dword [pf_skip], 1
  mov esi, BASE6 + 0x10
  mov ecx, PAGES
.r6:
  mov eax, [esi]                        ; 8B 06
  add esi, 0x1000
  loop .r6
  mov dword [pf_skip], 0
  int VEC_BACK

back_to_ring0:
  mov esp, STACK0_TOP
  mov ax, SEL_DATA32
  mov ds, ax
  mov es, ax
  CHECK dword [pf_count], 6 * PAGES, 10, "one #PF per page in cases 1-6 (the first access)"
  CHECK dword [sum], 4 * PAGES * (PAGES + 1) / 2, 11, "every retried read found its page's value"
  COUNT_PTES BASE1, PG_P | PG_A | PG_D, PG_P | PG_A
  CHECK edx, PAGES, 12, "read retries set A and not D"
  COUNT_PTES BASE2, PG_P | PG_A | PG_D, PG_P | PG_A | PG_D
  CHECK edx, PAGES, 13, "write retries set A and D"
  ; the values written: page k holds 40 - k (ECX at its store)
  xor edx, edx
  mov ecx, PAGES
  mov edi, BASE2 + 0x10
.v2:
  mov eax, PAGES
  sub eax, [edi]                        ; = k if right
  mov ebx, edi
  sub ebx, BASE2 + 0x10
  shr ebx, 12
  cmp eax, ebx
  jne .v2_no
  inc edx
.v2_no:
  add edi, 0x1000
  loop .v2
  CHECK edx, PAGES, 14, "every retried write landed in its page"
  COUNT_PTES BASE3, PG_P | PG_A | PG_D, PG_P | PG_A | PG_D
  CHECK edx, PAGES, 15, "handler-set A and D stay"
  COUNT_PTES BASE4, PG_P | PG_A | PG_D | PG_RW, PG_P | PG_A
  CHECK edx, PAGES, 16, "read-only pages: A set, not D, not writable"
  COUNT_PTES BASE5, PG_P | PG_A | PG_D, PG_P | PG_A | PG_D
  CHECK edx, PAGES, 17, "a write after a read's retry sets D"
  COUNT_PTES BASE6, PG_P | PG_A | PG_D, PG_P
  CHECK edx, PAGES, 18, "no retry: A stays clear"
  ; a ring-3 write to a read-only page after its read: #PF(P|W|U) each time
  mov dword [pf_count], 0
  mov dword [pf_bits], 0                ; (the handler then skips the store: 3 bytes)
  TO_RING3 ring3_write, EFL_FIXED
ring3_write:
  mov esi, BASE4 + 0x10
  mov ecx, PAGES
.w4:
  mov eax, [esi]                        ; (mapped now: no fault)
  mov [esi], ecx                        ; 89 0E: #PF, skipped
  add esi, 0x1000
  loop .w4
  int VEC_BACK + 1

back_to_ring0_2:
  mov esp, STACK0_TOP
  mov ax, SEL_DATA32
  mov ds, ax
  CHECK dword [pf_count], PAGES, 20, "a write after a read-only retry faults on every page"
  CHECK dword [pf_err], PF_P | PF_W | PF_U, 21, "its error code is P|W|U"
  COUNT_PTES BASE4, PG_D | PG_RW, 0
  CHECK edx, PAGES, 22, "the faulting writes set neither D nor R/W"
  PASS

; #PF: count, record the error code; OR [pf_bits] into the faulting page's PTE and retry, or
; with [pf_bits] = 0 or [pf_skip] set, return past the 2-byte access.
pf_handler:
  push eax
  push ebx
  mov eax, [esp + 8]
  mov [pf_err], eax
  inc dword [pf_count]
  mov ebx, [pf_bits]
  test ebx, ebx
  jz .skip
  mov eax, cr2
  shr eax, 12
  or [PT_BASE + eax * 4], ebx
  cmp dword [pf_skip], 0
  jne .skip
  jmp .done
.skip:
  add dword [esp + 12], 2
.done:
  pop ebx
  pop eax
  add esp, 4
  iretd

ROM_END
