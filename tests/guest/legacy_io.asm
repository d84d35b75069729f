; legacy_io.asm — the legacy ISA devices from the guest's side, in real mode:
;  * RTC: status registers as a BIOS leaves them (A = 0x26, B = 24 h BCD, D = VRT), a valid BCD
;    time and date, the century byte, and the clock ticking (register C's UF after an update)
;  * CMOS memory bytes for -m 32: 640 KiB base, 31 MiB extended (0x17/0x18 and 0x30/0x31),
;    256 x 64 KiB above 16 MiB (0x34/0x35), and the checksum over 0x10-0x2D at 0x2E/0x2F
;  * COM1: scratch register, LSR after reset, loopback, and a line sent through THR
;    ("legacy_io: hello from COM1", which the guest.legacy_io_serial test looks for on stdout)
;  * 8042: self test, keyboard echo, A20 through the output port (0xD1/0xD0) and through port
;    0x92, each checked by the wrap of FFFF:0510 onto 0000:0500 while A20 is off
%define TEST_NAME "legacy_io"
%include "lib/guest.inc"

COM1      equ 0x3F8
KBC_DATA  equ 0x60
KBC_CMD   equ 0x64
PORT_A    equ 0x92
LOW_ADDR  equ 0x0500      ; 0000:0500
HIGH_OFF  equ 0x0510      ; FFFF:0510 = linear 0x100500


start:
  ; ---- RTC ----
  CMOS_READ 0x0A
  and al, 0x7F
  CHECK eax, 0x26, 1, "RTC register A: divider running, 1024 Hz"
  CMOS_READ 0x0B
  CHECK eax, 0x02, 2, "RTC register B: 24-hour BCD"
  CMOS_READ 0x0D
  CHECK eax, 0x80, 3, "RTC register D: VRT"
.wait_uip:
  CMOS_READ 0x0A
  test al, 0x80
  jnz .wait_uip
  CMOS_READ 0x00
  call check_bcd
  CHECK eax, 1, 4, "seconds are BCD"
  CMOS_READ 0x00
  cmp al, 0x59
  setbe al
  CHECK eax, 1, 5, "seconds <= 59"
  CMOS_READ 0x08
  call check_bcd
  CHECK eax, 1, 6, "month is BCD"
  CMOS_READ 0x09
  call check_bcd
  CHECK eax, 1, 7, "year is BCD"
  CMOS_READ 0x32
  CHECK eax, 0x20, 8, "century byte 0x32"
  CMOS_READ 0x0C                      ; clear the flags, then wait for an update to end
  mov ecx, 50000000                   ; about 5 s at the interpreter's speed
.wait_update:
  CMOS_READ 0x0C
  test al, 0x10
  jnz .updated
  dec ecx
  jnz .wait_update
  FAIL 9, "no RTC update-ended flag"
.updated:
  OK "the RTC ticks (UF in register C)"

  ; ---- CMOS memory size bytes (-m 32) ----
  CMOS_READ 0x16
  mov bh, al
  CMOS_READ 0x15
  mov bl, al
  movzx eax, bx
  CHECK eax, 640, 10, "base memory 640 KiB"
  CMOS_READ 0x18
  mov bh, al
  CMOS_READ 0x17
  mov bl, al
  movzx eax, bx
  CHECK eax, 31 * 1024, 11, "extended memory (0x17) in KiB"
  CMOS_READ 0x31
  mov bh, al
  CMOS_READ 0x30
  mov bl, al
  movzx eax, bx
  CHECK eax, 31 * 1024, 12, "extended memory (0x30) in KiB"
  CMOS_READ 0x35
  mov bh, al
  CMOS_READ 0x34
  mov bl, al
  movzx eax, bx
  CHECK eax, 256, 13, "memory above 16 MiB in 64 KiB units"
  xor edx, edx
  mov cl, 0x10
.sum:
  CMOS_READ cl
  add edx, eax
  inc cl
  cmp cl, 0x2E
  jb .sum
  CMOS_READ 0x2E
  mov bh, al
  CMOS_READ 0x2F
  mov bl, al
  movzx eax, bx
  and edx, 0xFFFF
  CHECK eax, edx, 14, "CMOS checksum over 0x10-0x2D"

  ; ---- COM1 ----
  mov dx, COM1 + 7
  mov al, 0x5A
  out dx, al
  in al, dx
  movzx eax, al
  CHECK eax, 0x5A, 20, "COM1 scratch register"
  mov dx, COM1 + 5
  in al, dx
  movzx eax, al
  CHECK eax, 0x60, 21, "COM1 LSR: THR and transmitter empty"
  mov dx, COM1 + 3
  mov al, 0x80                        ; DLAB: divisor 1 (115200 baud)
  out dx, al
  mov dx, COM1
  mov al, 1
  out dx, al
  inc dx
  mov al, 0
  out dx, al
  mov dx, COM1 + 3
  mov al, 0x03                        ; 8N1
  out dx, al
  mov dx, COM1 + 2
  mov al, 0x07                        ; FIFOs on and cleared
  out dx, al
  in al, dx
  and eax, 0xC0
  CHECK eax, 0xC0, 22, "COM1 IIR shows the FIFOs enabled"
  mov dx, COM1 + 4
  mov al, 0x10                        ; loopback
  out dx, al
  mov dx, COM1
  mov al, 0xA7
  out dx, al
  mov dx, COM1 + 5
  in al, dx
  and eax, 1
  CHECK eax, 1, 23, "COM1 loopback: data ready"
  mov dx, COM1
  in al, dx
  movzx eax, al
  CHECK eax, 0xA7, 24, "COM1 loopback: byte comes back"
  mov dx, COM1 + 4
  mov al, 0x03                        ; DTR, RTS, loopback off
  out dx, al
  mov si, R16(serial_line)
.send:
  mov al, [cs:si]
  test al, al
  jz .sent
  mov bl, al
  mov dx, COM1 + 5
.wait_thre:
  in al, dx
  test al, 0x20
  jz .wait_thre
  mov dx, COM1
  mov al, bl
  out dx, al
  inc si
  jmp .send
.sent:
  OK "line sent to COM1"

  ; ---- 8042 ----
  mov al, 0xAA
  call kbc_command
  call kbc_read
  CHECK eax, 0x55, 30, "8042 self test"
  mov al, 0xEE
  call kbc_write_data
  call kbc_read
  CHECK eax, 0xEE, 31, "keyboard echo"

  ; A20: 0000:0500 and FFFF:0510 differ while A20 is on, alias while it is off
  xor ax, ax
  mov ds, ax
  mov ax, 0xFFFF
  mov es, ax
  mov dword [LOW_ADDR], 0x11111111
  mov dword [es:HIGH_OFF], 0x22222222
  CHECK [LOW_ADDR], 0x11111111, 32, "A20 on at reset: 1 MiB does not wrap"

  mov al, 0xD1                        ; write output port: A20 off, reset line high
  call kbc_command
  mov al, 0x01
  call kbc_write_data
  CHECK [es:HIGH_OFF], 0x11111111, 33, "8042 output port A20 off: FFFF:0510 wraps to 0:0500"
  mov al, 0xD0
  call kbc_command
  call kbc_read
  and eax, 3
  CHECK eax, 1, 34, "8042 output port reads A20 off"
  mov al, 0xD1
  call kbc_command
  mov al, 0x03
  call kbc_write_data
  CHECK [es:HIGH_OFF], 0x22222222, 35, "8042 output port A20 on: no wrap"

  mov al, 0x00                        ; port 0x92: A20 off
  out PORT_A, al
  CHECK [es:HIGH_OFF], 0x11111111, 36, "port 0x92 A20 off: wraps"
  in al, PORT_A
  movzx eax, al
  CHECK eax, 0x00, 37, "port 0x92 reads A20 off"
  mov al, 0x02
  out PORT_A, al
  CHECK [es:HIGH_OFF], 0x22222222, 38, "port 0x92 A20 on: no wrap"
  in al, PORT_A
  movzx eax, al
  CHECK eax, 0x02, 39, "port 0x92 reads A20 on"
  PASS

; EAX (a byte) -> EAX = 1 if both nibbles are decimal digits, else 0
check_bcd:
  mov ah, al
  and ah, 0x0F
  cmp ah, 9
  ja .bad
  shr al, 4
  cmp al, 9
  ja .bad
  mov eax, 1
  ret
.bad:
  xor eax, eax
  ret

kbc_wait_input_empty:
  in al, KBC_CMD
  test al, 0x02
  jnz kbc_wait_input_empty
  ret

; AL: a controller command
kbc_command:
  push ax
  call kbc_wait_input_empty
  pop ax
  out KBC_CMD, al
  ret

; AL: a byte for the data port
kbc_write_data:
  push ax
  call kbc_wait_input_empty
  pop ax
  out KBC_DATA, al
  ret

; EAX = the next output buffer byte (fails the test if none comes)
kbc_read:
  mov ecx, 100000
.wait:
  in al, KBC_CMD
  test al, 0x01
  jnz .full
  dec ecx
  jnz .wait
  FAIL 40, "8042: no output byte"
.full:
  in al, KBC_DATA
  movzx eax, al
  ret

serial_line: db "legacy_io: hello from COM1", 10, 0

ROM_END
