; jit_precise.asm — precise exceptions and bounded interrupt latency in long straight-line blocks
; (what a binary translator must keep exact: every fault leaves the state of the instruction
; boundary before the faulting instruction). Each fault case starts a block with a JMP and faults
; in its middle; a recording handler saves the vector, error code, saved EIP and EFLAGS, CR2 and
; the general registers as the fault left them, then either repairs the page and retries (#PF) or
; resumes after the block's faulting instruction.
;  1. #PF on the 5th memory access of a block: a read after CMP set ZF (the flags dead after the
;     fault), a read after CMP set CF/SF (flags read after it), a write; CR2, error code, saved EIP,
;     the registers the instructions before it wrote, the ones after it not yet; the retry
;     completes the block
;  2. #PF on the instruction fetch of a block that falls through into a not-present page
;  3. #GP(0) from an FS segment limit in the middle of a block whose FS access ran before with a
;     flat FS: beyond the limit, a dword whose last byte crosses it; the last dword inside works
;  4. #DE in the middle of a block: DIV by zero (register and memory divisor), DIV quotient
;     overflow, IDIV INT_MIN / -1, IDIV 2^32 / 1, DIV r/m8 overflow; IDIV cases near the
;     overflow check that must not fault
;  5. IRQ0 (PIT, 1 ms) while the CPU spins in loops with no exit of their own: INC/JMP to itself,
;     two blocks jumping to each other, JMP $, JMP EBX to itself, a round trip between two pages;
;     the handler runs (its saved EIP is in the loop), moves the return EIP out of the loop and
;     returns with IF = 0
%define TEST_NAME "jit_precise"

SEL_SMALL equ SEL_FIRST_EXTRA           ; data segment: base SMALL_BASE, byte limit 0xFF
SMALL_BASE equ 0x00102000
%macro GDT_EXTRA 0
  DESC SMALL_BASE, 0xFF, ACC_DATA_RW, FLG_32_BYTE
%endmacro
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
rec_count:   resd 1    ; exceptions recorded since REC_ARM
rec_vec:     resd 1
rec_err:     resd 1    ; 0 for vectors without an error code
rec_eip:     resd 1
rec_eflags:  resd 1
rec_cr2:     resd 1
rec_eax:     resd 1
rec_ecx:     resd 1
rec_edx:     resd 1
rec_ebx:     resd 1
rec_ebp:     resd 1
rec_esi:     resd 1
rec_edi:     resd 1
rec_fix_pte: resd 1    ; nonzero: a #PF sets P in this PTE and is retried
rec_resume:  resd 1    ; else: the handler resumes here
irq0_count:  resd 1
irq0_eip:    resd 1    ; saved EIP of the last IRQ0
irq0_resume: resd 1    ; where the IRQ0 handler returns to
tsc_start:   resd 1
section .text

PF_DATA   equ DATA_BASE                 ; present data
NP_PAGE   equ DATA_BASE + 0x1000        ; made not present for #PF cases
RAM_CODE  equ FREE_RAM                  ; .ramcode: the block falling into a not-present page
FETCH_PAGE2 equ RAM_CODE + 0x1000       ; its second page (fetch_page2)
ARITH     equ EFL_CF | EFL_ZF | (1 << 7) | EFL_OF   ; CF ZF SF OF
EFL_SF    equ 1 << 7
IRQ0_VECTOR equ 0x20

; REC_ARM resume, pte: expect exceptions; resume at `resume`, or repair `pte` and retry (#PF)
%macro REC_ARM 2
  mov dword [rec_count], 0
  mov dword [rec_resume], %1
  mov dword [rec_fix_pte], %2
  mov dword [rec_vec], -1
%endmacro

; REC_CHECK field, expected, code, "what": CHECK of a recorded value
%macro REC_CHECK 4+
  CHECK [rec_%1], %2, %3, %4
%endmacro

; CHECK_FLAGS value (memory), mask, expected, code, "what"
%macro CHECK_FLAGS 5+
  push eax
  mov eax, %1
  and eax, %2
  CHECK eax, %3, %4, %5
  pop eax
%endmacro

; CHECK_RANGE value, lo, hi, code, "what": lo <= value < hi (unsigned)
%macro CHECK_RANGE 5+
  push eax
  mov eax, %1
  sub eax, %2
  cmp eax, (%3) - (%2)
  pop eax
  jb %%ok
  push dword %1
  PRINT "FAIL ", TEST_NAME, ": ", %5, " (got "
  pop eax
  PRINT_EAX
  PRINT ")", 10
  EXIT %4
%%ok:
  OK %5
%endmacro

; SYNC_TICK: wait for an IRQ0 with HLT (the handler returns with IF = 0), so that the next loop
; starts a full timer period before the next one; then count from zero.
%macro SYNC_TICK 0
  mov dword [irq0_resume], %%synced
  sti
  hlt
  FAIL 199, "HLT resumed without the IRQ0 handler"
%%synced:
  mov dword [irq0_count], 0
  mov dword [irq0_eip], -1
%endmacro

; SPIN_CHECKS code, lo, hi, alt, "what": after a loop left by the IRQ0 handler: one IRQ0, taken
; at an instruction of the loop ([lo, hi) or at `alt`), within 0.5 s of TSC time from the loop's
; start (codes code..code+2)
%macro SPIN_CHECKS 5+
  CHECK [irq0_count], 1, %1, %5, ": one IRQ0 ended the loop"
  cmp dword [irq0_eip], %4
  je %%eip_ok
  CHECK_RANGE [irq0_eip], %2, %3, %1 + 1, %5, ": IRQ0 taken at an instruction of the loop"
%%eip_ok:
  rdtsc
  sub eax, [tsc_start]
  CHECK_RANGE eax, 0, 500000000, %1 + 2, %5, ": IRQ0 within 0.5 s (TSC) of the loop's start"
%endmacro

start:
  ENTER_PM32
  IDT_GATE 0, rec_stub_0, GATE_INT32
  IDT_GATE 13, rec_stub_13, GATE_INT32
  IDT_GATE 14, rec_stub_14, GATE_INT32
  IDT_GATE IRQ0_VECTOR, irq0_handler, GATE_INT32
  REC_ARM rec_unexpected, 0
  ENABLE_PAGING
  mov esi, ROM_BASE + section..ramcode.start
  mov edi, RAM_CODE
  mov ecx, ramcode_end - ramcode_start
  rep movsb

  mov dword [PF_DATA], 0x11111111
  mov dword [PF_DATA + 4], 0x11111111
  mov dword [PF_DATA + 8], 0x33
  mov dword [PF_DATA + 28], 5
  mov dword [PF_DATA + 32], 0
  mov dword [NP_PAGE + 0x10], 0xD00D
  mov dword [NP_PAGE + 0x20], 0xBEEF

  ; ---- 1a: #PF on the 5th access, after CMP set ZF; flags dead after it ----------------------------
  call hide_np_page
  REC_ARM rec_unexpected, PTE(NP_PAGE)
  mov ecx, 0x100
  mov edx, 0xEEEE
  mov esi, 0x1234
  mov edi, 0x10
  mov ebp, 0x6666
  mov eax, 1
  cmp eax, 2                            ; flags before the block: CF = 1, SF = 1, ZF = 0
  mov eax, 0
  mov ebx, 0
  jmp .pf1
.pf1:
  mov eax, [PF_DATA]                    ; 1: EAX = 0x11111111
  mov ebx, [PF_DATA + 4]                ; 2: EBX = 0x11111111
  add ecx, [PF_DATA + 8]                ; 3: ECX = 0x133
  mov [PF_DATA + 12], ecx               ; 4
  cmp eax, ebx                          ;    ZF = 1, CF = 0, SF = 0, OF = 0
.pf1_fault:
  mov edx, [NP_PAGE + 0x10]             ; 5: #PF; after the retry EDX = 0xD00D
  mov esi, 0x5A5A5A5A
  add edi, 1                            ;    writes all flags
  mov [PF_DATA + 16], edi
  inc ebp
  jmp .pf1_done
.pf1_done:
  CHECK edx, 0xD00D, 1, "#PF 1: the retried load"
  CHECK esi, 0x5A5A5A5A, 2, "#PF 1: the instructions after it ran after the retry"
  CHECK edi, 0x11, 3, "#PF 1: EDI after the block"
  CHECK ebp, 0x6667, 4, "#PF 1: EBP after the block"
  CHECK [PF_DATA + 12], 0x133, 5, "#PF 1: the store before the fault"
  CHECK [PF_DATA + 16], 0x11, 6, "#PF 1: the store after the fault"
  REC_CHECK count, 1, 7, "#PF 1: exactly one fault"
  REC_CHECK vec, 14, 8, "#PF 1: vector"
  REC_CHECK err, 0, 9, "#PF 1: error code (not present, read, supervisor)"
  REC_CHECK cr2, NP_PAGE + 0x10, 10, "#PF 1: CR2"
  REC_CHECK eip, .pf1_fault, 11, "#PF 1: saved EIP = the faulting load"
  REC_CHECK eax, 0x11111111, 12, "#PF 1: EAX written by access 1"
  REC_CHECK ebx, 0x11111111, 13, "#PF 1: EBX written by access 2"
  REC_CHECK ecx, 0x133, 14, "#PF 1: ECX written by access 3"
  REC_CHECK edx, 0xEEEE, 15, "#PF 1: EDX not yet loaded"
  REC_CHECK esi, 0x1234, 16, "#PF 1: ESI not yet written"
  REC_CHECK edi, 0x10, 17, "#PF 1: EDI not yet incremented"
  REC_CHECK ebp, 0x6666, 18, "#PF 1: EBP not yet incremented"
  CHECK_FLAGS [rec_eflags], ARITH, EFL_ZF, 19, "#PF 1: pushed EFLAGS = CMP's flags (ZF only)"

  ; ---- 1b: #PF after CMP set CF and SF; the flags are read after the faulting load --------------
  call hide_np_page
  REC_ARM rec_unexpected, PTE(NP_PAGE)
  mov ecx, 0x100
  mov edx, 0xEEEE
  mov esi, 0x1234
  xor eax, eax                          ; flags before the block: ZF = 1, CF = 0
  mov ebx, 0
  jmp .pf2
.pf2:
  mov eax, [PF_DATA + 8]                ; 1: EAX = 0x33
  mov ebx, [PF_DATA]                    ; 2: EBX = 0x11111111
  sub ecx, [PF_DATA + 8]                ; 3: ECX = 0xCD
  mov [PF_DATA + 20], eax               ; 4
  cmp eax, ebx                          ;    0x33 - 0x11111111: CF = 1, SF = 1, ZF = 0, OF = 0
.pf2_fault:
  mov edx, [NP_PAGE + 0x20]             ; 5: #PF; after the retry EDX = 0xBEEF
  setb cl                               ;    reads CF: ECX = 0x01
  sbb esi, esi                          ;    reads CF: ESI = -1
  jmp .pf2_done
.pf2_done:
  CHECK edx, 0xBEEF, 20, "#PF 2: the retried load"
  CHECK ecx, 0x01, 21, "#PF 2: SETB after the retry saw CF = 1"
  CHECK esi, 0xFFFFFFFF, 22, "#PF 2: SBB after the retry saw CF = 1"
  CHECK [PF_DATA + 20], 0x33, 23, "#PF 2: the store before the fault"
  REC_CHECK count, 1, 24, "#PF 2: exactly one fault"
  REC_CHECK err, 0, 25, "#PF 2: error code"
  REC_CHECK cr2, NP_PAGE + 0x20, 26, "#PF 2: CR2"
  REC_CHECK eip, .pf2_fault, 27, "#PF 2: saved EIP = the faulting load"
  REC_CHECK eax, 0x33, 28, "#PF 2: EAX written by access 1"
  REC_CHECK ebx, 0x11111111, 29, "#PF 2: EBX written by access 2"
  REC_CHECK ecx, 0xCD, 30, "#PF 2: ECX written by access 3, SETB not yet"
  REC_CHECK edx, 0xEEEE, 31, "#PF 2: EDX not yet loaded"
  REC_CHECK esi, 0x1234, 32, "#PF 2: ESI not yet written"
  CHECK_FLAGS [rec_eflags], ARITH, EFL_CF | EFL_SF, 33, "#PF 2: pushed EFLAGS = CMP's flags (CF, SF)"

  ; ---- 1c: #PF on a write, the 5th access ----------------------------------------------------------
  call hide_np_page
  REC_ARM rec_unexpected, PTE(NP_PAGE)
  mov ecx, 0xC0C0
  mov edx, 0xD0D0
  jmp .pf3
.pf3:
  mov eax, [PF_DATA]                    ; 1: EAX = 0x11111111
  inc eax                               ;    EAX = 0x11111112
  mov [PF_DATA + 24], eax               ; 2
  mov ebx, [PF_DATA + 24]               ; 3: EBX = 0x11111112
  add ebx, [PF_DATA + 8]                ; 4: EBX = 0x11111145
.pf3_fault:
  mov [NP_PAGE + 0xFFC], ebx            ; 5: #PF (write)
  mov ecx, [NP_PAGE + 0xFFC]
  mov edx, 0
  jmp .pf3_done
.pf3_done:
  CHECK ecx, 0x11111145, 40, "#PF 3: the retried store"
  REC_CHECK count, 1, 41, "#PF 3: exactly one fault"
  REC_CHECK err, PF_W, 42, "#PF 3: error code (not present, write)"
  REC_CHECK cr2, NP_PAGE + 0xFFC, 43, "#PF 3: CR2"
  REC_CHECK eip, .pf3_fault, 44, "#PF 3: saved EIP = the faulting store"
  REC_CHECK eax, 0x11111112, 45, "#PF 3: EAX"
  REC_CHECK ebx, 0x11111145, 46, "#PF 3: EBX written by access 4"
  REC_CHECK ecx, 0xC0C0, 47, "#PF 3: ECX not yet loaded"
  REC_CHECK edx, 0xD0D0, 48, "#PF 3: EDX not yet written"

  ; ---- 2: #PF on the fetch of the next page --------------------------------------------------------
  and dword [PTE(FETCH_PAGE2)], ~PG_P
  invlpg [fetch_page2]
  REC_ARM rec_unexpected, PTE(FETCH_PAGE2)
  mov eax, 0
  mov ebx, 0
  mov ecx, 0
  call fetch_func
  CHECK ecx, 0x77, 50, "fetch #PF: the code on the repaired page ran"
  REC_CHECK count, 1, 51, "fetch #PF: exactly one fault"
  REC_CHECK err, 0, 52, "fetch #PF: error code (not present, supervisor fetch)"
  REC_CHECK cr2, fetch_page2, 53, "fetch #PF: CR2 = the page start"
  REC_CHECK eip, fetch_page2, 54, "fetch #PF: saved EIP = the page start"
  REC_CHECK eax, 0x1001, 55, "fetch #PF: EAX from the block before"
  REC_CHECK ebx, 0x2002, 56, "fetch #PF: EBX from the block before"
  REC_CHECK ecx, 0, 57, "fetch #PF: ECX not yet written"

  ; ---- 3: #GP from an FS limit ------------------------------------------------------------------------
  mov dword [SMALL_BASE + 0x10], 0xF5F5
  mov dword [SMALL_BASE + 0xFC], 0xFCFC
  REC_ARM rec_unexpected, 0
  mov esi, SMALL_BASE + 0x10            ; flat FS first: the block runs (translated) 3 times
  call fs_func
  call fs_func
  call fs_func
  CHECK edx, 0xF5F6, 60, "FS access with a flat FS"
  mov ax, SEL_SMALL
  mov fs, ax
  mov esi, 0x10
  call fs_func
  CHECK edx, 0xF5F6, 61, "FS access inside a small FS limit"
  REC_CHECK count, 0, 62, "no fault inside the limit"

  REC_ARM fs_func.resume, 0
  mov esi, 0x100
  mov ecx, 0xCCCC
  mov edx, 0xDDDD
  call fs_func
  REC_CHECK count, 1, 63, "#GP FS 1: exactly one fault"
  REC_CHECK vec, 13, 64, "#GP FS 1: vector"
  REC_CHECK err, 0, 65, "#GP FS 1: error code 0"
  REC_CHECK eip, fs_func.fault, 66, "#GP FS 1: saved EIP = the FS access"
  REC_CHECK ebx, 0x11111112, 67, "#GP FS 1: EBX written before it"
  REC_CHECK eax, 0x33 - 0x100, 68, "#GP FS 1: EAX written before it"
  CHECK ecx, 0xCCCC, 69, "#GP FS 1: ECX not loaded"
  CHECK edx, 0xDDDD, 70, "#GP FS 1: EDX not written"
  CHECK_FLAGS [rec_eflags], ARITH, EFL_CF | EFL_SF, 71, "#GP FS 1: pushed EFLAGS = SUB's flags (CF, SF)"

  REC_ARM fs_func.resume, 0
  mov esi, 0xFD                         ; bytes 0xFD-0x100: the last one is beyond the limit
  call fs_func
  REC_CHECK count, 1, 72, "#GP FS 2: a dword crossing the limit faults"
  REC_CHECK err, 0, 73, "#GP FS 2: error code 0"
  REC_CHECK eip, fs_func.fault, 74, "#GP FS 2: saved EIP"
  REC_ARM rec_unexpected, 0
  mov esi, 0xFC
  call fs_func
  CHECK edx, 0xFCFD, 75, "the last dword inside the FS limit"
  mov ax, SEL_DATA32
  mov fs, ax

  ; ---- 4: #DE ----------------------------------------------------------------------------------------
  REC_ARM .de1_resume, 0
  mov eax, 1000
  mov edx, 0
  mov ebx, 0
  mov ecx, 7
  mov esi, 0x1111
  mov edi, 0
  jmp .de1
.de1:
  add ecx, 3                            ; ECX = 10
  imul esi, ecx                         ; ESI = 0xAAAA
  lea edi, [ecx + esi]                  ; EDI = 0xAAB4
  cmp ecx, 11                           ; CF = 1, SF = 1, ZF = 0
.de1_fault:
  div ebx                               ; #DE: divisor 0
  mov ecx, 0xBAD
  mov esi, 0xBAD
.de1_resume:
  REC_CHECK count, 1, 80, "DIV by zero: one #DE"
  REC_CHECK vec, 0, 81, "DIV by zero: vector 0"
  REC_CHECK eip, .de1_fault, 82, "DIV by zero: saved EIP = the DIV"
  REC_CHECK eax, 1000, 83, "DIV by zero: EAX unchanged"
  REC_CHECK edx, 0, 84, "DIV by zero: EDX unchanged"
  REC_CHECK ecx, 10, 85, "DIV by zero: ECX written before it"
  REC_CHECK esi, 0xAAAA, 86, "DIV by zero: ESI written before it"
  REC_CHECK edi, 0xAAB4, 87, "DIV by zero: EDI written before it"
  CHECK_FLAGS [rec_eflags], ARITH, EFL_CF | EFL_SF, 88, "DIV by zero: pushed EFLAGS = CMP's flags (CF, SF)"

  REC_ARM .de2_resume, 0
  mov eax, 0x1234
  mov edx, 5
  mov ecx, 0
  jmp .de2
.de2:
  add ecx, [PF_DATA + 28]               ; ECX = 5
  mov ebx, eax
.de2_fault:
  div dword [PF_DATA + 28]              ; EDX:EAX / 5: quotient too wide: #DE
  mov ecx, 0xBAD
.de2_resume:
  REC_CHECK count, 1, 90, "DIV m32 quotient overflow: one #DE"
  REC_CHECK eip, .de2_fault, 91, "DIV m32 quotient overflow: saved EIP"
  REC_CHECK eax, 0x1234, 92, "DIV m32 quotient overflow: EAX unchanged"
  REC_CHECK edx, 5, 93, "DIV m32 quotient overflow: EDX unchanged"
  REC_CHECK ecx, 5, 94, "DIV m32 quotient overflow: ECX written before it"
  REC_CHECK ebx, 0x1234, 95, "DIV m32 quotient overflow: EBX written before it"

  REC_ARM .de3_resume, 0
  mov eax, 7
  mov edx, 0
  mov ebx, 0
  jmp .de3
.de3:
  inc ebx
  add eax, ebx                          ; EAX = 8
.de3_fault:
  div dword [PF_DATA + 32]              ; memory divisor 0: #DE
  mov ebx, 0xBAD
.de3_resume:
  REC_CHECK count, 1, 100, "DIV m32 by zero: one #DE"
  REC_CHECK eip, .de3_fault, 101, "DIV m32 by zero: saved EIP"
  REC_CHECK eax, 8, 102, "DIV m32 by zero: EAX written before it"
  REC_CHECK ebx, 1, 103, "DIV m32 by zero: EBX written before it"

  REC_ARM .de4_resume, 0
  mov eax, 0x80000000
  mov edx, 0xFFFFFFFF
  mov ecx, 0
  jmp .de4
.de4:
  dec ecx                               ; ECX = -1, SF = 1
.de4_fault:
  idiv ecx                              ; INT_MIN / -1: #DE
  mov ecx, 0xBAD
.de4_resume:
  REC_CHECK count, 1, 110, "IDIV INT_MIN / -1: one #DE"
  REC_CHECK eip, .de4_fault, 111, "IDIV INT_MIN / -1: saved EIP"
  REC_CHECK eax, 0x80000000, 112, "IDIV INT_MIN / -1: EAX unchanged"
  REC_CHECK edx, 0xFFFFFFFF, 113, "IDIV INT_MIN / -1: EDX unchanged"
  REC_CHECK ecx, 0xFFFFFFFF, 114, "IDIV INT_MIN / -1: ECX written before it"
  CHECK_FLAGS [rec_eflags], ARITH, EFL_SF, 115, "IDIV INT_MIN / -1: pushed EFLAGS = DEC's flags"

  REC_ARM .de5_resume, 0
  mov eax, 0
  mov edx, 1
  mov ecx, 0
  jmp .de5
.de5:
  inc ecx                               ; ECX = 1
.de5_fault:
  idiv ecx                              ; 2^32 / 1: #DE
.de5_resume:
  REC_CHECK count, 1, 120, "IDIV 2^32 / 1: one #DE"
  REC_CHECK eip, .de5_fault, 121, "IDIV 2^32 / 1: saved EIP"

  REC_ARM .de6_resume, 0
  mov eax, 0x1000
  mov ebx, 0x10
  jmp .de6
.de6:
  mov ecx, 0x10
.de6_fault:
  div bl                                ; AX / 0x10 = 0x100: too wide for AL: #DE
.de6_resume:
  REC_CHECK count, 1, 125, "DIV r/m8 quotient overflow: one #DE"
  REC_CHECK eip, .de6_fault, 126, "DIV r/m8 quotient overflow: saved EIP"
  REC_CHECK eax, 0x1000, 127, "DIV r/m8 quotient overflow: EAX unchanged"
  REC_CHECK ecx, 0x10, 128, "DIV r/m8 quotient overflow: ECX written before it"

  REC_ARM rec_unexpected, 0
  mov eax, 0x80000000                   ; EDX:EAX = 2^31 (EDX is not EAX's sign extension)
  mov edx, 0
  mov ecx, 2
  idiv ecx
  CHECK eax, 0x40000000, 130, "IDIV 2^31 / 2 (EDX not EAX's sign): quotient"
  CHECK edx, 0, 131, "IDIV 2^31 / 2: remainder"
  mov eax, 0x7FFFFFFF                   ; EDX:EAX = -(2^31 + 1)
  mov edx, 0xFFFFFFFF
  mov ecx, -2
  idiv ecx
  CHECK eax, 0x40000000, 132, "IDIV -(2^31 + 1) / -2: quotient"
  CHECK edx, 0xFFFFFFFF, 133, "IDIV -(2^31 + 1) / -2: remainder -1"
  mov eax, 0
  mov edx, 1
  mov ecx, 3
  div ecx
  CHECK eax, 0x55555555, 134, "DIV 2^32 / 3: quotient"
  CHECK edx, 1, 135, "DIV 2^32 / 3: remainder"
  REC_CHECK count, 0, 136, "no #DE from divisions that fit"

  ; ---- 5: IRQ0 during loops without an exit ---------------------------------------------------------
  PIT_MODE2_1MS
  mov al, 0xFE                          ; unmask IRQ0
  out 0x21, al

  SYNC_TICK
  rdtsc
  mov [tsc_start], eax
  mov dword [irq0_resume], .spin1_out
  xor eax, eax
  sti
.spin1:
  inc eax
  jmp .spin1
.spin1_out:
  SPIN_CHECKS 140, .spin1, .spin1_out, -1, "INC EAX / JMP to itself"

  SYNC_TICK
  rdtsc
  mov [tsc_start], eax
  mov dword [irq0_resume], .spin2_out
  xor eax, eax
  xor ebx, ebx
  sti
.spin2a:
  inc eax
  jmp .spin2b
  times 64 nop                          ; (not executed)
.spin2b:
  add ebx, eax
  jmp .spin2a
.spin2_out:
  SPIN_CHECKS 145, .spin2a, .spin2_out, -1, "two blocks jumping to each other"

  SYNC_TICK
  rdtsc
  mov [tsc_start], eax
  mov dword [irq0_resume], .spin3_out
  sti
.spin3:
  jmp .spin3
.spin3_out:
  SPIN_CHECKS 150, .spin3, .spin3_out, -1, "JMP $"

  SYNC_TICK
  rdtsc
  mov [tsc_start], eax
  mov dword [irq0_resume], .spin4_out
  mov ebx, .spin4
  xor eax, eax
  sti
.spin4:
  inc eax
  jmp ebx
.spin4_out:
  SPIN_CHECKS 155, .spin4, .spin4_out, -1, "INC EAX / JMP EBX to itself"

  SYNC_TICK
  rdtsc
  mov [tsc_start], eax
  mov dword [irq0_resume], .spin5_out
  xor eax, eax
  sti
.spin5:
  inc eax
  jmp spin_far                          ; on another page: JMP back to .spin5
.spin5_out:
  SPIN_CHECKS 160, .spin5, .spin5_out, spin_far, "round trip between two pages"
  mov al, 0xFF
  out 0x21, al
  PASS


; ---- the recording exception handler --------------------------------------------------------------
rec_stub_0:
  push dword 0                          ; (no error code)
  push dword 0
  jmp rec_common
rec_stub_13:
  push dword 13
  jmp rec_common
rec_stub_14:
  push dword 14
  jmp rec_common

; Frame after PUSHAD: EDI ESI EBP ESP EBX EDX ECX EAX, vector, error, EIP, CS, EFLAGS.
rec_common:
  pushad
  inc dword [rec_count]
  mov eax, [esp + 28]
  mov [rec_eax], eax
  mov eax, [esp + 24]
  mov [rec_ecx], eax
  mov eax, [esp + 20]
  mov [rec_edx], eax
  mov eax, [esp + 16]
  mov [rec_ebx], eax
  mov eax, [esp + 8]
  mov [rec_ebp], eax
  mov eax, [esp + 4]
  mov [rec_esi], eax
  mov eax, [esp]
  mov [rec_edi], eax
  mov eax, [esp + 32]
  mov [rec_vec], eax
  mov eax, [esp + 36]
  mov [rec_err], eax
  mov eax, [esp + 40]
  mov [rec_eip], eax
  mov eax, [esp + 48]
  mov [rec_eflags], eax
  mov eax, cr2
  mov [rec_cr2], eax
  cmp dword [rec_count], 3
  ja .runaway
  mov ebx, [rec_fix_pte]
  test ebx, ebx
  jz .resume
  cmp dword [esp + 32], 14
  jne .resume
  or dword [ebx], PG_P                  ; #PF: repair the entry and retry
  mov dword [rec_fix_pte], 0
  invlpg [eax]
  jmp .out
.resume:
  mov eax, [rec_resume]
  mov [esp + 40], eax
.out:
  popad
  add esp, 8
  iretd
.runaway:
  FAIL 198, "the same exception again and again"

rec_unexpected:
  PRINT "FAIL ", TEST_NAME, ": unexpected exception "
  mov eax, [rec_vec]
  PRINT_EAX
  PRINT " error "
  mov eax, [rec_err]
  PRINT_EAX
  PRINT " at "
  mov eax, [rec_eip]
  PRINT_EAX
  PRINT " cr2 "
  mov eax, [rec_cr2]
  PRINT_EAX
  PRINT 10
  EXIT 197

; IRQ0: count, note the saved EIP, return to [irq0_resume] with IF = 0, EOI.
irq0_handler:
  push eax
  inc dword [irq0_count]
  mov eax, [esp + 4]
  mov [irq0_eip], eax
  mov eax, [irq0_resume]
  mov [esp + 4], eax
  and dword [esp + 12], ~EFL_IF
  mov al, 0x20
  out 0x20, al
  pop eax
  iretd

hide_np_page:
  and dword [PTE(NP_PAGE)], ~PG_P
  invlpg [NP_PAGE]
  ret

; EDX = [FS:ESI] + 1, after EBX and EAX (and the flags) are written; a fault resumes at .resume
fs_func:
  mov ebx, [PF_DATA]                    ; EBX = 0x11111111
  inc ebx                               ; EBX = 0x11111112
  mov eax, [PF_DATA + 8]                ; EAX = 0x33
  sub eax, 0x100                        ; EAX = 0xFFFFFF33: CF = 1, SF = 1
.fault:
  mov ecx, [fs:esi]
  mov edx, ecx
  add edx, 1
.resume:
  ret

  align 4096
spin_far:                               ; the far half of test 5's round trip
  jmp start.spin5

; ---- code that runs in RAM ---------------------------------------------------------------------
section .ramcode follows=.text vstart=RAM_CODE
ramcode_start:
  times 0x1000 - 10 - ($ - $$) db 0xCC
; EAX = 0x1001, EBX = 0x2002, then falls through into the next page: ECX = 0x77
fetch_func:
  mov eax, 0x1001                       ; 5 bytes
  mov ebx, 0x2002                       ; 5 bytes
  times 0x1000 - ($ - $$) db 0xCC      ; (nothing: fetch_page2 starts the next page)
fetch_page2:
  mov ecx, 0x77
  ret
ramcode_end:

section .text
ROM_END
