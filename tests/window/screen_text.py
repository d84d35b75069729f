"""Reads the text of a VGA text-mode picture (80x25 cells of 9x16 pixels, as bt86 draws mode 3)
back from its pixels: each cell's foreground pixels (those not of the cell's most common colour)
are matched against the glyphs of the VGA BIOS's own 8x16 font, found in its image by the same
shape rule bt86 uses (NUL and space empty, full block DBh solid). A cell that matches no glyph
in full is matched again without the cursor rows (13-15). Unknown patterns read as '?'."""
from collections import Counter

GLYPH_ROWS = 16
MATCH_ROWS = 13  # rows 0-12: above the underline cursor (CR0A/CR0B = 0Dh-0Eh)
CELL_W, CELL_H = 9, 16


def load_font(vga_bios="/usr/share/seabios/vgabios-stdvga.bin"):
    rom = open(vga_bios, "rb").read()
    for at in range(len(rom) - 4096):
        font = rom[at:at + 4096]
        glyph = lambda c: font[c * GLYPH_ROWS:(c + 1) * GLYPH_ROWS]
        if any(glyph(0)) or any(glyph(32)) or glyph(0xDB) != b"\xff" * GLYPH_ROWS:
            continue
        if sum(1 for b in glyph(ord("A")) if b) < GLYPH_ROWS // 2:
            continue
        full, above_cursor = {}, {}
        for c in range(32, 127):  # printable ASCII; the first glyph of a shape wins
            full.setdefault(bytes(glyph(c)), chr(c))
            above_cursor.setdefault(bytes(glyph(c)[:MATCH_ROWS]), chr(c))
        return full, above_cursor
    raise RuntimeError(f"{vga_bios}: no 8x16 font found")


def cell_char(image, x0, y0, font):
    full, above_cursor = font
    colours = Counter(image.pixel(x0 + x, y0 + y) for y in range(MATCH_ROWS) for x in range(8))
    background = colours.most_common(1)[0][0]
    rows = bytes(sum(0x80 >> x for x in range(8) if image.pixel(x0 + x, y0 + y) != background)
                 for y in range(GLYPH_ROWS))
    return full.get(rows) or above_cursor.get(rows[:MATCH_ROWS], "?")


def read_text(image, font, cols=80, rows=25):
    """The screen's lines (trailing spaces removed) from an image of cols*9 x rows*16 pixels."""
    lines = []
    for r in range(rows):
        line = "".join(cell_char(image, c * CELL_W, r * CELL_H, font) for c in range(cols))
        lines.append(line.rstrip())
    return lines
