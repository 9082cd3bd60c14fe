/* pyshm: create, read, write and explain CPython shared memory from a shell. */
#include "literal.h"
#include "out.h"
#include "pyshm.h"

#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USAGE_LIST                                                                  \
    "Lists (ShareableList):\n"                                                      \
    "  pyshm list create [--name NAME] [--layout py38|py39] [--managed] VALUE...\n" \
    "                                    create a list; print its name\n"           \
    "                                    --managed: keep it until interrupted or\n" \
    "                                    killed, then unlink it (even on SIGKILL)\n" \
    "  pyshm list show NAME              print the items as a Python list literal\n" \
    "  pyshm list get NAME INDEX         print repr() of one item\n"                \
    "  pyshm list set NAME INDEX VALUE   store a value\n"                           \
    "  pyshm list format NAME            print the list's struct format\n"          \
    "  pyshm list len NAME               print the number of items\n"               \
    "  pyshm list count NAME VALUE       print how many items == VALUE\n"          \
    "  pyshm list index NAME VALUE       print the first index of VALUE\n"         \
    "\n"                                                                            \
    "VALUEs are Python literals: 42, 1_000, 0x1f, -273.154, 1e-7, 'howdy',\n"      \
    "\"it's\", '''triple''', '\\u20ac', '\\N{EURO SIGN}', b'HoWdY', rb'\\d',\n"    \
    "None, True, False; and inf, -inf, nan (not Python literals).\n"              \
    "Lists read on attach detect their layout (py38: CPython 3.8, py39: 3.9\n"     \
    "and later); --layout forces one.\n"

static const char usage[] =
    "usage: pyshm COMMAND [ARGS]\n"
    "\n"
    "Shared memory blocks (Python's multiprocessing.shared_memory.SharedMemory):\n"
    "  pyshm create SIZE [--name NAME]   create a block of SIZE bytes; print its name\n"
    "  pyshm unlink NAME                 remove a block's name\n"
    "  pyshm ls                          list the blocks that exist (name, size)\n"
    "  pyshm dump NAME                   print a block's bytes as lowercase hex\n"
    "  pyshm inspect NAME [--layout L]   explain a ShareableList image field by field\n"
    "  pyshm parse VALUE...              print each VALUE as the tool reads it (its\n"
    "                                    repr), or \"error: \" and why it is refused\n"
    "\n" USAGE_LIST "\n"
    "A name that is not plain printable ASCII (or holds a space, a quote or a\n"
    "backslash) is shown as Python's repr() of it ('a\\nb'), in listings and\n"
    "in messages.\n"
    "\n"
    "  pyshm --help | --version\n";

static const char list_usage[] = "usage: pyshm list COMMAND [ARGS]\n\n" USAGE_LIST;

static const char *prog_cmd; /* the command running, once known */

/* Every message goes through here: escaped so that nothing read from the
 * system or the command line (a name, a literal) can forge lines or send
 * terminal escapes. */
static void message(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void message(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    out_buf b;
    out_init(&b);
    out_vprintf(&b, fmt, ap);
    va_end(ap);
    out_buf safe;
    out_init(&safe);
    out_escaped(&safe, b.p ? b.p : "", b.p ? b.len : 0);
    fprintf(stderr, "pyshm: %s%s%s\n", prog_cmd ? prog_cmd : "", prog_cmd ? ": " : "",
            safe.p ? safe.p : "out of memory");
    out_free(&safe);
    out_free(&b);
}

/* Reports an error the way Python would name it; exit status 1. */
static int fail(int rc, const char *what, const char *detail) {
    message("%s: %s%s%s", pyshm_err_pyexc(rc), what ? what : pyshm_strerror(rc),
            detail && *detail ? ": " : "", detail ? detail : "");
    return 1;
}

/* As fail(), the detail being a block's name (shown as repr when needed). */
static int fail_name(int rc, const char *what, const char *name) {
    if (name == NULL) return fail(rc, what, NULL);
    out_buf q;
    out_init(&q);
    out_name(&q, name);
    int status = fail(rc, what, q.p);
    out_free(&q);
    return status;
}

static int usage_error(const char *msg) {
    message("%s (see pyshm --help)", msg);
    return 2;
}

/* ---- a truncated block ---------------------------------------------------- */

/*
 * Another process may shrink a block (ftruncate) while this one reads or
 * writes its mapping: the next access beyond the new end raises SIGBUS.
 * Every command runs under a handler that jumps back to main(), which turns
 * it into an error and exit status 1 instead of a death by signal. Nothing
 * is printed from inside the handler; the commands render into private
 * buffers first, so stdout holds no half-printed value (dump and inspect,
 * which stream, may have printed part of the block before the error).
 */
#ifdef SIGBUS
static sigjmp_buf bus_jump;
static volatile sig_atomic_t bus_armed;
static void on_bus(int sig) {
    if (!bus_armed) { /* not from a mapping we read: die as usual */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    siglongjmp(bus_jump, 1);
}
#endif
/* "read" or "written": what the command does to the block. */
static const char *volatile bus_access = "read";

/* Options shared by the commands: --name NAME and --layout L. */
typedef struct {
    const char *name;
    pyshm_layout layout;
    bool managed; /* list create --managed */
    int argc;
    char **argv; /* positional arguments */
} opts;

/* The options a command takes (command.options). */
enum { OPT_NAME = 1, OPT_LAYOUT = 2, OPT_MANAGED = 4 };

/* Splits argv into the options the command takes and its positional
 * arguments; any other option is a usage error. */
static int parse_opts(int argc, char **argv, unsigned allowed, opts *o) {
    o->name = NULL;
    o->layout = PYSHM_LAYOUT_AUTO;
    o->managed = false;
    o->argc = 0;
    o->argv = calloc((size_t)argc + 1, sizeof *o->argv);
    if (o->argv == NULL) return usage_error("out of memory");
    bool dashdash = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        unsigned opt = strcmp(a, "--name") == 0     ? OPT_NAME
                       : strcmp(a, "--layout") == 0  ? OPT_LAYOUT
                       : strcmp(a, "--managed") == 0 ? OPT_MANAGED
                                                     : 0;
        if (dashdash || a[0] != '-' || a[1] != '-') {
            o->argv[o->argc++] = argv[i];
        } else if (a[2] == '\0') {
            dashdash = true;
        } else if (!(opt & allowed)) {
            message("unknown option %s", a);
            return 2;
        } else if (opt == OPT_MANAGED) {
            o->managed = true;
        } else {
            if (i + 1 >= argc) return usage_error("option needs a value");
            const char *v = argv[++i];
            if (opt == OPT_NAME) {
                o->name = v;
            } else if (strcmp(v, "py38") == 0) {
                o->layout = PYSHM_LAYOUT_PY38;
            } else if (strcmp(v, "py39") == 0) {
                o->layout = PYSHM_LAYOUT_PY39;
            } else {
                return usage_error("--layout takes py38 or py39");
            }
        }
    }
    return 0;
}

static int need_args(const opts *o, int n, const char *form) {
    if (o->argc == n) return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "expected: pyshm %s", form);
    return usage_error(msg);
}

static int parse_index(const char *s, int64_t *out) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0') return usage_error("INDEX must be an integer");
    *out = v;
    return 0;
}

/* ---- what a command holds ------------------------------------------------ */

/*
 * Reads items into private memory. Another process may write an item while
 * it is copied; each item is copied twice and kept only when both copies
 * agree (the same error, or the same value), so a value half old and half
 * new is not shown. A copy that keeps changing, or an error that persists
 * past a few short waits (a writer between its format and its data), is an
 * error.
 */
typedef struct {
    uint8_t *a, *b;
    size_t cap;
    char msg[128]; /* the reader's own error, "" for the library's */
} reader;

/*
 * Everything a command holds lives here, so that one function frees it:
 * after the command, or when a SIGBUS cuts the command short (its stack is
 * gone then, this is not).
 */
static struct {
    pyshm_list *list;
    pyshm_shm *shm;
    pyshm_manager *manager;
    reader rd;
    out_buf out;           /* what the command prints, rendered first */
    pyshm_literal *lits;   /* parsed VALUEs */
    pyshm_value *items;
    size_t nlits;
    char **argv;           /* the command's positional arguments */
} st;

static void release(void) {
    pyshm_list_free(st.list); /* before the manager, which unlinks the block */
    pyshm_shm_free(st.shm);
    pyshm_manager_free(st.manager);
    free(st.rd.a);
    free(st.rd.b);
    out_free(&st.out);
    for (size_t i = 0; i < st.nlits; i++) pyshm_literal_free(&st.lits[i]);
    free(st.lits);
    free(st.items);
    free(st.argv);
    memset(&st, 0, sizeof st);
}

/* Parses n VALUEs into st.lits and st.items. Returns 0, 1 after reporting
 * a syntax error, or stops at the first int outside int64 or lone
 * surrogate and returns its code unreported with the reason in why (these
 * are Python values whose fate depends on the command). */
static int parse_values(char **texts, int n, char *why, size_t whycap) {
    st.lits = calloc((size_t)n + 1, sizeof *st.lits);
    st.items = calloc((size_t)n + 1, sizeof *st.items);
    if (st.lits == NULL || st.items == NULL) return fail(PYSHM_ENOMEM, NULL, NULL);
    for (int i = 0; i < n; i++) {
        const char *text = texts[i];
        st.nlits = (size_t)i + 1;
        int rc = pyshm_literal_parse(text, strlen(text), &st.lits[i], why, whycap);
        st.items[i] = st.lits[i].value;
        if (rc == PYSHM_ERANGE || rc == PYSHM_EENCODE) return rc;
        if (rc == 0) continue;
        out_buf q;
        out_init(&q);
        out_repr_text(&q, text);
        if (why[0]) {
            out_str(&q, ": ");
            out_str(&q, why);
        }
        fail(rc, "invalid value", q.p);
        out_free(&q);
        return 1;
    }
    return 0;
}

/* Reports a value error returned unreported by parse_values(). */
static int value_error(int rc, const char *why) { return fail(rc, NULL, why); }

/* Prints st.out, or reports the error (the reader's own message, else the
 * list's). */
static int finish(int rc) {
    if (rc == 0 && st.out.p == NULL) rc = PYSHM_ENOMEM;
    if (rc == 0) {
        fputs(st.out.p, stdout);
        return 0;
    }
    const char *why = st.rd.msg[0] ? st.rd.msg : st.list ? pyshm_list_errmsg(st.list) : "";
    return fail(rc, why[0] ? why : NULL, NULL);
}

/* ---- block commands ------------------------------------------------------ */

/* Prints a block's name for scripts: plain names as they are, others as
 * repr(), so that a newline or an escape in a name cannot forge output. */
static void print_name(const char *name, const char *suffix) {
    out_buf b;
    out_init(&b);
    out_name(&b, name);
    out_str(&b, suffix);
    if (b.p) fputs(b.p, stdout);
    out_free(&b);
}

static int cmd_create(opts *o) {
    if (need_args(o, 1, "create SIZE [--name NAME]")) return 2;
    char *end;
    long long size = strtoll(o->argv[0], &end, 10);
    if (*end != '\0' || end == o->argv[0]) return usage_error("SIZE must be an integer");
    int rc = pyshm_shm_create(o->name, size, &st.shm);
    if (rc) return fail_name(rc, NULL, o->name);
    print_name(pyshm_shm_name(st.shm), "\n");
    return 0;
}

static int cmd_unlink(opts *o) {
    if (need_args(o, 1, "unlink NAME")) return 2;
    int rc = pyshm_unlink(o->argv[0]);
    return rc ? fail_name(rc, NULL, o->argv[0]) : 0;
}

static int print_block(const char *name, uint64_t size, void *arg) {
    (void)arg;
    char tail[32];
    snprintf(tail, sizeof tail, "\t%" PRIu64 "\n", size);
    print_name(name, tail);
    return 0;
}

static int cmd_ls(opts *o) {
    if (need_args(o, 0, "ls")) return 2;
    int rc = pyshm_shm_foreach(print_block, NULL);
    return rc ? fail(rc, NULL, NULL) : 0;
}

static int cmd_dump(opts *o) {
    if (need_args(o, 1, "dump NAME")) return 2;
    int rc = pyshm_shm_attach(o->argv[0], &st.shm);
    if (rc) return fail_name(rc, NULL, o->argv[0]);
    const uint8_t *b = pyshm_shm_buf(st.shm);
    size_t n = pyshm_shm_size(st.shm);
    static const char hex[] = "0123456789abcdef";
    char line[8192];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        line[k++] = hex[b[i] >> 4];
        line[k++] = hex[b[i] & 15];
        if (k == sizeof line) {
            fwrite(line, 1, k, stdout);
            k = 0;
        }
    }
    fwrite(line, 1, k, stdout);
    putchar('\n');
    return 0;
}

/* An inspect line, escaped: it may quote bytes of the block. */
static void print_line(const char *line, void *arg) {
    (void)arg;
    out_buf b;
    out_init(&b);
    out_escaped(&b, line, strlen(line));
    out_str(&b, "\n");
    if (b.p) fputs(b.p, stdout);
    out_free(&b);
}

static int cmd_inspect(opts *o) {
    if (need_args(o, 1, "inspect NAME [--layout py38|py39]")) return 2;
    int rc = pyshm_shm_attach(o->argv[0], &st.shm);
    if (rc) return fail_name(rc, NULL, o->argv[0]);
    fputs("block ", stdout);
    print_name(pyshm_shm_name(st.shm), "\n");
    rc = pyshm_inspect(pyshm_shm_buf(st.shm), pyshm_shm_size(st.shm), o->layout, print_line,
                       NULL);
    return rc ? 1 : 0;
}

/* One line per VALUE: its repr(), or "error: " with the Python exception
 * and the reason (escaped like every message); status 1 if any is refused. */
static int cmd_parse(opts *o) {
    int status = 0;
    for (int i = 0; i < o->argc; i++) {
        pyshm_literal lit;
        char why[300];
        int rc = pyshm_literal_parse(o->argv[i], strlen(o->argv[i]), &lit, why, sizeof why);
        out_buf b;
        out_init(&b);
        if (rc == 0) {
            out_repr(&b, &lit.value);
        } else {
            out_buf msg;
            out_init(&msg);
            out_printf(&msg, "error: %s: %s", pyshm_err_pyexc(rc), why[0] ? why : pyshm_strerror(rc));
            if (msg.p) out_escaped(&b, msg.p, msg.len);
            out_free(&msg);
            status = 1;
        }
        out_str(&b, "\n");
        if (b.p) fputs(b.p, stdout);
        out_free(&b);
        pyshm_literal_free(&lit);
    }
    return status;
}

/* ---- list commands ------------------------------------------------------- */

static int attach(opts *o) {
    char why[256];
    int rc = pyshm_list_attach(o->argv[0], o->layout, &st.list, why, sizeof why);
    if (rc == 0) return 0;
    st.list = NULL;
    out_buf q;
    out_init(&q);
    out_name(&q, o->argv[0]);
    if (why[0]) {
        out_str(&q, ": ");
        out_str(&q, why);
    }
    fail(rc, NULL, q.p);
    out_free(&q);
    return 1;
}

enum { READ_ATTEMPTS = 64, READ_ERROR_WAITS = 3 };

static bool same_read(int ra, const pyshm_value *a, int rb, const pyshm_value *b) {
    if (ra != rb) return false;
    if (ra != 0) return true;
    if (a->type != b->type) return false;
    switch (a->type) {
    case PYSHM_STR:
    case PYSHM_BYTES:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    case PYSHM_INT: return a->u.i == b->u.i;
    case PYSHM_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    case PYSHM_BOOL: return a->u.b == b->u.b;
    default: return true;
    }
}

static void short_wait(void) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

/* Item i of st.list into *out, valid until the next call. */
static int read_item(int64_t i, pyshm_value *out) {
    reader *r = &st.rd;
    r->msg[0] = '\0';
    size_t alloc;
    if (pyshm_list_slot(st.list, i, &alloc) != 0) /* the library names the error */
        return pyshm_list_get_copy(st.list, i, out, NULL, 0);
    if (alloc > r->cap) {
        free(r->a);
        free(r->b);
        r->a = malloc(alloc);
        r->b = malloc(alloc);
        r->cap = r->a && r->b ? alloc : 0;
        if (r->cap == 0) return PYSHM_ENOMEM;
    }
    int waits = 0;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        pyshm_value va, vb;
        int ra = pyshm_list_get_copy(st.list, i, &va, r->a, r->cap);
        int rb = pyshm_list_get_copy(st.list, i, &vb, r->b, r->cap);
        if (!same_read(ra, &va, rb, &vb)) continue;
        if (ra != 0 && waits++ < READ_ERROR_WAITS) {
            short_wait();
            continue;
        }
        *out = va;
        return ra;
    }
    snprintf(r->msg, sizeof r->msg,
             "item %" PRId64 " kept changing while being read (another process writes it)", i);
    return PYSHM_ECORRUPT;
}

/*
 * For --managed: SIGINT, SIGTERM and SIGHUP are held from before the name
 * is printed (one sent as soon as it is read is not lost) until
 * wait_for_stop(), which returns when one arrives, so that the manager is
 * shut down cleanly. SIGKILL is the watchdog's business.
 */
static volatile sig_atomic_t stop_signal;
static void on_stop(int sig) { stop_signal = sig; }
#ifndef _WIN32
static sigset_t unheld;
#endif

static void hold_stop_signals(void) {
#ifndef _WIN32
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGTERM);
    sigaddset(&held, SIGHUP);
    sigprocmask(SIG_BLOCK, &held, &unheld);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
#endif
}

static void wait_for_stop(void) {
#ifndef _WIN32
    while (!stop_signal) sigsuspend(&unheld);
    sigprocmask(SIG_SETMASK, &unheld, NULL);
#endif
}

static int list_create(opts *o) {
    char why[300];
    int rc = parse_values(o->argv, o->argc, why, sizeof why);
    if (rc == PYSHM_ERANGE || rc == PYSHM_EENCODE) return value_error(rc, why);
    if (rc) return 1;
    bus_access = "written";
    if (o->managed) hold_stop_signals();
    rc = o->managed ? pyshm_manager_start(&st.manager) : 0;
    if (rc == 0)
        rc = st.manager ? pyshm_manager_list_create(st.manager, o->name, st.items,
                                                    (size_t)o->argc, o->layout, &st.list)
                        : pyshm_list_create(o->name, st.items, (size_t)o->argc, o->layout,
                                            &st.list);
    if (rc) {
        st.list = NULL;
        return fail_name(rc, NULL, o->name);
    }
    print_name(pyshm_shm_name(pyshm_list_shm(st.list)), "\n");
    if (st.manager) {
        fflush(stdout);
        wait_for_stop(); /* then release() shuts the manager down: the block is unlinked */
    }
    return 0;
}

static int list_show(opts *o) {
    if (need_args(o, 1, "list show NAME")) return 2;
    if (attach(o)) return 1;
    out_init(&st.out);
    out_str(&st.out, "[");
    int rc = 0;
    for (int64_t i = 0; rc == 0 && i < pyshm_list_len(st.list); i++) {
        pyshm_value v;
        rc = read_item(i, &v);
        if (rc) break;
        if (i) out_str(&st.out, ", ");
        out_repr(&st.out, &v);
    }
    out_str(&st.out, "]\n");
    return finish(rc);
}

static int list_get(opts *o) {
    if (need_args(o, 2, "list get NAME INDEX")) return 2;
    int64_t index;
    if (parse_index(o->argv[1], &index)) return 2;
    if (attach(o)) return 1;
    out_init(&st.out);
    pyshm_value v;
    int rc = read_item(index, &v);
    if (rc == 0) {
        out_repr(&st.out, &v);
        out_str(&st.out, "\n");
    }
    return finish(rc);
}

static int list_set(opts *o) {
    if (need_args(o, 3, "list set NAME INDEX VALUE")) return 2;
    int64_t index;
    if (parse_index(o->argv[1], &index)) return 2;
    char why[300];
    int vrc = parse_values(o->argv + 2, 1, why, sizeof why);
    if (vrc == 1) return 1;
    if (attach(o)) return 1;
    size_t alloc;
    /* CPython looks the index up before it packs the value. */
    if (pyshm_list_slot(st.list, index, &alloc) != 0)
        return fail(PYSHM_EINDEX, "assignment index out of range", NULL);
    if (vrc) return value_error(vrc, why);
    bus_access = "written";
    int rc = pyshm_list_set(st.list, index, &st.items[0]);
    return rc ? finish(rc) : 0;
}

static int list_format(opts *o) {
    if (need_args(o, 1, "list format NAME")) return 2;
    if (attach(o)) return 1;
    out_init(&st.out);
    int rc = 0;
    /* Each item's format is read once (one word); the list's format is
     * their concatenation, as CPython's property builds it. */
    for (int64_t i = 0; rc == 0 && i < pyshm_list_len(st.list); i++) {
        char f[9];
        rc = pyshm_list_item_format(st.list, i, f);
        if (rc == 0) out_escaped(&st.out, f, strlen(f)); /* a format is bytes of the block */
    }
    out_str(&st.out, "\n");
    return finish(rc);
}

static int list_len(opts *o) {
    if (need_args(o, 1, "list len NAME")) return 2;
    if (attach(o)) return 1;
    int64_t n;
    int rc = pyshm_list_length(st.list, &n); /* ECLOSED is TypeError, as len() */
    if (rc) return fail(rc, NULL, NULL);
    printf("%" PRId64 "\n", n);
    return 0;
}

/*
 * count and index compare each item, read into private memory, with
 * Python's ==. An int outside int64 can only equal a float item, exactly;
 * a str holding a lone surrogate equals no item (items are valid UTF-8).
 * As CPython, index stops at the first match and count reads every item.
 */
static int list_search(opts *o, bool count) {
    if (need_args(o, 2, count ? "list count NAME VALUE" : "list index NAME VALUE")) return 2;
    char why[300];
    int vrc = parse_values(o->argv + 1, 1, why, sizeof why);
    if (vrc == 1) return 1;
    if (attach(o)) return 1;
    const pyshm_literal *lit = &st.lits[0];
    int64_t found = 0, at = -1;
    int rc = 0;
    for (int64_t i = 0; i < pyshm_list_len(st.list) && (count || at < 0); i++) {
        pyshm_value item;
        rc = read_item(i, &item);
        if (rc) break;
        bool eq = vrc == PYSHM_ERANGE   ? pyshm_literal_big_eq(lit, &item)
                  : vrc == PYSHM_EENCODE ? false
                                         : pyshm_value_eq(&lit->value, &item);
        if (eq && at < 0) at = i;
        found += eq;
    }
    out_init(&st.out);
    if (rc == 0 && !count && at < 0) {
        rc = PYSHM_ENOTFOUND;
        out_buf q;
        out_init(&q);
        pyshm_literal_repr(lit, &q);
        out_str(&q, " not in this container");
        snprintf(st.rd.msg, sizeof st.rd.msg, "%s", q.p ? q.p : "value not in this container");
        if (q.p && q.len >= sizeof st.rd.msg) /* a long value: shown cut, and said so */
            memcpy(st.rd.msg + sizeof st.rd.msg - 4, "...", 4);
        out_free(&q);
    }
    if (rc == 0) out_printf(&st.out, "%" PRId64 "\n", count ? found : at);
    return finish(rc);
}

typedef struct {
    const char *name;
    int (*run)(opts *o);
    unsigned options; /* OPT_* it accepts */
} command;

static int list_count(opts *o) { return list_search(o, true); }
static int list_index(opts *o) { return list_search(o, false); }

static const command list_commands[] = {
    {"create", list_create, OPT_NAME | OPT_LAYOUT | OPT_MANAGED},
    {"show", list_show, OPT_LAYOUT},
    {"get", list_get, OPT_LAYOUT},
    {"set", list_set, OPT_LAYOUT},
    {"format", list_format, OPT_LAYOUT},
    {"len", list_len, OPT_LAYOUT},
    {"count", list_count, OPT_LAYOUT},
    {"index", list_index, OPT_LAYOUT},
    {NULL, NULL, 0},
};
static const command block_commands[] = {
    {"create", cmd_create, OPT_NAME}, {"unlink", cmd_unlink, 0}, {"ls", cmd_ls, 0},
    {"dump", cmd_dump, 0},            {"inspect", cmd_inspect, OPT_LAYOUT},
    {"parse", cmd_parse, 0},          {NULL, NULL, 0},
};

static int dispatch(const command *table, const char *prefix, const char *name, int argc,
                    char **argv) {
    for (const command *c = table; c->name; c++) {
        if (strcmp(c->name, name) != 0) continue;
        static char cmd[32];
        snprintf(cmd, sizeof cmd, "%s%s", prefix, c->name);
        prog_cmd = cmd;
        opts o;
        int rc = parse_opts(argc, argv, c->options, &o);
        st.argv = o.argv;
        return rc ? rc : c->run(&o);
    }
    out_buf q;
    out_init(&q);
    out_repr_text(&q, name);
    message("unknown command %s%s (see pyshm %s--help)", prefix, q.p ? q.p : "", prefix);
    out_free(&q);
    return 2;
}

static bool is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

/* A command group's usage: on stderr (status 2) when no command follows,
 * on stdout (status 0) for --help; -1 when a command follows. */
static int group_usage(const char *text, int argc, char **argv) {
    if (argc < 1) {
        fputs(text, stderr);
        return 2;
    }
    if (is_help(argv[0])) {
        fputs(text, stdout);
        return 0;
    }
    return -1;
}

static int run(int argc, char **argv) {
    int rc = group_usage(usage, argc - 1, argv + 1);
    if (rc >= 0) return rc;
    if (strcmp(argv[1], "--version") == 0) {
        printf("pyshm %s\n", PYSHM_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "list") == 0) {
        rc = group_usage(list_usage, argc - 2, argv + 2);
        return rc >= 0 ? rc : dispatch(list_commands, "list ", argv[2], argc - 3, argv + 3);
    }
    return dispatch(block_commands, "", argv[1], argc - 2, argv + 2);
}

int main(int argc, char **argv) {
#ifdef SIGBUS
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_bus;
    sigaction(SIGBUS, &sa, NULL);
    if (sigsetjmp(bus_jump, 1)) {
        bus_armed = 0;
        fflush(stdout);
        char what[96];
        snprintf(what, sizeof what, "the block was truncated by another process while being %s",
                 bus_access);
        fail(PYSHM_EOS, what, NULL);
        release();
        return 1;
    }
    bus_armed = 1;
#endif
    int status = run(argc, argv);
#ifdef SIGBUS
    bus_armed = 0;
#endif
    release();
    return status;
}
