; native.asm — the MIPS benchmark's workload (workload.inc) as a 32-bit Linux program, for the
; host's own speed as an upper bound. Prints "checksum XXXXXXXX" like the ROM image.
; Build: nasm -f elf32 -I bench/mips/ -o native.o native.asm && ld -m elf_i386 -o native native.o
bits 32
global _start

section .bss
alignb 4096
sieve_buf: resb 65536
crc_table: resd 256
line:      resb 18

section .text
_start:
  mov edi, sieve_buf
  mov ebp, crc_table
  call bench_workload
  mov edx, eax                    ; "checksum " + 8 hex digits + newline
  mov dword [line], 'chec'
  mov dword [line + 4], 'ksum'
  mov byte [line + 8], ' '
  mov ecx, 8
  mov edi, line + 9
.digit:
  rol edx, 4
  mov al, dl
  and al, 0x0F
  add al, '0'
  cmp al, '9'
  jbe .store
  add al, 'A' - '9' - 1
.store:
  mov [edi], al
  inc edi
  dec ecx
  jnz .digit
  mov byte [edi], 10
  mov eax, 4                      ; write(1, line, 18)
  mov ebx, 1
  mov ecx, line
  mov edx, 18
  int 0x80
  mov eax, 1                      ; exit(0)
  xor ebx, ebx
  int 0x80

%include "workload.inc"
