; paging.asm — 32-bit paging without faults being the point (page_fault.asm does those):
;  * identity map of 0-16 MiB with 4 KiB pages; code keeps running after CR0.PG is set
;  * accessed/dirty bits: a read sets A in the PDE and PTE and leaves D clear, a write sets D
;  * CR0.WP: with WP = 0 ring 0 writes a read-only page, with WP = 1 it gets #PF(P|W), CR2 set
;  * INVLPG after changing a PTE, and a CR3 reload, make the new mapping visible
;  * 4 MiB pages (CR4.PSE): a PDE with PS maps a 4 MiB physical region; its A/D bits
%define TEST_NAME "paging"
%include "lib/guest.inc"

PAGE_AD   equ DATA_BASE             ; A/D bit checks
PAGE_RO   equ DATA_BASE + 0x1000    ; read-only page for CR0.WP
REMAP     equ 0x00800000            ; linear page whose PTE is switched between two frames
FRAME_A   equ 0x00300000
FRAME_B   equ 0x00301000
BIG_LIN   equ 0x40000000            ; 4 MiB page at 1 GiB ...
BIG_PHYS  equ 0x00400000            ; ... mapping physical 4-8 MiB

start:
  ENTER_PM32
  ENABLE_PAGING
  mov eax, cr0
  CHECK_BITS eax, CR0_PG, CR0_PG, 1, "CR0.PG set, running on the identity map"

  ; ---- accessed / dirty ----
  and dword [PTE(PAGE_AD)], ~(PG_A | PG_D)
  and dword [PDE(PAGE_AD)], ~PG_A
  invlpg [PAGE_AD]
  mov eax, [PAGE_AD]
  mov eax, [PTE(PAGE_AD)]
  CHECK_BITS eax, PG_A | PG_D, PG_A, 2, "read sets PTE.A, leaves PTE.D clear"
  mov eax, [PDE(PAGE_AD)]
  CHECK_BITS eax, PG_A, PG_A, 3, "read sets PDE.A"
  mov dword [PAGE_AD], 1
  mov eax, [PTE(PAGE_AD)]
  CHECK_BITS eax, PG_A | PG_D, PG_A | PG_D, 4, "write sets PTE.D"

  ; ---- CR0.WP ----
  mov dword [PAGE_RO], 0x1111
  and dword [PTE(PAGE_RO)], ~PG_RW
  invlpg [PAGE_RO]
  mov dword [PAGE_RO], 0x2222
  CHECK [PAGE_RO], 0x2222, 5, "WP = 0: ring 0 writes a read-only page"
  mov eax, cr0
  or eax, CR0_WP
  mov cr0, eax
  EXPECT_FAULT 14, PF_P | PF_W, 6, "WP = 1: ring-0 write to a read-only page is #PF(P|W)"
  mov dword [PAGE_RO], 0x3333
  END_EXPECT
  mov eax, cr2
  CHECK eax, PAGE_RO, 7, "CR2 = the faulting address"
  CHECK [PAGE_RO], 0x2222, 8, "the faulting write did not happen"
  mov eax, cr0
  and eax, ~CR0_WP
  mov cr0, eax

  ; ---- INVLPG and CR3 reload ----
  mov dword [FRAME_A], 0xAAAA
  mov dword [FRAME_B], 0xBBBB
  mov dword [PTE(REMAP)], FRAME_A | PG_ALL
  invlpg [REMAP]
  CHECK [REMAP], 0xAAAA, 9, "PTE -> frame A"
  mov dword [PTE(REMAP)], FRAME_B | PG_ALL
  invlpg [REMAP]
  CHECK [REMAP], 0xBBBB, 10, "after INVLPG the PTE -> frame B is used"
  mov dword [PTE(REMAP)], FRAME_A | PG_ALL
  mov eax, cr3
  mov cr3, eax
  CHECK [REMAP], 0xAAAA, 11, "after a CR3 reload the PTE -> frame A is used"

  ; ---- 4 MiB pages ----
  mov eax, cr4
  or eax, CR4_PSE
  mov cr4, eax
  mov dword [BIG_PHYS + 0x1234], 0x4D1B
  mov dword [BIG_PHYS + 0x3FFFFC], 0x4D1E
  mov dword [PDE(BIG_LIN)], BIG_PHYS | PG_PS | PG_P | PG_RW
  mov eax, cr3
  mov cr3, eax
  CHECK [BIG_LIN + 0x1234], 0x4D1B, 12, "4 MiB page: offset 0x1234"
  CHECK [BIG_LIN + 0x3FFFFC], 0x4D1E, 13, "4 MiB page: last dword"
  mov eax, [PDE(BIG_LIN)]
  CHECK_BITS eax, PG_A | PG_D, PG_A, 14, "4 MiB page read sets PDE.A only"
  mov dword [BIG_LIN + 0x2000], 0x600D
  CHECK [BIG_PHYS + 0x2000], 0x600D, 15, "write through the 4 MiB page reaches its frame"
  mov eax, [PDE(BIG_LIN)]
  CHECK_BITS eax, PG_A | PG_D, PG_A | PG_D, 16, "4 MiB page write sets PDE.D"
  PASS

ROM_END
