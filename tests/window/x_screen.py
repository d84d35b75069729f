"""What an X server really shows, for the window tests: the root window grabbed with `xwd`
(x11-apps) and decoded (TrueColor, 24/32 bits per pixel), window geometry and titles through
`xdotool`, closing a window as a window manager's close button does (WM_DELETE_WINDOW, sent
through libX11 with ctypes), and a PNG writer (zlib only) to keep the picture."""
import ctypes
import ctypes.util
import struct
import subprocess
import zlib


class XImage:
    """An RGB picture: pixel(x, y) -> 0xRRGGBB."""

    def __init__(self, width, height, rows):
        self.width, self.height, self.rows = width, height, rows  # rows: list of lists of ints

    def pixel(self, x, y):
        return self.rows[y][x]

    def crop(self, x, y, w, h):
        return XImage(w, h, [row[x:x + w] for row in self.rows[y:y + h]])

    def write_png(self, path):
        raw = b"".join(b"\0" + b"".join(struct.pack(">I", p)[1:] for p in row) for row in self.rows)

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) +
                    chunk(b"IEND", b""))


def grab_root(display, region=None):
    """The screen of X display `display` (":N") as an XImage; region (x, y, w, h): that part."""
    data = subprocess.run(["xwd", "-root", "-silent", "-display", display], check=True,
                          capture_output=True).stdout
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bpp, bytes_per_line, ncolors = fields[7], fields[11], fields[12], fields[19]
    red_mask, green_mask, blue_mask = fields[14], fields[15], fields[16]
    if bpp not in (24, 32):
        raise RuntimeError(f"xwd: {bpp} bits per pixel is not supported")
    start = header_size + ncolors * 12
    endian = "<" if byte_order == 0 else ">"
    step = bpp // 8

    def channel(value, mask):
        shift = (mask & -mask).bit_length() - 1
        return (value & mask) >> shift

    x0, y0, width, height = region or (0, 0, width, height)
    rows = []
    for y in range(y0, y0 + height):
        first = start + y * bytes_per_line + x0 * step
        line = data[first:first + width * step]
        if step == 4:
            values = struct.unpack(f"{endian}{width}I", line)
        else:
            values = [int.from_bytes(line[i:i + 3], "little" if endian == "<" else "big")
                      for i in range(0, len(line), 3)]
        rows.append([channel(v, red_mask) << 16 | channel(v, green_mask) << 8 | channel(v, blue_mask)
                     for v in values])
    return XImage(width, height, rows)


def xdotool(display, *args):
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True,
                          env={"DISPLAY": display, "PATH": "/usr/bin:/bin"}).stdout.strip()


def find_window(display, name="bt86"):
    """The id of the first window whose title contains `name`, or None."""
    result = subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True,
                            env={"DISPLAY": display, "PATH": "/usr/bin:/bin"})
    ids = result.stdout.split()
    return ids[0] if ids else None


def window_geometry(display, window):
    """(x, y, width, height) of the window's contents on the screen."""
    out = xdotool(display, "getwindowgeometry", "--shell", window)
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def window_title(display, window):
    return xdotool(display, "getwindowname", window)


class _XClientMessageEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("data", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def close_window(display, window):
    """Asks the window's client to close it, as a window manager's close button does: a
    WM_PROTOCOLS client message carrying WM_DELETE_WINDOW."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.POINTER(_XEvent)]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"cannot open X display {display}")
    client_message = 33
    event = _XEvent()
    event.xclient.type = client_message
    event.xclient.window = int(window)
    event.xclient.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent(dpy, int(window), 0, 0, ctypes.byref(event))
    x11.XCloseDisplay(dpy)  # flushes the request
