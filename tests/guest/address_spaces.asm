; address_spaces.asm — ring-3 accesses in two address spaces (two page directories sharing the
; identity map, each with its own page table for ULIN), with page-table changes made while an
; address space is switched out (no INVLPG: the CR3 load that brings it back must do):
;  * each CR3 sees its own frame at the same linear address, switching back and forth
;  * a PTE of the switched-out address space pointed at another frame: seen once its CR3 returns
;  * A cleared while switched out: the next ring-3 read sets it again
;  * D cleared while switched out: the next ring-3 write sets it again
;  * RW cleared while switched out: reads still work, and the PTE stays without D; a ring-3
;    write then faults P|W|U at ULIN and leaves the frame and D alone (the translator keeps such
;    a page mapped read-only on the CR3 load instead of dropping it)
;  * one ring-0 store retargeting A's PTE 16 times while B runs, A reading after each: with
;    -shadow-trace the store is a traced page-table write each time, which the translator turns
;    into a callout after a few (tests/guest/CMakeLists.txt checks the statistics)
; Under the translator, ring-3 accesses go through per-address-space user views, revalidated on a
; CR3 load (mmu/linear_views.h): these are the cases that revalidation must get right. Each
; ring-3 access runs 4 times per call (a block is translated the third time it runs).
%define TEST_NAME "address_spaces"
%include "lib/guest.inc"

ULIN     equ 0x40000000
PD2      equ FREE_RAM             ; B's page directory (A's is PD_BASE)
PT_A     equ FREE_RAM + 0x1000    ; ULIN's page table in A
PT_B     equ FREE_RAM + 0x2000    ; ULIN's page table in B
FRAME_A  equ DATA_BASE
FRAME_B  equ DATA_BASE + 0x1000
FRAME_C  equ DATA_BASE + 0x2000
VEC_BACK equ 0x32                 ; DPL-3 gate: back from ring 3

[absolute VARS_BASE + 0x100]
saved_esp: resd 1
pf_count: resd 1
pf_error: resd 1
pf_cr2: resd 1
section .text

%macro LOAD_CR3 1
  mov eax, %1
  mov cr3, eax
%endmacro

start:
  ENTER_PM32
  call tss_init
  IDT_GATE VEC_BACK, back_from_ring3, GATE_INT32 | GATE_DPL3
  IDT_GATE 14, pf_abandon, GATE_INT32
  mov dword [pf_count], 0
  ENABLE_PAGING
  cld
  mov edi, PT_A                   ; both ULIN page tables empty
  xor eax, eax
  mov ecx, 2048
  rep stosd
  mov esi, PD_BASE                ; B's directory: A's identity map ...
  mov edi, PD2
  mov ecx, 1024
  rep movsd
  mov dword [PD_BASE + (ULIN >> 22) * 4], PT_A | PG_ALL   ; ... each with its own ULIN table
  mov dword [PD2 + (ULIN >> 22) * 4], PT_B | PG_ALL
  mov dword [PT_A], FRAME_A | PG_ALL
  mov dword [PT_B], FRAME_B | PG_ALL
  mov dword [FRAME_A], 0xAAAAAAAA
  mov dword [FRAME_B], 0xBBBBBBBB
  mov dword [FRAME_C], 0xCCCCCCCC

  ; ---- each address space its own frame ----
  LOAD_CR3 PD_BASE
  call user_read
  CHECK eax, 0xAAAAAAAA, 1, "A reads its frame"
  LOAD_CR3 PD2
  call user_read
  CHECK eax, 0xBBBBBBBB, 2, "B reads its frame at the same address"
  LOAD_CR3 PD_BASE
  call user_read
  CHECK eax, 0xAAAAAAAA, 3, "A again"
  LOAD_CR3 PD2
  call user_read
  CHECK eax, 0xBBBBBBBB, 4, "B again"

  ; ---- A's PTE changed while B runs ----
  mov dword [PT_A], FRAME_C | PG_ALL
  call user_read
  CHECK eax, 0xBBBBBBBB, 5, "B unaffected by A's table"
  LOAD_CR3 PD_BASE
  call user_read
  CHECK eax, 0xCCCCCCCC, 6, "A sees the frame its PTE now names"

  ; ---- accessed bit cleared while switched out ----
  LOAD_CR3 PD2
  and dword [PT_A], ~PG_A
  LOAD_CR3 PD_BASE
  call user_read
  CHECK eax, 0xCCCCCCCC, 7, "A reads after its A bit was cleared"
  CHECK_BITS dword [PT_A], PG_A, PG_A, 8, "the ring-3 read set A again"

  ; ---- dirty bit cleared while switched out ----
  mov edx, 0x11111111
  call user_write
  CHECK_BITS dword [PT_A], PG_D, PG_D, 9, "a ring-3 write sets D"
  LOAD_CR3 PD2
  and dword [PT_A], ~PG_D
  LOAD_CR3 PD_BASE
  mov edx, 0x22222222
  call user_write
  CHECK_BITS dword [PT_A], PG_D, PG_D, 10, "the ring-3 write set D again"
  CHECK dword [FRAME_C], 0x22222222, 11, "the write reached A's frame"

  ; ---- write permission taken away while switched out ----
  mov edx, 0x22222222             ; (A's view maps the page writable, from translated code)
  call user_write
  call user_write
  call user_write
  LOAD_CR3 PD2
  and dword [PT_A], ~(PG_RW | PG_D)
  LOAD_CR3 PD_BASE
  call user_read
  CHECK eax, 0x22222222, 12, "A reads its now read-only page"
  CHECK_BITS dword [PT_A], PG_D, 0, 13, "reading leaves the read-only PTE clean"
  mov edx, 0x33333333
  call user_write
  CHECK dword [pf_count], 1, 15, "a ring-3 write to the read-only page faults"
  CHECK dword [pf_error], 7, 16, "... with P|W|U"
  CHECK dword [pf_cr2], ULIN, 17, "... at its address"
  CHECK dword [FRAME_C], 0x22222222, 18, "the faulting write left the frame alone"
  CHECK_BITS dword [PT_A], PG_D, 0, 19, "... and D clear"
  call user_read
  CHECK eax, 0x22222222, 20, "A still reads its read-only page"

  ; ---- one store retargeting A's PTE, again and again ----
  xor edi, edi
  mov esi, 16
.pt_loop:
  LOAD_CR3 PD2
  mov eax, FRAME_A | PG_ALL
  mov edx, 0xAAAAAAAA
  test esi, 1
  jz .pt_even
  mov eax, FRAME_C | PG_ALL
  mov edx, 0x22222222
.pt_even:
  call retarget_a
  LOAD_CR3 PD_BASE
  call user_read
  cmp eax, edx
  jne .pt_next
  inc edi
.pt_next:
  dec esi
  jnz .pt_loop
  CHECK edi, 16, 14, "A reads the frame each retargeting of its PTE names"
  PASS

retarget_a:                             ; the one store into A's page table
  mov [PT_A], eax
  ret

; user_read: EAX = the dword at ULIN, read in ring 3 (4 times). user_write: EDX to it (4 times).
; Called in ring 0; clobber EBX, ECX; back in ring 0 with the kernel data selectors.
user_read:
  mov [saved_esp], esp
  TO_RING3 .ring3, EFL_FIXED
.ring3:
  mov ecx, 4
.again:
  mov eax, [ULIN]
  dec ecx
  jnz .again
  int VEC_BACK

user_write:
  mov [saved_esp], esp
  TO_RING3 .ring3, EFL_FIXED
.ring3:
  mov ecx, 4
.again:
  mov [ULIN], edx
  dec ecx
  jnz .again
  int VEC_BACK

pf_abandon:                             ; a #PF in ring 3: noted, and the ring-3 call abandoned
  inc dword [pf_count]
  pop dword [pf_error]
  mov eax, cr2
  mov [pf_cr2], eax
back_from_ring3:
  mov bx, SEL_DATA32
  mov ds, bx
  mov es, bx
  mov esp, [saved_esp]
  ret

ROM_END
