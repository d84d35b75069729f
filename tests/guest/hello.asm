; hello.asm — the smallest guest program, the set-up check (scripts/setup.sh, README):
;   bt86 -bios hello.bin -nographic
; prints "Hello from bt86" on the debug console (port 0xE9) from real mode and ends the run
; with exit code 0 through the exit port (0xF4). It is deliberately self-contained (no lib/
; include), so it assembles with a bare `nasm -f bin hello.asm` from any directory.
;
; bt86 maps the 64 KiB image so that it ends at 4 GiB and at 1 MiB; the CPU starts at the reset
; vector (offset 0xFFF0) in real mode, and the far jump there moves execution to F000:start.
bits 16
org 0

start:
  cli
  mov ax, cs
  mov ds, ax
  mov si, message
  mov dx, 0xE9
.next_char:
  lodsb
  test al, al
  jz .exit
  out dx, al
  jmp .next_char
.exit:
  xor al, al
  out 0xF4, al
.hang:
  jmp .hang                     ; not reached: the exit port ends the run

message:
  db "Hello from bt86", 10, 0

  times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:
  jmp 0xF000:start
  times 0x10000 - ($ - $$) db 0xFF
