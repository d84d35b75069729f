"""Drives a Linux guest's serial console: starts bt86 with its COM1 on pipes, waits for output,
types shell commands at the guest's prompt and returns what each printed and its exit status.

Every wait is bounded by one overall deadline (the test's time limit); running past it raises
ConsoleError, and the caller kills bt86 and prints the log. Output is collected by two reader
threads (stdout = the serial console, stderr = bt86's own messages), so bt86 never blocks on a
full pipe.

The console answers a cursor position query (ESC [ 6 n, "device status report 6") the way a
terminal does, with ESC [ row ; column R. busybox ash's line editor sends one after each prompt;
unanswered, the shell sleeps 20 ms after every typed line (waiting for a late answer) before it
runs the line. The column is the real one (characters since the console's last line break); the
row is 24, as this console has no screen.

A command is typed as `echo BT86""-BEGIN-n; CMD; echo BT86""-END-n-$?`: the terminal echoes the
line with the quotes, so only the shell's own output contains the markers BT86-BEGIN-n and
BT86-END-n-STATUS, which delimit the command's output and give its exit status.
"""
import re
import subprocess
import threading
import time

PROMPT = "bt86:/# "
ANY_PROMPT = re.compile(r"bt86:[^\n]*# ")  # PS1='bt86:\w# ' in any directory
CURSOR_QUERY = b"\x1b[6n"
QUERY_GRACE = 0.1  # seconds wait_prompt waits for the query after a prompt


class ConsoleError(Exception):
    """The guest did not answer as expected in time (or bt86 ended first)."""


class GuestConsole:
    def __init__(self, command, deadline):
        self.command = command
        self.deadline = deadline  # time.monotonic() value after which every wait fails
        self.start = time.monotonic()
        self._out = bytearray()
        self._err = bytearray()
        self._changed = threading.Condition()
        self._seq = 0
        self._pos = 0  # console text before this index has been consumed
        self._stdin_lock = threading.Lock()  # type() and the cursor position answers
        self._query_scan = 0  # console bytes before this index are searched for ESC [ 6 n
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._readers = [threading.Thread(target=self._pump, args=(s, b), daemon=True)
                         for s, b in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))]
        for r in self._readers:
            r.start()

    def _pump(self, stream, buf):
        while True:
            chunk = stream.read1(65536)
            answers = []
            with self._changed:
                if chunk:
                    buf += chunk
                    if buf is self._out:
                        answers = self._cursor_answers()
                if answers:
                    # Held until the answers are written, so nothing typed after the query was
                    # seen can overtake them.
                    self._stdin_lock.acquire()
                self._changed.notify_all()
            if answers:
                try:
                    for answer in answers:
                        self.proc.stdin.write(answer)
                    self.proc.stdin.flush()
                except (BrokenPipeError, ValueError):
                    pass  # bt86 has ended; the waits report that
                finally:
                    self._stdin_lock.release()
            if not chunk:
                return

    def _cursor_answers(self):
        """The replies to each new ESC [ 6 n in the console output (called with _changed held)."""
        answers = []
        while True:
            at = self._out.find(CURSOR_QUERY, self._query_scan)
            if at < 0:
                # A query split across chunks is found when its last bytes arrive.
                self._query_scan = max(self._query_scan, len(self._out) - len(CURSOR_QUERY) + 1)
                return answers
            self._query_scan = at + len(CURSOR_QUERY)
            line_start = max(self._out.rfind(b"\n", 0, at), self._out.rfind(b"\r", 0, at)) + 1
            column = len(self._out[line_start:at].replace(b"\x1b[6n", b"")) + 1
            answers.append(b"\x1b[24;%dR" % column)

    @property
    def log(self):
        """Everything the guest wrote to the console so far, with \\r\\n as \\n."""
        with self._changed:
            raw = bytes(self._out)
        return raw.decode("latin-1").replace("\r\n", "\n").replace("\r", "")

    @property
    def stderr(self):
        with self._changed:
            return bytes(self._err).decode("latin-1")

    def elapsed(self):
        return time.monotonic() - self.start

    def wait_for(self, pattern, what, limit=None):
        """Waits until regex pattern matches the console text after the consumed part; returns
        the match (positions relative to self.log) and consumes up to its end."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        end = self.deadline if limit is None else min(self.deadline, time.monotonic() + limit)
        while True:
            text = self.log
            m = regex.search(text, self._pos)
            if m:
                self._pos = m.end()
                return m
            if self.proc.poll() is not None and not any(r.is_alive() for r in self._readers):
                raise ConsoleError(f"bt86 exited with code {self.proc.returncode} while waiting for {what}")
            left = end - time.monotonic()
            if left <= 0:
                raise ConsoleError(f"no {what} after {self.elapsed():.1f} s")
            with self._changed:
                self._changed.wait(min(left, 0.2))

    def wait_prompt(self, limit=None):
        self.wait_for(ANY_PROMPT, "shell prompt", limit)
        # ash writes its cursor query just after the prompt; typing before it arrives would put
        # the answer behind the typed line. A prompt without a query (no line editing) costs
        # QUERY_GRACE seconds here.
        end = min(self.deadline, time.monotonic() + QUERY_GRACE)
        query = CURSOR_QUERY.decode()
        while True:
            text = self.log
            if text.startswith(query, self._pos):
                self._pos += len(query)  # answered by the reader (type() waits for that)
                return
            left = end - time.monotonic()
            if len(text) - self._pos >= len(query) or left <= 0 or self.proc.poll() is not None:
                return
            with self._changed:
                self._changed.wait(left)

    def type(self, text):
        with self._stdin_lock:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()

    def run(self, cmd, limit=60):
        """Types cmd at the prompt; returns (exit status, output) once the shell is back."""
        n = self._seq
        self._seq += 1
        self.type(f'echo BT86""-BEGIN-{n}; {cmd}; echo BT86""-END-{n}-$?\n')
        begin = self.wait_for(rf"BT86-BEGIN-{n}\n", f"start of command {cmd!r}", limit)
        end = self.wait_for(rf"BT86-END-{n}-(\d+)\n", f"end of command {cmd!r}", limit)
        output = self.log[begin.end():end.start()]
        self.wait_prompt(limit)
        return int(end.group(1)), output

    def check_output(self, cmd, limit=60):
        """run(), requiring exit status 0."""
        status, output = self.run(cmd, limit)
        if status != 0:
            raise ConsoleError(f"guest command {cmd!r} failed with status {status}:\n{output}")
        return output

    def wait_exit(self, limit):
        """Waits for bt86 to end (within limit seconds and the deadline); returns its exit code."""
        left = min(limit, self.deadline - time.monotonic())
        try:
            code = self.proc.wait(timeout=max(left, 0.01))
        except subprocess.TimeoutExpired:
            raise ConsoleError(f"bt86 still running {limit:.0f} s after the guest was told to stop")
        for r in self._readers:
            r.join(5)
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for r in self._readers:
            r.join(5)
