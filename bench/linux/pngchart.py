"""A grouped bar chart on a log scale, written as a PNG with nothing but zlib and struct.

bar_chart(path, title, groups, series, values) draws one group of bars per entry of groups (the
x labels), one bar per series (name, (r, g, b)) in each group; values[g][s] is a positive number
or None (no bar). The y axis is logarithmic with a line and a label ("10X") at every power of ten.
Text uses a built-in 5x7 upper-case bitmap font (lower case is drawn as upper case).
"""
import math
import struct
import zlib

# 5x7 glyphs: seven rows of five pixels, the most significant of the 5 bits on the left.
FONT = {
    "A": "0E11111F111111", "B": "1E11111E11111E", "C": "0E11101010110E", "D": "1E11111111111E",
    "E": "1F10101E10101F", "F": "1F10101E101010", "G": "0E11101711110F", "H": "1111111F111111",
    "I": "0E04040404040E", "J": "0702020202120C", "K": "11121418141211", "L": "1010101010101F",
    "M": "111B1515111111", "N": "11111915131111", "O": "0E11111111110E", "P": "1E11111E101010",
    "Q": "0E11111115120D", "R": "1E11111E141211", "S": "0F10100E01011E", "T": "1F040404040404",
    "U": "1111111111110E", "V": "11111111110A04", "W": "1111111515150A",
    "X": "11110A040A1111", "Y": "1111110A040404", "Z": "1F01020408101F",
    "0": "0E11131519110E", "1": "040C040404040E", "2": "0E11010204081F", "3": "1F02040201110E",
    "4": "02060A121F0202", "5": "1F101E0101110E", "6": "0608101E11110E", "7": "1F010204080808",
    "8": "0E11110E11110E", "9": "0E11110F01020C", " ": "00000000000000", "-": "0000001F000000",
    ".": "00000000000C0C", ",": "00000000000C04", ":": "000C0C000C0C00", "/": "00010204081000",
    "(": "02040808080402", ")": "08040202020408", "=": "00001F001F0000", "+": "0004041F040400",
    "_": "0000000000001F", "%": "18190204081303",
}


class Canvas:
    def __init__(self, width, height, background=(255, 255, 255)):
        self.w, self.h = width, height
        self.px = bytearray(bytes(background) * (width * height))

    def rect(self, x0, y0, x1, y1, rgb):
        """Fills [x0, x1) x [y0, y1), clipped to the canvas."""
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        row = bytes(rgb) * max(0, x1 - x0)
        for y in range(max(0, int(y0)), min(self.h, int(y1))):
            i = (y * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def text(self, x, y, s, rgb=(0, 0, 0), scale=1):
        """Draws s with its top left corner at (x, y); returns the x after the last glyph."""
        for ch in s.upper():
            rows = FONT.get(ch, FONT[" "])
            for r in range(7):
                bits = int(rows[2 * r:2 * r + 2], 16)
                for c in range(5):
                    if bits & (0x10 >> c):
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale,
                                  y + (r + 1) * scale, rgb)
            x += 6 * scale
        return x

    def save(self, path):
        raw = b"".join(b"\0" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def text_width(s, scale=1):
    return 6 * scale * len(s)


def bar_chart(path, title, groups, series, values, y_label="", ymin=0.5):
    bar_w, gap = 34, 30
    group_w = bar_w * len(series) + gap
    left, right, top, bottom = 80, 20, 70, 60
    plot_h = 360
    width = max(left + group_w * len(groups) + right, left + text_width(title, 2) + right)
    height = top + plot_h + bottom
    c = Canvas(width, height)
    finite = [v for row in values for v in row if v]
    ymax = 10 ** math.ceil(math.log10(max(finite + [10])))
    span = math.log10(ymax) - math.log10(ymin)

    def y_of(v):
        return top + plot_h - (math.log10(v) - math.log10(ymin)) / span * plot_h

    c.text(left, 12, title, scale=2)
    x = left
    for name, rgb in series:  # legend
        c.rect(x, 40, x + 14, 54, rgb)
        x = c.text(x + 20, 41, name, scale=2) + 24
    decade = 1
    while decade > ymin:
        decade /= 10
    while decade <= ymax:
        if decade >= ymin:
            y = int(y_of(decade))
            c.rect(left, y, width - right, y + 1, (210, 210, 210))
            label = ("%g" % decade) + "X"
            c.text(left - 8 - text_width(label, 2), y - 7, label, scale=2)
        decade *= 10
    if y_label:
        c.text(4, top - 16, y_label)
    c.rect(left - 1, top, left, top + plot_h + 1, (0, 0, 0))
    c.rect(left - 1, top + plot_h, width - right, top + plot_h + 1, (0, 0, 0))
    for g, name in enumerate(groups):
        x0 = left + gap // 2 + g * group_w
        for s, (_, rgb) in enumerate(series):
            v = values[g][s]
            if not v:
                continue
            y = y_of(v)
            c.rect(x0 + s * bar_w + 1, y, x0 + (s + 1) * bar_w - 1, top + plot_h, rgb)
            label = "%.0f" % v if v >= 9.95 else "%.1f" % v
            c.text(x0 + s * bar_w + (bar_w - text_width(label)) // 2 + 1, y - 10, label)
        c.text(x0 + (group_w - gap - text_width(name, 2)) // 2, top + plot_h + 12, name, scale=2)
    c.save(path)
