"""Reads the text of a console picture back from its pixels: the screen is a grid of character
cells (VGA text mode 3 as bt86 draws it: 80x25 cells of 9x16 pixels; Linux's framebuffer console:
8x16 cells, e.g. 128x48 at 1024x768). Each cell's foreground pixels (those not of the cell's most
common colour) are matched against the glyphs of an 8x16 font: the VGA BIOS's own font (what a
text mode shows) or the Linux kernel's built-in VGA8x16 font (what fbcon draws), both found in
their binaries by the same shape rule bt86 uses (NUL and space empty, full block DBh solid, 'A'
drawn, the printable glyphs all different). A cell that matches no glyph in full is matched again
without the cursor rows (13-15). Unknown patterns read as '?'."""
import lzma
import struct
import zlib
from collections import Counter

GLYPH_ROWS = 16
FONT_BYTES = 256 * GLYPH_ROWS
MATCH_ROWS = 13  # rows 0-12: above an underline cursor
CELL_H = 16
TEXT_CELL_W = 9   # VGA text mode 3 (9-dot characters)
FBCON_CELL_W = 8  # Linux fbcon with an 8x16 font


def _looks_like_pc_font(font):
    glyph = lambda c: font[c * GLYPH_ROWS:(c + 1) * GLYPH_ROWS]
    if any(glyph(0)) or any(glyph(32)) or glyph(0xDB) != b"\xff" * GLYPH_ROWS:
        return False
    if sum(1 for b in glyph(ord("A")) if b) < GLYPH_ROWS // 2:
        return False
    return len({glyph(c) for c in range(33, 127)}) == 94


def find_font(blob, what):
    """The glyph tables (full glyph -> char, glyph rows above the cursor -> char) of the first PC
    8x16 font in `blob`. Candidates are found by the full block's 16 bytes of 0xFF."""
    at = blob.find(b"\xff" * GLYPH_ROWS)
    while at >= 0:
        start = at - 0xDB * GLYPH_ROWS
        if start >= 0 and _looks_like_pc_font(blob[start:start + FONT_BYTES]):
            font = blob[start:start + FONT_BYTES]
            full, above_cursor = {}, {}
            for c in range(32, 127):  # printable ASCII; the first glyph of a shape wins
                glyph = font[c * GLYPH_ROWS:(c + 1) * GLYPH_ROWS]
                full.setdefault(bytes(glyph), chr(c))
                above_cursor.setdefault(bytes(glyph[:MATCH_ROWS]), chr(c))
            return full, above_cursor
        at = blob.find(b"\xff" * GLYPH_ROWS, at + 1)
    raise RuntimeError(f"{what}: no 8x16 font found")


def load_font(vga_bios="/usr/share/seabios/vgabios-stdvga.bin"):
    """The VGA BIOS's font: what VGA text modes show."""
    return find_font(open(vga_bios, "rb").read(), vga_bios)


def load_kernel_font(bzimage):
    """The font built into a Linux bzImage (its VGA8x16 console font), from the decompressed
    kernel: the setup header's payload_offset/payload_length (boot protocol 2.08+) locate the
    compressed vmlinux (xz or gzip)."""
    data = open(bzimage, "rb").read()
    setup_sects = data[0x1F1] or 4
    offset, length = struct.unpack_from("<II", data, 0x248)
    payload = data[(setup_sects + 1) * 512 + offset:][:length]
    if payload.startswith(b"\xfd7zXZ\x00"):
        vmlinux = lzma.LZMADecompressor().decompress(payload)
    elif payload.startswith(b"\x1f\x8b"):
        vmlinux = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
    else:
        raise RuntimeError(f"{bzimage}: kernel payload is neither xz nor gzip")
    return find_font(vmlinux, bzimage)


def cell_char(image, x0, y0, font, cell_w=TEXT_CELL_W):
    full, above_cursor = font
    colours = Counter(image.pixel(x0 + x, y0 + y) for y in range(MATCH_ROWS) for x in range(8))
    background = colours.most_common(1)[0][0]
    rows = bytes(sum(0x80 >> x for x in range(8) if image.pixel(x0 + x, y0 + y) != background)
                 for y in range(GLYPH_ROWS))
    return full.get(rows) or above_cursor.get(rows[:MATCH_ROWS], "?")


def read_text(image, font, cols=80, rows=25, cell_w=TEXT_CELL_W):
    """The screen's lines (trailing spaces removed) from an image of cols*cell_w x rows*16 pixels."""
    lines = []
    for r in range(rows):
        line = "".join(cell_char(image, c * cell_w, r * CELL_H, font, cell_w) for c in range(cols))
        lines.append(line.rstrip())
    return lines
