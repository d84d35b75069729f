; view_budget.asm — more linear pages than the translator's linear views may map at once (their
; mapping budget is 20,000 pages): 24,576 pages at 64 MiB, each mapped to one of 16 frames (page
; i -> frame i mod 16; frame k holds k), read by one hot loop (a sweep counts the pages whose
; first dword is the number it expects). Sweeps: all pages (the budget runs out and the views
; are dropped and refilled); all pages again; after INVLPG of the last 4,096 (the ones a
; translator still has mapped: it parks them, maps them back, and runs out of room again); after
; those 4,096 were pointed at frame (i + 1) mod 16 with an INVLPG each (a parked page must not
; come back on its old frame).
%define TEST_NAME "view_budget"
%include "lib/guest.inc"

ALIAS_LIN equ 0x04000000
NPAGES    equ 24576
NSHIFTED  equ 4096
PT_ALIAS  equ FREE_RAM                  ; 24 page tables (0x18000 bytes)
FRAMES    equ DATA_BASE + 0x40000       ; 16 frames

start:
  ENTER_PM32
  ENABLE_PAGING
  xor ecx, ecx
.frames:
  mov eax, ecx
  shl eax, 12
  mov [FRAMES + eax], ecx
  inc ecx
  cmp ecx, 16
  jb .frames
  xor ecx, ecx
.ptes:
  mov eax, ecx
  and eax, 15
  shl eax, 12
  add eax, FRAMES | PG_ALL
  mov [PT_ALIAS + ecx * 4], eax
  inc ecx
  cmp ecx, NPAGES
  jb .ptes
  xor ecx, ecx
.pdes:
  mov eax, ecx
  shl eax, 12
  add eax, PT_ALIAS | PG_ALL
  mov [PD_BASE + (ALIAS_LIN >> 22) * 4 + ecx * 4], eax
  inc ecx
  cmp ecx, NPAGES / 1024
  jb .pdes
  mov eax, cr3
  mov cr3, eax

  mov ebp, NPAGES                       ; the first page whose frame is shifted by one
  call sweep
  CHECK edi, NPAGES, 10, "every aliased page read its frame's number (first sweep)"
  call sweep
  CHECK edi, NPAGES, 11, "second sweep"

  mov esi, ALIAS_LIN + (NPAGES - NSHIFTED) * 0x1000
  mov ecx, NSHIFTED
.flush:
  invlpg [esi]
  add esi, 0x1000
  loop .flush
  call sweep
  CHECK edi, NPAGES, 12, "after INVLPG of the last 4096 pages"

  mov ecx, NPAGES - NSHIFTED
.shift:
  lea eax, [ecx + 1]
  and eax, 15
  shl eax, 12
  add eax, FRAMES | PG_ALL
  mov [PT_ALIAS + ecx * 4], eax
  mov eax, ecx
  shl eax, 12
  invlpg [ALIAS_LIN + eax]
  inc ecx
  cmp ecx, NPAGES
  jb .shift
  mov ebp, NPAGES - NSHIFTED
  call sweep
  CHECK edi, NPAGES, 13, "after the last 4096 pages moved to the next frame (INVLPG each)"
  PASS

; EDI = how many of the NPAGES pages hold their expected number: i mod 16 for i < EBP,
; (i + 1) mod 16 from EBP on.
sweep:
  xor edi, edi
  xor ecx, ecx
  mov esi, ALIAS_LIN
  jmp .next
.next:
  mov edx, ecx
  cmp ecx, ebp
  jb .plain
  inc edx
.plain:
  and edx, 15
  cmp [esi], edx
  jne .no
  inc edi
.no:
  add esi, 0x1000
  inc ecx
  cmp ecx, NPAGES
  jb .next
  ret

ROM_END
