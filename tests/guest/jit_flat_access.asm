; jit_flat_access.asm — flat guest accesses as one host instruction each. Over the linear views a
; translated flat access is `gs: addr32 op [guest ModRM/SIB/disp]` and a stack access `gs:
; addr32 [r12d + disp]` (docs/translator.md, "Memory operands"); each case runs 40 times from
; one hot loop (COUNT_40), so it runs translated, and must give the interpreter's result:
;  1. an absolute [disp32] load (ModRM 00/101, which 64-bit mode would read RIP-relative)
;  2. an absolute [disp32] store
;  3. a base + displacement that wraps past 4 GiB ([EDX + 0x20] with EDX = 0xFFFFFFF0 is 0x10)
;  4. base + index*scale + displacement past 4 GiB, also by 16 GiB (the index scaled)
;  5. ESP as the base ([ESP + 4]) and as the register operand of a store (mov [EBX], ESP)
;  6. ESP as base with an index ([ESP + ECX*4 - 4])
;  7. PUSH/POP/CALL/RET/LEAVE through the stack view: the values and ESP after them
;  8. a #PF at a flat access (not present): CR2, the error code and the saved EIP, for a load, a
;     store, a read-modify-write, a based and indexed load and a POP (the slow path computes the
;     address itself)
;  9. POPs keep ESP lazily (one update after the run): three POPs whose third faults must leave
;     the first two registers loaded and ESP as it was before the third (#PF frame on the stack
;     below it); then PUSH runs and RET after POPs, the values and ESP checked
; 10. AH..BH next to a flat memory operand (a REX prefix would make them SPL..DIL: the GS form has
;     none but for ESP, where the instruction is called out): loads, stores, CMP and ADD with
;     [EDX], [EDX + ECX*2 + 1] and [ESP + 4]
%define TEST_NAME "jit_flat_access"
%include "lib/guest.inc"

[absolute VARS_BASE + 0x100]
PF_RECORD_VARS
pf_esp:    resd 1   ; ESP when the fault happened (ring 0: the frame is on the same stack)
skip:      resd 1   ; bytes the #PF handler skips
section .text

CELL      equ DATA_BASE + 0x0124        ; absolute operand
LOW_CELL  equ 0x00000010                ; where the wrapping accesses land
PAGE_NP   equ DATA_BASE + 0x3000        ; not present (case 8)

start:
  ENTER_PM32
  IDT_GATE 14, pf_handler, GATE_INT32
  ENABLE_PAGING
  mov dword [LOW_CELL], 0x600DF00D

  ; ---- 1: absolute load ----
  mov dword [CELL], 0x11223344
  mov esi, 0x11223344
  call abs_load_40
  CHECK edi, 40, 10, "absolute [disp32] load"

  ; ---- 2: absolute store ----
  mov esi, 0
  call abs_store_40
  CHECK edi, 40, 20, "absolute [disp32] store"
  CHECK dword [CELL], 1, 21, "the last stored value"

  ; ---- 3: base + disp wrapping ----
  mov esi, 0x600DF00D
  call wrap_base_40
  CHECK edi, 40, 30, "[EDX + 0x20] wraps to 0x10"

  ; ---- 4: base + index*scale + disp wrapping ----
  call wrap_index_40
  CHECK edi, 40, 40, "[EDX + ECX*8 + 8] wraps to 0x10"
  call wrap_far_40
  CHECK edi, 40, 41, "[EDX + ECX*8] 16 GiB past 4 GiB wraps to 0x10"

  ; ---- 5: ESP as base and as the stored register ----
  call esp_forms_40
  CHECK edi, 40, 50, "[ESP + 4] and mov [EBX], ESP"

  ; ---- 6: ESP base with an index ----
  call esp_index_40
  CHECK edi, 40, 60, "[ESP + ECX*4 - 4]"

  ; ---- 7: stack instructions ----
  call stack_ops_40
  CHECK edi, 40, 70, "PUSH/POP/CALL/RET/LEAVE values and ESP"

  ; ---- 8: #PF at flat accesses ----
  and dword [PTE(PAGE_NP)], ~PG_P
  invlpg [PAGE_NP]
  mov esi, 1
  call pf_load_40
  CHECK edi, 40, 80, "#PF of a load: CR2, error code, EIP"
  call pf_store_40
  CHECK edi, 40, 81, "#PF of a store: CR2, error code, EIP"
  call pf_rmw_40
  CHECK edi, 40, 82, "#PF of a read-modify-write: CR2, error code, EIP"
  mov ebp, PAGE_NP
  call pf_index_40
  CHECK edi, 40, 83, "#PF of [EBP + ECX*4]: CR2, error code, EIP"
  call pf_pop_40
  CHECK edi, 40, 84, "#PF of a POP: CR2, error code, EIP"

  ; ---- 9: lazy ESP over POP/PUSH runs ----
  mov dword [skip], 1
  call lazy_pop_40
  CHECK edi, 40, 90, "third POP faults: two popped, ESP before it, CR2/EIP"
  call push_run_40
  CHECK edi, 40, 91, "PUSH run then POP run: values and ESP"

  ; ---- 10: AH..BH with memory operands ----
  mov esi, 0x1234ABCD
  call high_byte_40
  CHECK edi, 40, 100, "AH/CH/DH/BH loads, stores, CMP, ADD with [EDX], [EDX+ECX*2+1], [ESP+4]"
  PASS

high_byte_40:
  COUNT_40 {call high_byte_one}
high_byte_one:                          ; EAX = ESI if every step gave the expected value
  push ebx                              ; (COUNT_40's counter)
  push ebp
  mov edx, CELL
  mov dword [edx], 0x11223344
  mov eax, 0x0000AB00
  mov [edx + 1], ah                     ; [CELL] = 0x1122AB44
  mov ch, [edx + 1]                     ; CH = 0xAB
  cmp [edx + 1], ch
  jne .bad
  mov ecx, 1
  mov dh, 0x10                          ; EDX's DH changes: use EBP as the pointer from here
  mov ebp, CELL
  mov bh, 0x01
  add [ebp + ecx * 2 + 1], bh           ; byte 3: 0x11 + 1 = 0x12
  cmp dword [ebp], 0x1222AB44
  jne .bad
  push dword 0x00005600
  mov ah, [esp + 1]                     ; ESP base: REX needed, called out
  cmp ah, 0x56
  jne .bad2
  mov [esp + 2], ah
  cmp dword [esp], 0x00565600
  jne .bad2
  add esp, 4
  mov dh, [ebp + 1]                     ; 0xAB
  cmp dh, 0xAB
  jne .bad
  pop ebp
  pop ebx
  mov eax, esi
  ret
.bad2:
  add esp, 4
.bad:
  pop ebp
  pop ebx
  xor eax, eax
  ret

abs_load_40:
  COUNT_40 {mov ecx, [CELL]}, {mov eax, ecx}   ; (8B 0D disp32: MOV EAX would be A1 moffs)

abs_store_40:
  COUNT_40 {call abs_store_one}
abs_store_one:                          ; EAX = ESI = EBX if the store reached [CELL]
  mov [CELL], ebx
  mov eax, [CELL]
  mov esi, ebx
  ret

wrap_base_40:
  COUNT_40 {mov edx, 0xFFFFFFF0}, {mov eax, [edx + 0x20]}

wrap_index_40:                          ; 0xFFFFFF00 + 0x21 * 8 + 8 = 0x1_0000_0010
  COUNT_40 {mov edx, 0xFFFFFF00}, {call wrap_index_one}
wrap_index_one:
  mov ecx, 0x21
  mov eax, [edx + ecx * 8 + 8]
  ret

wrap_far_40:                            ; 0x10 + 0x80000000 * 8 = 0x4_0000_0010
  COUNT_40 {mov edx, 0x10}, {call wrap_far_one}
wrap_far_one:
  mov ecx, 0x80000000
  mov eax, [edx + ecx * 8]
  ret

esp_forms_40:
  COUNT_40 {call esp_forms_one}
esp_forms_one:
  push dword 0xC0FFEE01
  call .inner
  add esp, 4
  ret
.inner:                                 ; [ESP + 4] = 0xC0FFEE01
  mov eax, [esp + 4]
  cmp eax, 0xC0FFEE01
  jne .bad
  mov [CELL], esp                       ; ESP as the register operand (REX.R)
  mov eax, esp
  cmp eax, [CELL]
  jne .bad
  mov eax, esi
  ret
.bad:
  xor eax, eax
  not eax
  ret

esp_index_40:
  COUNT_40 {call esp_index_one}
esp_index_one:
  push dword 0x5EED0001
  push dword 0x5EED0002
  mov ecx, 2                            ; [ESP + 2*4 - 4] = the first push
  mov eax, [esp + ecx * 4 - 4]
  add esp, 8
  cmp eax, 0x5EED0001
  mov eax, esi
  je .ok
  not eax
.ok:
  ret

stack_ops_40:
  COUNT_40 {call stack_ops_one}
stack_ops_one:                          ; EAX = ESI if every value and ESP came back right
  push ebp
  mov ebp, esp
  mov ecx, esp
  push dword 0xA1A1A1A1
  push ecx
  pop edx
  pop eax                               ; (EBX is COUNT_40's counter)
  cmp edx, ecx
  jne .bad
  cmp eax, 0xA1A1A1A1
  jne .bad
  call .callee                          ; EAX = its return address, read by the callee
.after_call:
  cmp eax, .after_call
  jne .bad
  sub esp, 12
  leave                                 ; ESP = the pushed EBP's slot + 4, EBP as it was
  lea edx, [ecx + 4]
  cmp esp, edx
  jne .bad2
  mov eax, esi
  ret
.bad:
  mov esp, ecx
  pop ebp
.bad2:
  xor eax, eax
  ret
.callee:
  mov eax, [esp]
  ret

; #PF cases: EDI counts runs where the handler saw the expected CR2, error code and EIP. The
; handler skips the faulting instruction ([skip] bytes) and counts; ESP is restored after it.
; (A ring-0 fault pushes its frame on the same stack: POP reads from a non-present page's first
; byte, so the frame goes on the page below, which is present.)
%macro PF_CASE 6   ; name, expected CR2, expected error code, length, setup, instruction
%1_40:
  mov dword [skip], %4
  COUNT_40 {call %1_one}
%1_one:
  mov dword [pf_count], 0
  mov edx, esp
  %5
%1_insn:
  %6
  mov esp, edx
  xor eax, eax
  cmp dword [pf_count], 1
  jne %1_done
  cmp dword [pf_cr2], %2
  jne %1_done
  cmp dword [pf_err], %3
  jne %1_done
  cmp dword [pf_eip], %1_insn
  jne %1_done
  mov eax, esi
%1_done:
  ret
%endmacro

PF_CASE pf_load, PAGE_NP + 0x18, 0, 6, {mov ecx, 7}, {mov ecx, [PAGE_NP + 0x18]}
PF_CASE pf_store, PAGE_NP + 0x1C, PF_W, 6, {mov ecx, 7}, {mov [PAGE_NP + 0x1C], ecx}
PF_CASE pf_rmw, PAGE_NP + 0x20, PF_W, 6, {mov ecx, 7}, {add [PAGE_NP + 0x20], ecx}
PF_CASE pf_index, PAGE_NP + 0x38, 0, 4, {mov ecx, 0xE}, {mov eax, [ebp + ecx * 4]}
PF_CASE pf_pop, PAGE_NP, 0, 1, {mov esp, PAGE_NP}, {pop ecx}

lazy_pop_40:
  COUNT_40 {call lazy_pop_one}
lazy_pop_one:                           ; EAX = ESI if right
  mov dword [pf_count], 0
  mov edx, esp
  mov dword [PAGE_NP - 8], 0x1111AAAA
  mov dword [PAGE_NP - 4], 0x2222BBBB
  mov esp, PAGE_NP - 8
  pop eax
  pop ecx
.insn:
  pop ebp                               ; PAGE_NP: not present (skipped by the handler)
  mov ebp, esp
  mov esp, edx
  cmp eax, 0x1111AAAA
  jne .bad
  cmp ecx, 0x2222BBBB
  jne .bad
  cmp ebp, PAGE_NP
  jne .bad
  cmp dword [pf_count], 1
  jne .bad
  cmp dword [pf_esp], PAGE_NP
  jne .bad
  cmp dword [pf_cr2], PAGE_NP
  jne .bad
  cmp dword [pf_eip], .insn
  jne .bad
  mov eax, esi
  ret
.bad:
  xor eax, eax
  ret

push_run_40:
  COUNT_40 {call push_run_one}
push_run_one:                           ; EAX = ESI if right
  mov edx, esp
  push dword 0x0A0A0A0A
  push esi
  push edx
  push dword 0x0B0B0B0B
  pop ecx                               ; 0x0B0B0B0B
  pop ebp                               ; the ESP from before
  pop eax                               ; ESI
  cmp ecx, 0x0B0B0B0B
  jne .bad
  cmp ebp, edx
  jne .bad
  cmp eax, esi
  jne .bad
  lea ecx, [edx - 4]
  cmp esp, ecx
  jne .bad
  pop ecx
  cmp ecx, 0x0A0A0A0A
  jne .bad
  ret                                   ; (EAX = ESI)
.bad:
  mov esp, edx
  xor eax, eax
  ret

pf_handler:
  push eax
  lea eax, [esp + 20]                   ; (EAX, error code, EIP, CS, EFLAGS)
  mov [pf_esp], eax
  PF_RECORD
  mov eax, [skip]
  add [esp + 8], eax
  pop eax
  add esp, 4
  iretd

ROM_END
