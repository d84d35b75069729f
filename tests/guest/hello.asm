; The smallest bt86 guest program, run by scripts/setup.sh: a 64 KiB ROM image (bt86 -bios
; hello.bin) that prints a greeting on the debug console (port 0xE9) and ends the run with exit
; code 0 through the exit port (0xF4).
;
; bt86 maps the image so that it ends at 4 GiB and at 1 MiB; the CPU starts at the reset vector
; (offset 0xFFF0) in real mode, and the far jump there moves execution to F000:start.
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
    hlt                         ; not reached: the exit port ends the run

message:
    db "Hello from bt86", 10, 0

    times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0xFF
