; page_fault.asm — #PF delivery. A #PF handler records CR2, the error code and the saved EIP,
; repairs the paging entry the test armed it with (ORs bits into it, INVLPG) and IRETs, which
; retries the faulting instruction. Each case checks: exactly one #PF, the error code bits
; (P = protection violation, W = write, U = user mode), CR2 = the faulting linear address,
; saved EIP = the faulting instruction, and that the retried access then worked.
;  ring 0: read / write of a not-present page, write to a read-only page with CR0.WP = 1,
;          a not-present page directory entry, an instruction fetch from a not-present page
;  ring 3: read of a supervisor page, write to a read-only page, write to a not-present page
%define TEST_NAME "page_fault"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
pf_fix_entry: resd 1   ; paging entry the handler repairs
pf_fix_bits:  resd 1   ; bits it ORs into it
pf_count:     resd 1
pf_cr2:       resd 1
pf_err:       resd 1
pf_eip:       resd 1
section .text

PAGE_NP_READ  equ DATA_BASE + 0x0000
PAGE_NP_WRITE equ DATA_BASE + 0x1000
PAGE_RO       equ DATA_BASE + 0x2000
PAGE_CODE     equ DATA_BASE + 0x3000
PAGE_SUPER    equ DATA_BASE + 0x4000
PAGE_USER_RO  equ DATA_BASE + 0x5000
PAGE_USER_NP  equ DATA_BASE + 0x6000
HIGH_LIN      equ 0x01000000            ; 16 MiB: its PDE is not present at first
HIGH_PT       equ PT_BASE + IDENTITY_MB / 4 * 0x1000   ; page table for 16-20 MiB

; PF_ARM entry, bits: the next #PF is repaired by ORing `bits` into the entry at `entry`.
%macro PF_ARM 2
  mov dword [pf_fix_entry], %1
  mov dword [pf_fix_bits], %2
  mov dword [pf_count], 0
%endmacro

; PF_VERIFY insn, error, cr2, code, "what": checks after the retried instruction (codes code..code+3)
%macro PF_VERIFY 5
  CHECK [pf_count], 1, %4, %5, ": one #PF"
  CHECK [pf_err], %2, %4 + 1, %5, ": error code"
  CHECK [pf_cr2], %3, %4 + 2, %5, ": CR2"
  CHECK [pf_eip], %1, %4 + 3, %5, ": saved EIP = the faulting instruction"
%endmacro

start:
  ENTER_PM32
  IDT_GATE 14, pf_handler, GATE_INT32
  ENABLE_PAGING
  mov eax, cr0
  or eax, CR0_WP
  mov cr0, eax

  ; ---- ring 0 ----
  mov dword [PAGE_NP_READ + 0x10], 0x1234
  and dword [PTE(PAGE_NP_READ)], ~PG_P
  invlpg [PAGE_NP_READ]
  PF_ARM PTE(PAGE_NP_READ), PG_P
  xor eax, eax
.np_read:
  mov eax, [PAGE_NP_READ + 0x10]
  PF_VERIFY .np_read, 0, PAGE_NP_READ + 0x10, 10, "read of a not-present page"
  CHECK eax, 0x1234, 14, "the retried read loads the data"

  and dword [PTE(PAGE_NP_WRITE)], ~PG_P
  invlpg [PAGE_NP_WRITE]
  PF_ARM PTE(PAGE_NP_WRITE), PG_P
.np_write:
  mov dword [PAGE_NP_WRITE + 0xFFC], 0x5678
  PF_VERIFY .np_write, PF_W, PAGE_NP_WRITE + 0xFFC, 20, "write to a not-present page"
  CHECK [PAGE_NP_WRITE + 0xFFC], 0x5678, 24, "the retried write stores the data"

  and dword [PTE(PAGE_RO)], ~PG_RW
  invlpg [PAGE_RO]
  PF_ARM PTE(PAGE_RO), PG_RW
.ro_write:
  mov byte [PAGE_RO + 0x800], 0x9A
  PF_VERIFY .ro_write, PF_P | PF_W, PAGE_RO + 0x800, 30, "ring-0 write to a read-only page (WP = 1)"
  CHECK [PAGE_RO + 0x800], 0x9A, 34, "the retried write stores the data"

  ; a page table for 16-20 MiB, reached through a PDE that is not present yet
  mov edi, HIGH_PT
  mov eax, HIGH_LIN | PG_ALL
  mov ecx, 1024
.fill:
  stosd
  add eax, 0x1000
  loop .fill
  mov dword [PDE(HIGH_LIN)], HIGH_PT | PG_RW | PG_US
  PF_ARM PDE(HIGH_LIN), PG_P
  mov ebx, HIGH_LIN + 0x3004
.pde_write:
  mov dword [ebx], 0xD1D1
  PF_VERIFY .pde_write, PF_W, HIGH_LIN + 0x3004, 40, "write through a not-present PDE"
  CHECK [HIGH_LIN + 0x3004], 0xD1D1, 44, "the retried write stores the data"

  mov byte [PAGE_CODE], 0xC3              ; ret
  and dword [PTE(PAGE_CODE)], ~PG_P
  invlpg [PAGE_CODE]
  PF_ARM PTE(PAGE_CODE), PG_P
  mov eax, PAGE_CODE
  call eax
  PF_VERIFY PAGE_CODE, 0, PAGE_CODE, 50, "instruction fetch from a not-present page"

  ; ---- ring 3 ----
  and dword [PTE(PAGE_SUPER)], ~PG_US
  and dword [PTE(PAGE_USER_RO)], ~PG_RW
  and dword [PTE(PAGE_USER_NP)], ~PG_P
  mov eax, cr3
  mov cr3, eax
  mov dword [PAGE_SUPER], 0x5005
  call tss_init
  TO_RING3 user_part, EFL_FIXED | EFL_IOPL3

user_part:
  mov ax, cs
  movzx eax, ax
  CHECK eax, SEL_UCODE32, 60, "running at CPL 3"
  PF_ARM PTE(PAGE_SUPER), PG_US
.super_read:
  mov ecx, [PAGE_SUPER]
  PF_VERIFY .super_read, PF_P | PF_U, PAGE_SUPER, 61, "user read of a supervisor page"
  CHECK ecx, 0x5005, 65, "the retried read loads the data"

  PF_ARM PTE(PAGE_USER_RO), PG_RW
.user_ro:
  mov word [PAGE_USER_RO + 2], 0x7007
  PF_VERIFY .user_ro, PF_P | PF_W | PF_U, PAGE_USER_RO + 2, 70, "user write to a read-only page"

  PF_ARM PTE(PAGE_USER_NP), PG_P
.user_np:
  push dword [PAGE_USER_RO]
  pop dword [PAGE_USER_NP + 0x100]
  PF_VERIFY .user_np + 6, PF_W | PF_U, PAGE_USER_NP + 0x100, 80, "user write (POP to memory) to a not-present page"
  CHECK [PAGE_USER_NP + 0x100], 0x70070000, 84, "the retried POP stores the data"
  PASS

; #PF handler: record, repair, retry. Fails if the same case faults twice (repair did not work).
pf_handler:
  push eax
  push ebx
  mov eax, cr2
  mov [pf_cr2], eax
  mov eax, [esp + 8]
  mov [pf_err], eax
  mov eax, [esp + 12]
  mov [pf_eip], eax
  inc dword [pf_count]
  cmp dword [pf_count], 1
  jne .again
  mov ebx, [pf_fix_entry]
  mov eax, [pf_fix_bits]
  or [ebx], eax
  mov eax, cr2
  invlpg [eax]
  pop ebx
  pop eax
  add esp, 4
  iretd
.again:
  FAIL 99, "#PF repeated after the repair"

ROM_END
