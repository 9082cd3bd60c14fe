"""Group "buffers": SharedMemory.buf as an exported buffer. In CPython,
`buf` is a memoryview of an mmap: closing the block while a slice of it is
alive raises BufferError (the mmap refuses to close with exports), and the
slice keeps working until released. An implementation without buffer
export (a C library hands out a pointer) answers `err Unsupported` to
`shm_view` and these cases are skipped for it."""
from .core import add


def close_with_live_view(ctx):
    ctx.impl.shm_create("s", 16)
    ctx.impl.raw("shm_write s 0 0a0b0c0d")
    ctx.impl.ok("shm_view s v 1 2")
    ctx.impl.raw("view_read v")
    ctx.impl.raw("shm_close s")
    ctx.impl.raw("view_read v")
    ctx.impl.raw("shm_write s 1 ff")
    ctx.impl.raw("view_read v")
    ctx.impl.raw("view_release v")
    ctx.impl.raw("shm_close s")
    ctx.impl.raw("shm_unlink s")


def view_after_release(ctx):
    ctx.impl.shm_create("s", 8)
    ctx.impl.ok("shm_view s v 0 8")
    ctx.impl.raw("view_release v")
    ctx.impl.raw("view_read v")
    ctx.impl.raw("shm_close s")
    ctx.impl.raw("shm_unlink s")


def view_after_close(ctx):
    ctx.impl.shm_create("s", 8)
    ctx.impl.raw("shm_close s")
    ctx.impl.raw("shm_view s v 0 8")
    ctx.impl.raw("shm_unlink s")


def list_close_with_live_view(ctx):
    """The same through ShareableList.shm."""
    ctx.impl.create("l", [1, "ab"], ctx.gen)
    ctx.impl.ok("list_view l v 0 8")
    ctx.impl.raw("list_close l")
    ctx.impl.raw("list_get l 0")
    ctx.impl.raw("view_release v")
    ctx.impl.raw("list_close l")
    ctx.impl.raw("list_unlink l")


def register():
    add("buffers", "close-with-live-view", close_with_live_view)
    add("buffers", "view-after-release", view_after_release)
    add("buffers", "view-after-close", view_after_close)
    add("buffers", "list-close-with-live-view", list_close_with_live_view)
