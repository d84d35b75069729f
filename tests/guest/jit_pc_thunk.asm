; jit_pc_thunk.asm — a direct CALL to a PC thunk (`mov r32, [esp]; ret`, what i386
; position-independent code calls at function entries), which the translator runs inline
; (docs/translator.md). A loop calls THUNK_LIN 40 times (so the calling block is translated with
; the thunk inlined) and checks each time: the registers the code there should have set, ESP
; back where it was, and the return address left below ESP as the CALL pushed it.
;  1. THUNK_LIN maps frame A (mov ebx, [esp]; ret): EBX = the return address
;  2. frame A's ModRM byte rewritten (mov ecx, [esp]): ECX gets it, EBX stays (a store into the
;     thunk's bytes must drop the inlined copy); and written back: EBX again
;  3. the PTE changed to frame C (mov ebx, 0x1234; ret — no thunk), INVLPG: EBX = 0x1234 (the
;     inlined copy must check where the thunk's page maps now)
;  4. back to frame A with a CR3 reload: EBX = the return address
;  5. frame B (mov ecx, [esp]; ret), INVLPG: ECX = the return address
%define TEST_NAME "jit_pc_thunk"
%include "lib/guest.inc"

THUNK_LIN equ DATA_BASE + 0x10000
FRAME_A   equ DATA_BASE + 0x20000
FRAME_B   equ DATA_BASE + 0x21000
FRAME_C   equ DATA_BASE + 0x22000
THUNK_OFF equ 0x7F0                     ; where the code sits in its page

EBX_GETS  equ 1                         ; what call_40 expects (ESI)
ECX_GETS  equ 2
EBX_1234  equ 3

; CALL_40 kind, code, "what": 40 calls of the code at THUNK_LIN, every one as `kind` says
%macro CALL_40 3+
  mov esi, %1
  call call_40
  CHECK edi, 40, %2, %3
%endmacro

start:
  ENTER_PM32
  ENABLE_PAGING
  mov dword [FRAME_A + THUNK_OFF], 0xC3241C8B      ; 8B 1C 24 C3: mov ebx, [esp]; ret
  mov dword [FRAME_B + THUNK_OFF], 0xC3240C8B      ; 8B 0C 24 C3: mov ecx, [esp]; ret
  mov dword [FRAME_C + THUNK_OFF], 0x001234BB      ; BB 34 12 00 00: mov ebx, 0x1234
  mov dword [FRAME_C + THUNK_OFF + 4], 0x0000C300  ; C3: ret

  mov dword [PTE(THUNK_LIN)], FRAME_A | PG_ALL
  invlpg [THUNK_LIN]
  CALL_40 EBX_GETS, 10, "frame A: mov ebx, [esp]; ret"

  mov byte [FRAME_A + THUNK_OFF + 1], 0x0C         ; -> mov ecx, [esp]
  CALL_40 ECX_GETS, 11, "frame A's ModRM rewritten: mov ecx, [esp]"
  mov byte [FRAME_A + THUNK_OFF + 1], 0x1C
  CALL_40 EBX_GETS, 12, "and written back"

  mov dword [PTE(THUNK_LIN)], FRAME_C | PG_ALL
  invlpg [THUNK_LIN]
  CALL_40 EBX_1234, 13, "PTE -> frame C (no thunk), INVLPG"

  mov dword [PTE(THUNK_LIN)], FRAME_A | PG_ALL
  mov eax, cr3
  mov cr3, eax
  CALL_40 EBX_GETS, 14, "PTE -> frame A, CR3 reload"

  mov dword [PTE(THUNK_LIN)], FRAME_B | PG_ALL
  invlpg [THUNK_LIN]
  CALL_40 ECX_GETS, 15, "PTE -> frame B (mov ecx, [esp]), INVLPG"
  PASS

; EDI = how many of 40 calls behaved as ESI says
call_40:
  xor edi, edi
  mov ebp, 40
.loop:
  mov ebx, 0x11111111
  mov ecx, 0x22222222
  mov edx, esp
  call THUNK_LIN + THUNK_OFF
.ret:
  cmp esp, edx
  jne .next
  cmp dword [esp - 4], .ret
  jne .next
  cmp esi, EBX_GETS
  jne .not1
  cmp ebx, .ret
  jne .next
  cmp ecx, 0x22222222
  je .good
  jmp .next
.not1:
  cmp esi, ECX_GETS
  jne .not2
  cmp ecx, .ret
  jne .next
  cmp ebx, 0x11111111
  je .good
  jmp .next
.not2:
  cmp ebx, 0x1234
  jne .next
.good:
  inc edi
.next:
  dec ebp
  jnz .loop
  ret

ROM_END
