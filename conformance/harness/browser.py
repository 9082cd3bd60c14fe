"""A headless Chromium (or Chrome) for the results pages: a screenshot of a
page, and the DOM it builds from it (whose links harness/links.py checks),
in one start of the browser.

The browser is the command given (`--browser`, make's MATRIX_BROWSER), else
the first of chromium, chromium-browser, google-chrome on PATH. Each call
gets a profile of its own, and nothing that talks to the network."""
import os
import shlex
import shutil
import subprocess
import struct
import tempfile
import zlib

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]
TIMEOUT = 120


class BrowserError(Exception):
    pass


def find(command=None):
    """The browser's argv."""
    if command:
        argv = shlex.split(command)
        if not argv or not shutil.which(argv[0]):
            raise BrowserError("browser %r not found (MATRIX_BROWSER / --browser names the command)"
                               % command)
        return argv
    for n in NAMES:
        if shutil.which(n):
            return [n]
    raise BrowserError("no browser found (%s): make conformance-matrix installs chromium, or "
                       "give one with MATRIX_BROWSER=COMMAND" % ", ".join(NAMES))


def _run(argv, args):
    with tempfile.TemporaryDirectory(prefix="pyshm-browser-") as profile:
        cmd = argv + FLAGS + ["--user-data-dir=" + profile] + args
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BrowserError("%s did not finish within %d s" % (" ".join(cmd), TIMEOUT))
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        raise BrowserError("%s exited %d: %s" % (argv[0], p.returncode, err[-1] if err else ""))
    return p.stdout


def url(path):
    return "file://" + os.path.abspath(path)


def render(argv, page, png, size=(1280, 1000), fragment=None):
    """Opens the page: a PNG of its first screen, and its DOM as the browser
    built it (serialised). With a fragment, the page is scrolled to that
    element inside a frame (a top-level page scrolled to a fragment comes
    out blank in headless screenshots), which is what sticky headers are
    for; the DOM is then the frame's page's."""
    png = os.path.abspath(png)
    if os.path.exists(png):
        os.unlink(png)
    with tempfile.TemporaryDirectory(prefix="pyshm-frame-") as d:
        target = url(page)
        if fragment:
            frame = os.path.join(d, "frame.html")
            with open(frame, "w", encoding="utf-8") as f:
                f.write('<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;'
                        'height:100%%}iframe{border:0;width:100%%;height:100%%}</style></head><body>'
                        '<iframe src="%s#%s"></iframe></body></html>' % (target, fragment))
            target = url(frame)
        out = _run(argv, ["--window-size=%d,%d" % size, "--screenshot=" + png, "--dump-dom", target])
    if not os.path.exists(png):
        raise BrowserError("%s made no screenshot of %s" % (argv[0], page))
    if blank(png):
        raise BrowserError("%s made a blank screenshot of %s (%s)" % (argv[0], page, png))
    text = out.decode("utf-8", errors="replace")
    if "<body" not in text:
        raise BrowserError("%s gave no DOM for %s" % (argv[0], page))
    return text


def blank(png):
    """True when a PNG holds (next to) one colour: its pixel bytes take a
    handful of values, where text drawn antialiased takes dozens."""
    with open(png, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return True
    idat, pos = b"", 8
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    try:
        pixels = zlib.decompress(idat)
    except zlib.error:
        return True
    return len(set(pixels)) < 16
