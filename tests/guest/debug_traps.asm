; debug_traps.asm — debug registers, alignment check, performance counters, RSM.
;  * instruction breakpoint (DR0, R/W = 00): #DB fault with the EIP of the instruction, DR6.B0;
;    a handler that sets RF in the image resumes it without a second #DB, and the breakpoint
;    fires again on the next execution (RF is cleared after each instruction)
;  * data breakpoints: R/W = 01 traps after a write inside DRn aligned down to LEN (4), not on
;    reads; R/W = 11 traps on a read; REP STOSB stops after the iteration that hit (ECX, EDI,
;    saved EIP at the REP instruction); DR6 reports a matching breakpoint DR7 does not enable
;  * I/O breakpoint (R/W = 10, CR4.DE = 1): trap after OUT to the port
;  * DR7.GD: MOV DRn is a #DB fault with DR6.BD, and delivery clears GD
;  * DR4/DR5 alias DR6/DR7 with CR4.DE = 0 and are #UD with CR4.DE = 1
;  * single-step (TF) around MOV SS / POP SS: neither gives a #DB of its own; the trap comes once,
;    after the instruction that follows (5 #DBs for 7 single-stepped instructions, counted by a
;    handler that logs each return EIP); a data breakpoint hit by MOV SS also traps only after
;    the next instruction
;  * RDPMC: PerfCtr0 counting instructions retired (event 0xC0) counts exactly; ECX = 2 is #GP(0)
;  * RSM outside SMM is #UD
;  * alignment check at ring 3 with CR0.AM and EFLAGS.AC: misaligned dword / word -> #AC(0);
;    aligned and byte accesses pass
%define TEST_NAME "debug_traps"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
db_hits:        resd 1   ; #DB count of db_rf_handler and db_log_handler
db_log:         resd 8   ; return EIPs logged by db_log_handler
section .text

DATA     equ DATA_BASE
DR7_L0   equ 1 << 0
DR7_L1   equ 1 << 2
DR7_L2   equ 1 << 4
DR7_L3   equ 1 << 6
DR7_GD   equ 1 << 13
DR6_BD   equ 1 << 13
CR0_AM   equ 1 << 18
CR4_DE   equ 1 << 3
EFL_AC   equ 1 << 18
; R/W and LEN fields of breakpoint n
%define RW(n, v)  ((v) << (16 + 4 * (n)))
%define LEN(n, v) ((v) << (18 + 4 * (n)))

; ARM n, address, dr7 — load DRn and DR7; clear DR6
%macro ARM 3
  mov eax, %2
  mov dr%1, eax
  xor eax, eax
  mov dr6, eax
  mov eax, %3
  mov dr7, eax
%endmacro
%macro DISARM 0
  xor eax, eax
  mov dr7, eax
%endmacro
; CHECK_DR6 mask, expected, code, "what"
%macro CHECK_DR6 4+
  mov eax, dr6
  CHECK_BITS eax, %1, %2, %3, %4
%endmacro

start:
  ENTER_PM32
  call tss_init

  ; ---- instruction breakpoints ----
  ARM 0, .bp1, DR7_L0
  EXPECT_FAULT 1, NOERR, 1, "instruction breakpoint: #DB before the instruction"
.bp1:
  nop
  END_EXPECT
  CHECK_DR6 0xF, 1, 2, "DR6.B0 names the instruction breakpoint"

  IDT_GATE 1, db_rf_handler, GATE_INT32
  mov dword [db_hits], 0
  ARM 0, .bp2, DR7_L0
  mov ecx, 3
.bp2:
  dec ecx
  jnz .bp2
  DISARM
  CHECK [db_hits], 3, 3, "RF = 1 in the image resumes once; each execution faults again"
  IDT_GATE 1, exc_stub_1, GATE_INT32

  ; ---- data breakpoints ----
  ARM 1, DATA + 2, DR7_L1 | RW(1, 1) | LEN(1, 3)       ; write, 4 bytes: DATA .. DATA+3
  mov dword [DATA + 4], 1                                ; outside
  mov eax, [DATA]                                        ; a read
  EXPECT_TRAP 1, NOERR, 4, "write breakpoint: #DB after the write (LEN 4 aligned down)"
  mov byte [DATA], 0x5A
  END_EXPECT
  CHECK_DR6 0xF, 2, 5, "DR6.B1 names the write breakpoint"
  movzx eax, byte [DATA]
  CHECK eax, 0x5A, 6, "the write happened before the trap"

  ARM 2, DATA + 0x40, DR7_L2 | RW(2, 3) | LEN(2, 0)    ; read/write, 1 byte
  EXPECT_TRAP 1, NOERR, 7, "read/write breakpoint: #DB after a read"
  mov eax, [DATA + 0x40]
  END_EXPECT

  ; breakpoint 3 matches too but is not enabled
  ARM 3, DATA + 0x80, DR7_L0 | RW(0, 1) | RW(3, 1)
  mov eax, DATA + 0x80
  mov dr0, eax
  EXPECT_TRAP 1, NOERR, 8, "write breakpoint on DR0 (DR3 matches too, not enabled)"
  mov byte [DATA + 0x80], 1
  END_EXPECT
  CHECK_DR6 0xF, 9, 9, "DR6 reports B0 and the matching disabled B3"

  ARM 0, DATA + 0x105, DR7_L0 | RW(0, 1)
  mov edi, DATA + 0x100
  mov ecx, 10
  mov al, 0xEE
  cld
  EXPECT_FAULT 1, NOERR, 10, "REP STOSB: #DB after the iteration that hit, EIP at the REP"
  rep stosb
  END_EXPECT
  CHECK ecx, 4, 11, "six iterations done (ECX)"
  CHECK edi, DATA + 0x106, 12, "six iterations done (EDI)"
  movzx eax, byte [DATA + 0x106]
  CHECK eax, 0, 13, "the seventh byte is not written yet"
  DISARM

  ; ---- I/O breakpoint ----
  mov eax, cr4
  or eax, CR4_DE
  mov cr4, eax
  ARM 3, 0x80, DR7_L3 | RW(3, 2)
  EXPECT_TRAP 1, NOERR, 14, "I/O breakpoint: #DB after OUT to the port"
  out 0x80, al
  END_EXPECT
  CHECK_DR6 0xF, 8, 15, "DR6.B3 names the I/O breakpoint"
  DISARM

  ; ---- DR4/DR5 ----
  EXPECT_FAULT 6, NOERR, 16, "MOV from DR5 with CR4.DE = 1 is #UD"
  mov eax, dr5
  END_EXPECT
  mov eax, cr4
  and eax, ~CR4_DE
  mov cr4, eax
  mov eax, 0x401
  mov dr5, eax
  mov eax, dr7
  CHECK eax, 0x401, 17, "DR5 aliases DR7 with CR4.DE = 0"
  DISARM

  ; ---- general detect ----
  mov eax, DR7_GD
  mov dr7, eax
  EXPECT_FAULT 1, NOERR, 18, "DR7.GD: MOV DRn is a #DB fault"
  mov eax, dr0
  END_EXPECT
  CHECK_DR6 DR6_BD, DR6_BD, 19, "DR6.BD set by general detect"
  mov eax, dr7
  CHECK_BITS eax, DR7_GD, 0, 20, "#DB delivery clears DR7.GD"

  ; ---- single-step around MOV SS / POP SS ----
  IDT_GATE 1, db_log_handler, GATE_INT32
  mov dword [db_hits], 0
  mov ax, ss
  push ss                   ; for the POP SS
  pushfd
  or dword [esp], EFL_TF
  popfd                     ; TF = 1: the first trap is due after the next instruction...
  mov ss, ax                ; ...but MOV SS holds it off
  mov ebx, 1                ; one #DB after this, for both
.ss_after1:
  pop ss                    ; the same for POP SS
  mov ecx, 2
.ss_after2:
  pushfd                    ; #DB
  and dword [esp], ~EFL_TF  ; #DB
  popfd                     ; #DB (TF was still set when it started)
  IDT_GATE 1, exc_stub_1, GATE_INT32
  CHECK [db_hits], 5, 26, "TF: MOV SS and POP SS give no #DB; 5 #DBs for 7 instructions"
  CHECK [db_log], .ss_after1, 27, "the first #DB follows the instruction after MOV SS"
  CHECK [db_log + 4], .ss_after2, 28, "the second #DB follows the instruction after POP SS"

  mov word [DATA + 0x200], SEL_DATA32
  ARM 0, DATA + 0x200, DR7_L0 | RW(0, 3) | LEN(0, 1)   ; read/write, 2 bytes
  EXPECT_TRAP 1, NOERR, 29, "data breakpoint hit by MOV SS: #DB after the next instruction"
  mov ss, [DATA + 0x200]
  mov ebx, 3
  END_EXPECT
  CHECK_DR6 0xF, 1, 30, "DR6.B0 names the breakpoint MOV SS hit"
  DISARM

  ; ---- RDPMC, RSM ----
  mov ecx, 0x186
  mov eax, 0xC0 | (1 << 16) | (1 << 17) | (1 << 22)     ; INST_RETIRED, USR, OS, EN
  xor edx, edx
  wrmsr
  xor ecx, ecx
  rdpmc
  mov ebx, eax
  nop
  nop
  nop
  xor ecx, ecx
  rdpmc
  sub eax, ebx
  CHECK eax, 6, 21, "PerfCtr0 counts the instructions between two RDPMC"
  mov ecx, 2
  EXPECT_FAULT 13, 0, 22, "RDPMC with ECX = 2 is #GP(0)"
  rdpmc
  END_EXPECT
  EXPECT_FAULT 6, NOERR, 23, "RSM outside SMM is #UD"
  rsm
  END_EXPECT

  ; ---- alignment check at ring 3 ----
  mov eax, cr0
  or eax, CR0_AM
  mov cr0, eax
  TO_RING3 ring3, EFL_FIXED | EFL_AC
ring3:
  EXPECT_FAULT 17, 0, 24, "misaligned dword at ring 3 is #AC(0)"
  mov eax, [DATA + 1]
  END_EXPECT
  EXPECT_FAULT 17, 0, 25, "misaligned word at ring 3 is #AC(0)"
  mov [DATA + 3], ax
  END_EXPECT
  mov eax, [DATA + 4]
  mov ax, [DATA + 6]
  mov al, [DATA + 7]
  OK "aligned and byte accesses pass"
  PASS

; #DB handler for the single-step counts: log the return EIP, count.
db_log_handler:
  push eax
  push ecx
  mov ecx, [db_hits]
  mov eax, [esp + 8]
  mov [db_log + ecx * 4], eax
  inc dword [db_hits]
  pop ecx
  pop eax
  iretd

; #DB handler for the RF check: count, set RF in the EFLAGS image, return to the instruction.
db_rf_handler:
  inc dword [db_hits]
  or dword [esp + 8], EFL_RF
  iretd

ROM_END
