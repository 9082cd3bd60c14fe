/*
 * pyshm.h - Python's multiprocessing.shared_memory, in C.
 *
 * libpyshm creates, attaches, reads, writes, closes and unlinks the shared
 * memory blocks (SharedMemory) and lists (ShareableList) of CPython's
 * multiprocessing.shared_memory module, byte for byte and error for error,
 * so that C code and Python processes can share them.
 *
 * Conventions
 * - Functions that can fail return 0 on success or a negative PYSHM_E* code.
 *   pyshm_strerror(), pyshm_err_name() and pyshm_err_pyexc() describe a code;
 *   the last is the Python exception CPython raises in the same situation.
 * - Handles are opaque. A handle is not safe to use from two threads at once;
 *   distinct handles, even on the same block, are independent.
 * - The library keeps no pointer to memory the caller passes in.
 * - Functions that return a new handle through an out parameter set it to
 *   NULL when they fail, so freeing it afterwards is always safe.
 * - NULL: a function that returns an error code returns PYSHM_EINVAL for a
 *   NULL handle or a NULL pointer it must read or fill (except where a
 *   more specific code is listed, such as ENONAME for a NULL name). The
 *   getters that cannot fail return a documented value for a NULL handle
 *   instead (NULL, 0, true, "" or PYSHM_LAYOUT_AUTO); the *_free functions
 *   accept NULL; pyshm_value_eq() of a NULL is false.
 * - Everything read from shared memory is untrusted: another process may have
 *   written anything and may keep writing while we read. Each shared field is
 *   read once, bounds-checked against the mapped size with overflow-safe
 *   arithmetic, and only then used. A malformed image gives PYSHM_ECORRUPT and
 *   a message naming the field (pyshm_list_errmsg()); no call reads outside
 *   the mapping or takes time beyond proportional to the image size.
 *
 * ShareableList image ("py39" layout, CPython 3.9 and later; native byte order):
 *   0                 int64 N
 *   8                 int64 offsets[N+1]   offsets[0] = 0, offsets[i+1] = offsets[i] + alloc_i
 *   8*(N+2)           data area            item i at offsets[i], alloc_i bytes
 *   after the data    N formats, 8 bytes each (struct format, UTF-8, NUL-padded)
 *   after formats     N int8 codes: 0 int/float/bool, 1 str, 2 bytes, 3 None
 * The "py38" layout (CPython 3.8) holds int64 sizes[N] (alloc_i) instead of
 * offsets[N+1], so its data area starts at 8*(N+1).
 */
#ifndef PYSHM_H
#define PYSHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PYSHM_VERSION_MAJOR 0
#define PYSHM_VERSION_MINOR 1
#define PYSHM_VERSION_PATCH 0
#define PYSHM_VERSION "0.1.0"

/*
 * The version of the library actually running, "MAJOR.MINOR.PATCH": the
 * PYSHM_VERSION it was built with, which may differ from the header a
 * program was compiled against when it loads a shared libpyshm. pkg-config's
 * --modversion of the installed pyshm.pc and `pyshm --version` report the
 * same number. The string is static.
 */
const char *pyshm_version(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * XX(code, value, python exception, message). The Python exception is the
 * class CPython raises in the same situation ("struct.error" is the struct
 * module's error; "OSError" covers every errno CPython reports as a bare
 * OSError).
 *
 * Where CPython's own message is vague, the code is more precise than its
 * Python class: a directory in the block's place (EISDIR) is
 * "OSError: [Errno 22] Invalid argument" in CPython, since glibc's shm_open
 * turns EISDIR into EINVAL; a FIFO, socket or device (ENOTREG) fails in
 * CPython's mmap with the same OSError. A full /dev/shm at create (ENOSPC)
 * has no CPython equivalent: CPython's block stays sparse and the process
 * that first writes a missing page dies of SIGBUS (see pyshm_shm_create()).
 */
#define PYSHM_ERRNO_MAP(XX)                                                         \
    XX(EINVAL,      -1, "ValueError",         "invalid argument")                   \
    XX(ENOMEM,      -2, "MemoryError",        "out of memory")                      \
    XX(ESIZE,       -3, "ValueError",         "'size' must be a positive number different from zero") \
    XX(ENEGSIZE,    -4, "ValueError",         "'size' must be a positive integer")  \
    XX(ENONAME,     -5, "ValueError",         "'name' can only be None if create=True") \
    XX(EEXIST,      -6, "FileExistsError",    "a shared memory block of that name already exists") \
    XX(ENOENT,      -7, "FileNotFoundError",  "no shared memory block of that name") \
    XX(EBADNAME,    -8, "OSError",            "invalid shared memory name (empty, or containing '/' or NUL)") \
    XX(ENAMETOOLONG,-9, "OSError",            "shared memory name too long for this platform") \
    XX(EACCES,     -10, "PermissionError",    "permission denied")                   \
    XX(ECLOSED,    -11, "TypeError",          "the shared memory block is closed")   \
    XX(EINDEX,     -12, "IndexError",         "index out of range")                  \
    XX(ESTORAGE,   -13, "ValueError",         "bytes/str item exceeds available storage") \
    XX(EITEMSIZE,  -14, "AssertionError",     "str/bytes item too long: its format would not fit in 8 bytes") \
    XX(ERANGE,     -15, "struct.error",       "argument out of range")               \
    XX(ENOTFOUND,  -16, "ValueError",         "value not in this container")         \
    XX(EUNICODE,   -17, "UnicodeDecodeError", "str item is not valid UTF-8")         \
    XX(EENCODE,    -18, "UnicodeEncodeError", "str value is not valid UTF-8")        \
    XX(ECORRUPT,   -19, "ValueError",         "malformed ShareableList image")       \
    XX(ENOBUFS,    -20, "ValueError",         "buffer too small")                    \
    XX(ENOTSUP,    -21, "OSError",            "not supported on this platform")      \
    XX(EOS,        -22, "OSError",            "operating system error")              \
    XX(ETYPE,      -23, "KeyError",           "unsupported value type")              \
    XX(ENOSPC,     -24, "OSError",            "no space left on device for the block") \
    XX(EISDIR,     -25, "OSError",            "is a directory, not a shared memory block") \
    XX(ENOTREG,    -26, "OSError",            "is a FIFO, socket or device, not a shared memory block") \
    XX(EEMPTY,     -27, "ValueError",         "cannot mmap an empty file") \
    XX(EAUTH,      -30, "multiprocessing.AuthenticationError", "the process at the manager's address is not that manager (another user, another process, or a wrong key)") \
    XX(ETIMEDOUT,  -31, "TimeoutError",       "the manager did not answer in time")  \
    XX(EVERSION,   -32, "OSError",            "the manager or its watchdog program speaks another protocol version")

enum pyshm_errno {
#define PYSHM_ERRNO_ENUM_(code, value, pyexc, msg) PYSHM_##code = value,
    PYSHM_ERRNO_MAP(PYSHM_ERRNO_ENUM_)
#undef PYSHM_ERRNO_ENUM_
};

/*
 * A human-readable message for an error code; never NULL. For PYSHM_EOS and
 * PYSHM_ENOSPC it is the text of this thread's last operating system error,
 * as Python shows it ("[Errno 24] Too many open files", "[WinError 5]
 * Access is denied."); that string stays valid until this thread's next
 * call of pyshm_strerror(). Every other message is a constant.
 */
const char *pyshm_strerror(int err);
/* The code's short name ("ENOENT"); "UNKNOWN" for a code not listed above. */
const char *pyshm_err_name(int err);
/* The Python exception class CPython raises in the same case ("FileNotFoundError"). */
const char *pyshm_err_pyexc(int err);
/* For PYSHM_EOS and PYSHM_ENOSPC: the errno (POSIX) or GetLastError()
 * value of the last such error in this thread. */
int pyshm_last_os_error(void);

/* ------------------------------------------------------------------------ */
/* Values                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum pyshm_type {
    PYSHM_NONE = 0,
    PYSHM_INT,    /* int64 (Python int within int64) */
    PYSHM_FLOAT,  /* IEEE double, every bit preserved */
    PYSHM_BOOL,
    PYSHM_STR,    /* UTF-8, not NUL-terminated; may contain NUL bytes */
    PYSHM_BYTES
} pyshm_type;

typedef struct pyshm_value {
    pyshm_type type;
    union {
        int64_t i;
        double f;
        bool b;
        struct {
            const char *ptr;
            size_t len;
        } s; /* PYSHM_STR and PYSHM_BYTES */
    } u;
} pyshm_value;

static inline pyshm_value pyshm_none(void) {
    pyshm_value v = {PYSHM_NONE, {0}};
    return v;
}
static inline pyshm_value pyshm_int(int64_t i) {
    pyshm_value v = {PYSHM_INT, {0}};
    v.u.i = i;
    return v;
}
static inline pyshm_value pyshm_float(double f) {
    pyshm_value v = {PYSHM_FLOAT, {0}};
    v.u.f = f;
    return v;
}
static inline pyshm_value pyshm_bool(bool b) {
    pyshm_value v = {PYSHM_BOOL, {0}};
    v.u.b = b;
    return v;
}
/* str from len bytes of UTF-8 (validated when stored). */
static inline pyshm_value pyshm_strn(const char *utf8, size_t len) {
    pyshm_value v = {PYSHM_STR, {0}};
    v.u.s.ptr = utf8;
    v.u.s.len = len;
    return v;
}
/* str from a NUL-terminated UTF-8 string; NULL gives the empty str. */
pyshm_value pyshm_str(const char *utf8);
static inline pyshm_value pyshm_bytes(const void *data, size_t len) {
    pyshm_value v = {PYSHM_BYTES, {0}};
    v.u.s.ptr = (const char *)data;
    v.u.s.len = len;
    return v;
}

/*
 * Python's == between two values: 1 == 1.0 == True, 0 == False == -0.0,
 * NaN != NaN, 'a' != b'a', None == None only; int and float are compared
 * exactly (no rounding through double).
 */
bool pyshm_value_eq(const pyshm_value *a, const pyshm_value *b);

/*
 * Writes Python's repr() of a value into buf, like snprintf: at most cap
 * bytes including a terminating NUL, and returns the length of the whole
 * repr (excluding the NUL). Floats use Python's shortest round-trip form
 * ('1.0', '1e+16', 'inf', 'nan'); str and bytes use Python's quoting and
 * escapes (str.isprintable as of Unicode 14, CPython 3.11's database). Bytes
 * of a str that are not valid UTF-8 are shown as '\udcXX', as Python's
 * surrogateescape decoding would. buf may be NULL, to measure; a NULL v
 * writes nothing and returns 0.
 */
size_t pyshm_value_repr(const pyshm_value *v, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* SharedMemory                                                             */
/* ------------------------------------------------------------------------ */

typedef struct pyshm_shm pyshm_shm;

/* Longest name (without the leading '/') this platform accepts. */
size_t pyshm_name_max(void);

/*
 * Creates a block of size bytes, mode 0600, failing if the name exists.
 * name NULL: a random "psm_" + 8 hex name (wnsm_ on Windows) from the
 * system's CSPRNG, retried on collision. Errors: ESIZE (size 0), ENEGSIZE
 * (size < 0), EBADNAME, ENAMETOOLONG, EEXIST, EACCES, ENOMEM, ENOSPC, EOS.
 *
 * Every page of the block is reserved here, so that a full /dev/shm is
 * ENOSPC at create, with the name removed again, and never a SIGBUS when a
 * page is first written (CPython only truncates, and its writer dies).
 * Linux reserves with posix_fallocate; Windows commits the whole mapping
 * at creation anyway. macOS has no way to reserve the pages of a shared
 * memory object: there, as in CPython, a system short of memory fails
 * later, on first touch.
 *
 * A peer can still shrink a block under its readers: ftruncate to a smaller
 * size (POSIX) leaves every mapping at its old length, and touching a page
 * past the new end raises SIGBUS, which kills a process that does not
 * handle it (CPython readers die the same way). The library cannot prevent
 * this. A program that attaches blocks of other users, or of processes it
 * does not trust, can guard in two ways: install a SIGBUS handler that
 * siglongjmp()s out of the access (sigsetjmp before each read; the pyshm
 * tool does this and reports an error), or compare fstat's size of the
 * block with pyshm_shm_size() before reading (this narrows the window,
 * but a peer may still truncate between the check and the read).
 */
int pyshm_shm_create(const char *name, int64_t size, pyshm_shm **out);

/*
 * As pyshm_shm_create(), but the pages are not reserved: the block is
 * sparse, as CPython's, and takes memory only as its pages are first
 * written. A block larger than /dev/shm can hold is then created, as
 * CPython creates it, and its writer dies of SIGBUS if the space runs out.
 * For blocks that are written sparsely or only in part; a ShareableList,
 * written whole at once, is better reserved. Same as pyshm_shm_create()
 * where the system has no sparse blocks (macOS, Windows).
 */
int pyshm_shm_create_sparse(const char *name, int64_t size, pyshm_shm **out);

/*
 * Attaches an existing block. Its size is the one the system reports (exact
 * on Linux, page-rounded on macOS and Windows). Errors: ENONAME (name NULL),
 * ENOENT, EBADNAME, ENAMETOOLONG, EACCES, EISDIR (a directory has the
 * name), ENOTREG (a FIFO, socket or device has it), EEMPTY (a block of
 * size 0, which cannot be mapped), EOS (with the errno: ELOOP for a
 * symbolic link, EMFILE when out of descriptors, ...).
 */
int pyshm_shm_attach(const char *name, pyshm_shm **out);

/* The name without any leading '/'. Valid until pyshm_shm_free(). NULL for
 * a NULL handle. */
const char *pyshm_shm_name(const pyshm_shm *shm);
/* The mapped size in bytes; 0 for a NULL handle. */
size_t pyshm_shm_size(const pyshm_shm *shm);
/* The mapped bytes; NULL once closed, and for a NULL handle. */
void *pyshm_shm_buf(const pyshm_shm *shm);
/* true once closed, and for a NULL handle. */
bool pyshm_shm_closed(const pyshm_shm *shm);

/* Holes shorter than this are read, whatever lies behind them. */
#define PYSHM_DATA_SLACK 65536u

/*
 * How many bytes from the start of the block are worth reading: the bytes
 * before its first page that was never written (a hole of a sparse block),
 * but at least min(PYSHM_DATA_SLACK, size), and the whole size where the
 * system cannot tell holes (anything but Linux). Reading a hole through
 * the mapping makes tmpfs allocate the page for good, so a reader that
 * trusts a header over holes (an N of 50,000,000 written alone at the
 * start of a sparse 1 GiB block) would fill /dev/shm and its own memory.
 * pyshm_list_attach() parses only these bytes; pass this size, not
 * pyshm_shm_size(), to pyshm_inspect() and pyshm_list_wrap() for the same
 * bound. 0 for a closed or NULL handle. One lseek() call.
 */
size_t pyshm_shm_data_size(const pyshm_shm *shm);

/* Unmaps the block and releases its descriptor. Idempotent; always 0. The
 * block itself lives on until unlinked (POSIX) or its last handle closes
 * (Windows). */
int pyshm_shm_close(pyshm_shm *shm);

/* Removes the name so no one else can attach; mappings stay valid until
 * closed. Works on a closed handle too. A second unlink of the same name
 * is ENOENT. On Windows it does nothing and returns 0, as CPython. */
int pyshm_shm_unlink(pyshm_shm *shm);

/* Closes the handle (not the block) and frees it. NULL is allowed. */
void pyshm_shm_free(pyshm_shm *shm);

/* Unlinks a block by name without attaching it (ENOENT if absent). */
int pyshm_unlink(const char *name);

/*
 * Calls fn for each shared memory block visible on this system (its name,
 * without '/', and size), in no particular order, stopping early if fn
 * returns non-zero (that value is returned). ENOTSUP where the platform
 * cannot enumerate blocks (only Linux's /dev/shm can).
 */
int pyshm_shm_foreach(int (*fn)(const char *name, uint64_t size, void *arg), void *arg);

/* ------------------------------------------------------------------------ */
/* ShareableList                                                            */
/* ------------------------------------------------------------------------ */

typedef enum pyshm_layout {
    PYSHM_LAYOUT_AUTO = 0,  /* on attach: detect; on create: PY39 */
    PYSHM_LAYOUT_PY38 = 38, /* CPython 3.8: sizes[N] header */
    PYSHM_LAYOUT_PY39 = 39  /* CPython 3.9 and later: offsets[N+1] header */
} pyshm_layout;

/* Longest str (UTF-8 bytes) or bytes item that fits a format string:
 * alloc = 8 * (len / 8 + 1) must stay below 10**7. */
#define PYSHM_ITEM_MAX 9999991u

typedef struct pyshm_list pyshm_list;

/*
 * The size in bytes of the image of items[0..n) (CPython's requested_size).
 * str items whose UTF-8 form is longer than CPython's character-count slot
 * get a slot sized from the UTF-8 length (see README, "Differences").
 * Errors: EINVAL (bad type), EENCODE (str not valid UTF-8), EITEMSIZE,
 * ENOMEM (size would overflow size_t).
 */
int pyshm_list_image_size(const pyshm_value *items, size_t n, pyshm_layout layout,
                          size_t *size);

/* Writes the image of items[0..n) into buf, which must hold at least
 * pyshm_list_image_size() bytes (else ENOBUFS; EINVAL for a NULL buf).
 * Pure: no system calls. */
int pyshm_list_encode(void *buf, size_t len, const pyshm_value *items, size_t n,
                      pyshm_layout layout);

/*
 * A list over caller memory holding an image (no shared memory block; the
 * caller keeps buf alive and mapped while the handle is used). Validates
 * the header (N, the offsets or sizes) against len and reads it once.
 * errmsg, if not NULL, receives a NUL-terminated explanation on failure
 * (errmsg_cap bytes at most). Errors: ECORRUPT, ENOMEM, EINVAL.
 */
int pyshm_list_wrap(void *buf, size_t len, pyshm_layout layout, pyshm_list **out,
                    char *errmsg, size_t errmsg_cap);

/* Creates a block named name (NULL: random) holding items[0..n) in layout. */
int pyshm_list_create(const char *name, const pyshm_value *items, size_t n,
                      pyshm_layout layout, pyshm_list **out);

/*
 * Attaches the list in block name; layout AUTO detects the generation. The
 * image must lie within pyshm_shm_data_size() of the block: a header that
 * reaches past the written bytes (N, offsets or sizes claiming room that
 * only holes provide) is ECORRUPT, and the message says so. Every image
 * CPython or this library writes is written in full, so it is never
 * refused; the memory an attach takes is at most about half the written
 * bytes, and it faults no page of the block that was not already there.
 */
int pyshm_list_attach(const char *name, pyshm_layout layout, pyshm_list **out,
                      char *errmsg, size_t errmsg_cap);

/* The block (NULL for a wrapped list, or a NULL list); close and unlink go
 * through it. */
pyshm_shm *pyshm_list_shm(const pyshm_list *list);
/* Closes the list's block; later item calls give ECLOSED. Idempotent. */
int pyshm_list_close(pyshm_list *list);
/* Frees the handle, closing its block (never unlinking). NULL is allowed. */
void pyshm_list_free(pyshm_list *list);

/* The layout of the image (PY38 or PY39, never AUTO); AUTO for NULL. */
pyshm_layout pyshm_list_layout(const pyshm_list *list);
/* N, as read and validated on attach, even once the list is closed (as the
 * image was); -1 for a NULL list. Python's len() of a closed list is a
 * TypeError: pyshm_list_length() reports that case. */
int64_t pyshm_list_len(const pyshm_list *list);
/* N into *n, as Python's len(): ECLOSED once the list (or its block) is
 * closed, EINVAL for a NULL argument. */
int pyshm_list_length(const pyshm_list *list, int64_t *n);
/* Bytes the image occupies (may be less than the mapped size); 0 for NULL. */
size_t pyshm_list_image_bytes(const pyshm_list *list);
/* Slot i's allocation in bytes (negative i counts from the end). */
int pyshm_list_slot(const pyshm_list *list, int64_t index, size_t *alloc);

/*
 * Reads item index (negative counts from the end). str and bytes point into
 * the shared memory without copying, trailing NULs stripped, str validated
 * as strict UTF-8; they stay readable until the list is closed, but another
 * process may change them meanwhile. Errors: EINDEX, ECLOSED, ECORRUPT,
 * EUNICODE.
 */
int pyshm_list_get(pyshm_list *list, int64_t index, pyshm_value *out);

/*
 * As pyshm_list_get, but str and bytes are copied into buf (cap bytes)
 * before they are stripped and validated, so the value is consistent even
 * while other processes write. Needs cap >= the slot (pyshm_list_slot()),
 * else ENOBUFS.
 */
int pyshm_list_get_copy(pyshm_list *list, int64_t index, pyshm_value *out, void *buf,
                        size_t cap);

/*
 * Stores value at index as CPython's __setitem__ does: a non-str/bytes value
 * takes its type's format and code; a str or bytes value must fit the slot
 * (ESTORAGE, nothing changed) and keeps the slot's current "Ns" format, or
 * gets "<alloc>s". Bytes of the slot the new value does not cover keep
 * their contents. Errors: EINDEX, ECLOSED, ESTORAGE, EENCODE, EINVAL,
 * ECORRUPT.
 */
int pyshm_list_set(pyshm_list *list, int64_t index, const pyshm_value *value);

/* The struct format of item index, NUL-terminated (at most 8 characters). */
int pyshm_list_item_format(pyshm_list *list, int64_t index, char out[9]);

/* The list's `format` property (all item formats concatenated) into buf, like
 * snprintf; *len receives the full length. ENOBUFS if it did not fit. */
int pyshm_list_format(pyshm_list *list, char *buf, size_t cap, size_t *len);

/* Number of items == value (Python equality). */
int pyshm_list_count(pyshm_list *list, const pyshm_value *value, int64_t *count);
/* First index whose item == value; ENOTFOUND if none. */
int pyshm_list_index(pyshm_list *list, const pyshm_value *value, int64_t *index);

/* The items as a Python list literal ("[1, 'a', None]"), like snprintf;
 * *len receives the full length. ENOBUFS if it did not fit. */
int pyshm_list_repr(pyshm_list *list, char *buf, size_t cap, size_t *len);

/*
 * Explains an image field by field (layout, N, each offset or size, each
 * slot with its format, code and value), one line per call of emit, and
 * stops at the first invalid field, naming it. Returns 0 for a valid image,
 * PYSHM_ECORRUPT (or EUNICODE) for the first fault found; EINVAL for a NULL
 * emit, or a NULL buf with len > 0. Pure. For a block, pass
 * pyshm_shm_data_size() as len, so that a header over holes is refused
 * before it is read.
 */
int pyshm_inspect(const void *buf, size_t len, pyshm_layout layout,
                  void (*emit)(const char *line, void *arg), void *arg);

/* Explanation of the last error on this handle (which field of the image
 * was wrong, and where); "" if none, and for a NULL handle. Valid until the
 * next call on it. */
const char *pyshm_list_errmsg(const pyshm_list *list);

/* ------------------------------------------------------------------------ */
/* SharedMemoryManager                                                      */
/* ------------------------------------------------------------------------ */

/*
 * A manager owns blocks and unlinks every one of them when it is shut down
 * or when the process that started it ends in any way: exit, crash, exec,
 * or SIGKILL (within a second; in practice at once). Other processes can
 * create and track blocks through the same manager by its address.
 *
 * POSIX: pyshm_manager_start() starts a small watchdog process, a
 * grandchild re-parented at once (nothing to reap later, nothing for the
 * caller's own wait() calls or SIGCHLD disposition to see). It creates the
 * blocks itself and keeps their names, so an owner killed at any moment
 * leaves none behind. It holds no descriptor of the caller's beyond its own
 * sockets, leaves the terminal's process group (^C is for the owner alone),
 * and treats SIGTERM as shutdown. The caller's descriptors for it are
 * close-on-exec.
 *
 * The watchdog process and what it costs: the watchdog is always the small
 * program pyshm-watchdog (about 30 kB), started with posix_spawn, in an
 * empty environment, and never a fork of the caller: it holds none of the
 * caller's memory, whatever the caller's size (a resident size of about 1
 * MB, of which about 100 kB its own, beside a caller of 512 MiB that a fork
 * would have kept whole), and starting it copies nothing of the caller
 * either, so it takes as long for a caller of any size. The library carries
 * that program inside itself, so the static library, the shared library and
 * the Python module need nothing installed: on Linux it runs from memory
 * (memfd_create), elsewhere from a file of its own in a new 0700 directory
 * under TMPDIR, removed once it runs (/proc/PID/exe names it
 * "memfd:pyshm-watchdog" or that removed file). Where that cannot run (a
 * system that forbids executing such a file, or a build made without the
 * project's Makefile, which carries no copy), the library runs the
 * installed program, PREFIX/libexec/pyshm-watchdog (the path is compiled
 * in), else pyshm-watchdog beside the library's file or in ../libexec from
 * there; with none, pyshm_manager_start() fails with EOS, errno ENOENT.
 * PYSHM_WATCHDOG in the environment names the program to run instead of all
 * these (an error if it cannot be run). In a process that runs with more
 * privileges than whoever set its environment (set-user-ID, set-group-ID,
 * or file capabilities: secure_getenv() on glibc, getauxval(AT_SECURE) on
 * other Linux C libraries, issetugid() on the BSDs and macOS),
 * PYSHM_WATCHDOG, PYSHM_MANAGER_TIMEOUT_MS and TMPDIR are ignored and only
 * the carried and the installed programs are run.
 *
 * Addresses and authentication: an address is "<socket>#<key>", the key
 * being 64 hex digits (256 bits) from the system's CSPRNG. On Linux the
 * socket is abstract ("@pyshm-<pid>-<16 hex digits>"); elsewhere it is a
 * file "pyshm-<pid>" in a new 0700 directory, removed as the watchdog
 * ends; <pid> is the owner's. Whoever has the address may use the manager,
 * as whoever has a CPython manager's authkey: hand it only to processes
 * that may create and unlink blocks in the owner's name, through a pipe, a
 * file only the user can read, or the environment (/proc/PID/environ is
 * readable by the same user alone), and never as a command-line argument:
 * every user can read /proc/PID/cmdline (unless /proc is mounted with
 * hidepid). The watchdog's own command line holds no key. Each connection
 * authenticates both ways: the watchdog refuses processes of other users
 * and clients that cannot prove they know the key; the client, before it
 * writes anything, checks that the listening process is of its own user
 * and (where the system tells: Linux) is the process the address names, and
 * that the socket's directory is its own and 0700 (outside Linux), then
 * requires the watchdog to prove it knows the key (HMAC-SHA256 challenges
 * with fresh random nonces in both directions). So a process that took
 * over the address of a manager that has ended, whoever's, is refused with
 * PYSHM_EAUTH and is told nothing. The handshake carries a protocol
 * version; a manager or watchdog program of another version gives
 * PYSHM_EVERSION.
 *
 * Namespaces (Linux): the abstract socket belongs to the network namespace
 * (another one does not see it: ENOENT), and the pid check to the pid
 * namespace. A client in a pid namespace other than the owner's (a
 * container, `unshare --pid`) cannot tell that the listening process is
 * the one the address names, and refuses the manager with PYSHM_EAUTH,
 * even with the right key. Share managers within one pid namespace.
 *
 * Bounds: a watchdog serves at most 128 connections besides its owner's,
 * fewer if its descriptor limit (RLIMIT_NOFILE, inherited from the owner)
 * is under 144, so that it keeps room to create blocks. At most 32 of them
 * (a quarter) may be still authenticating, so connections that never
 * authenticate cannot take the room of those that did; a connection must
 * authenticate within 1 s, and when a new one is waiting and the 32 are
 * taken, the oldest of them makes way once it has had 50 ms (an honest
 * client answers in well under a millisecond; the newcomer waits its turn
 * in the socket's backlog meanwhile). Among authenticated connections, when
 * one more needs room, the one idle longest is closed; any is closed after
 * 60 s without a request (a handle reconnects by itself on its next
 * request). A request, once begun, must arrive whole within 1 s (else
 * ETIMEDOUT), so a client that sends it a byte at a time holds nothing for
 * long. A watchdog at its descriptor limit turns the waiting client away
 * instead of spinning. A client turned away (no room, too slow, no
 * descriptor) tries again by itself, less and less often, within its
 * timeout. Measured (make manager-bench): with 500 connections of another
 * process of the user held open, never authenticating or authenticated and
 * idle, a client is served in well under a second (0.1 s typically). It
 * tracks at most 262,144 names (ENOMEM beyond that), found through a hash
 * index, so a request takes the same time at any count.
 *
 * Timeouts: connecting, and each request, fail with PYSHM_ETIMEDOUT after 5
 * seconds without an answer (a stopped or hung watchdog, or one that kept
 * turning the client away), or after PYSHM_MANAGER_TIMEOUT_MS milliseconds
 * from the environment when a handle is made, or as
 * pyshm_manager_set_timeout() says. A request that timed out may still be
 * carried out once the watchdog runs again (its late reply is skipped); a
 * block it creates then is owned by the manager as usual.
 *
 * On Windows every function returns PYSHM_ENOTSUP: a block dies there
 * with its last handle, so there is nothing for a manager to clean up.
 *
 * Differences from CPython's SharedMemoryManager:
 * - no server process running Python and no pickling: a block or list
 *   created through the manager is an ordinary pyshm_shm / pyshm_list
 *   handle, and the manager only creates, tracks and unlinks names;
 * - cleanup does not depend on the resource tracker: when the owner of a
 *   CPython manager is SIGKILLed, its server process keeps running and its
 *   blocks stay until someone ends that orphan; only then does the resource
 *   tracker unlink them (with a "leaked shared_memory objects" warning);
 * - the key travels in the address rather than beside it, and only
 *   processes of the owner's user may connect even with the key;
 * - a name may be given to create (CPython's manager always picks a random
 *   one); random names are "psm_" + 8 hex digits, as CPython's;
 * - CPython creates a block in the client and then registers it, which can
 *   leak it if the client dies in between; here the watchdog creates it;
 * - tracking a name twice tracks it once (CPython keeps duplicates).
 *
 * Handles follow the library's conventions (one thread at a time). A handle
 * inherited through fork() is usable in the child, which gets a connection
 * of its own on first use and is never the owner. A NULL handle or out
 * pointer is EINVAL (pyshm_manager_address(NULL) is "", and
 * pyshm_manager_free(NULL) does nothing).
 */
typedef struct pyshm_manager pyshm_manager;

/* Starts a manager owned by the calling process. Returns once the watchdog
 * is running. Errors: ENOMEM, ENAMETOOLONG (TMPDIR too long for a socket
 * path, outside Linux), ETIMEDOUT (the watchdog did not start in time),
 * EVERSION (the watchdog program is of another version), EOS (socket,
 * spawn; or no watchdog program could be run, its errno in
 * pyshm_last_os_error(): ENOENT when there is none). */
int pyshm_manager_start(pyshm_manager **out);

/*
 * Connects to a running manager by its address (pyshm_manager_address() of
 * the owner's handle, key included). Blocks created or tracked through this
 * handle belong to the manager, not to the caller: they outlive the caller
 * and are unlinked with the manager's. Errors: EINVAL (malformed address,
 * or no key in it), ENOENT (no manager there, or it has shut down), EAUTH
 * (whoever listens there is not that manager: another user's process, a
 * process other than the one the address names, or one that does not know
 * the key; or the manager refused our key; or the caller is in another pid
 * namespace), EVERSION, ETIMEDOUT (no answer, or no room, in time), EOS.
 */
int pyshm_manager_connect(const char *address, pyshm_manager **out);

/* The address other processes connect to, key included: give it only to
 * whom may use the manager. Valid until pyshm_manager_free(). */
const char *pyshm_manager_address(const pyshm_manager *m);

/* Sets how long this handle waits for the manager on each later request
 * (and reconnection), in milliseconds (> 0). EINVAL otherwise. */
int pyshm_manager_set_timeout(pyshm_manager *m, int ms);

/*
 * Creates a block of size bytes (name NULL: random) owned by the manager
 * and attaches it. The handle is an ordinary one: close, unlink and free it
 * as any other; an unlinked block is simply skipped at shutdown. Errors: as
 * pyshm_shm_create(), and ECLOSED (manager shut down), ETIMEDOUT, EOS
 * (manager gone).
 */
int pyshm_manager_shm_create(pyshm_manager *m, const char *name, int64_t size,
                             pyshm_shm **out);

/* Creates a list holding items[0..n) in a block owned by the manager (as
 * pyshm_list_create(), layout AUTO meaning PY39). Errors: as
 * pyshm_list_create() and pyshm_manager_shm_create(). */
int pyshm_manager_list_create(pyshm_manager *m, const char *name, const pyshm_value *items,
                              size_t n, pyshm_layout layout, pyshm_list **out);

/*
 * Has the manager unlink name at shutdown, as CPython's track_segment. The
 * name need not exist yet: tracking a name before creating it leaves no
 * moment at which the caller's death could leak the block. Tracking a name
 * twice is the same as once. Errors: ENONAME, EBADNAME, ENAMETOOLONG,
 * ECLOSED, ENOMEM (also: 262,144 names tracked already), ETIMEDOUT, EOS.
 */
int pyshm_manager_track(pyshm_manager *m, const char *name);

/* Stops tracking name and unlinks it now, as CPython's release_segment.
 * Errors: ENOTFOUND (not tracked), ENOENT (tracked, but already unlinked
 * by someone; no longer tracked), ECLOSED, ETIMEDOUT, EOS. */
int pyshm_manager_release(pyshm_manager *m, const char *name);

/*
 * Unlinks every block the manager owns and stops its watchdog; returns once
 * that is done. Mappings stay valid until their handles are closed. A second
 * call returns 0. Only the process that started the manager may shut it
 * down: EINVAL from a connected handle or a fork child's copy. EOS if the
 * watchdog was killed (its blocks may then remain). ETIMEDOUT if it did not
 * answer in time: it still unlinks every block once it runs again, since the
 * handle has then closed its end.
 */
int pyshm_manager_shutdown(pyshm_manager *m);

/* Frees the handle: the owner's is shut down first, a connection is just
 * closed. NULL is allowed. */
void pyshm_manager_free(pyshm_manager *m);

#ifdef __cplusplus
}
#endif
#endif /* PYSHM_H */
