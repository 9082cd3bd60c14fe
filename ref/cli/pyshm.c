/* pyshm: create, read, write and explain CPython shared memory from a shell. */
#include "literal.h"
#include "pyshm.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: pyshm COMMAND [ARGS]\n"
    "\n"
    "Shared memory blocks (Python's multiprocessing.shared_memory.SharedMemory):\n"
    "  pyshm create SIZE [--name NAME]   create a block of SIZE bytes; print its name\n"
    "  pyshm unlink NAME                 remove a block's name\n"
    "  pyshm ls                          list the blocks that exist (name, size)\n"
    "  pyshm dump NAME                   print a block's bytes as lowercase hex\n"
    "  pyshm inspect NAME [--layout L]   explain a ShareableList image field by field\n"
    "\n"
    "Lists (ShareableList):\n"
    "  pyshm list create [--name NAME] [--layout py38|py39] [--managed] VALUE...\n"
    "                                    create a list; print its name\n"
    "                                    --managed: keep it until interrupted or\n"
    "                                    killed, then unlink it (even on SIGKILL)\n"
    "  pyshm list show NAME              print the items as a Python list literal\n"
    "  pyshm list get NAME INDEX         print repr() of one item\n"
    "  pyshm list set NAME INDEX VALUE   store a value\n"
    "  pyshm list format NAME            print the list's struct format\n"
    "  pyshm list len NAME               print the number of items\n"
    "  pyshm list count NAME VALUE       print how many items == VALUE\n"
    "  pyshm list index NAME VALUE       print the first index of VALUE\n"
    "\n"
    "VALUEs are Python literals: 42, -273.154, inf, nan, 'howdy', '\\u20ac',\n"
    "b'HoWdY', b'\\x00', None, True, False. Lists read on attach detect their\n"
    "layout (py38: CPython 3.8, py39: 3.9 and later); --layout forces one.\n"
    "\n"
    "  pyshm --help | --version\n";

static const char *prog_cmd = "pyshm";

/* Reports a library error the way Python would name it; exit status 1. */
static int fail(int rc, const char *what, const char *detail) {
    fprintf(stderr, "pyshm: %s: %s: %s%s%s\n", prog_cmd, pyshm_err_pyexc(rc),
            what ? what : pyshm_strerror(rc), detail && *detail ? ": " : "",
            detail ? detail : "");
    return 1;
}

static int usage_error(const char *msg) {
    fprintf(stderr, "pyshm: %s: %s\n(see pyshm --help)\n", prog_cmd, msg);
    return 2;
}

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
            fprintf(stderr, "pyshm: %s: unknown option %s\n", prog_cmd, a);
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

static int parse_value(const char *text, pyshm_value *v, char **storage) {
    char why[300];
    int rc = pyshm_literal_parse(text, v, storage, why, sizeof why);
    return rc ? fail(rc, "invalid value", why) : 0;
}

/* ---- block commands ------------------------------------------------------ */

static int cmd_create(opts *o) {
    if (need_args(o, 1, "create SIZE [--name NAME]")) return 2;
    char *end;
    long long size = strtoll(o->argv[0], &end, 10);
    if (*end != '\0' || end == o->argv[0]) return usage_error("SIZE must be an integer");
    pyshm_shm *shm;
    int rc = pyshm_shm_create(o->name, size, &shm);
    if (rc) return fail(rc, NULL, o->name);
    printf("%s\n", pyshm_shm_name(shm));
    pyshm_shm_free(shm);
    return 0;
}

static int cmd_unlink(opts *o) {
    if (need_args(o, 1, "unlink NAME")) return 2;
    int rc = pyshm_unlink(o->argv[0]);
    return rc ? fail(rc, NULL, o->argv[0]) : 0;
}

static int print_block(const char *name, uint64_t size, void *arg) {
    (void)arg;
    printf("%s\t%" PRIu64 "\n", name, size);
    return 0;
}

static int cmd_ls(opts *o) {
    if (need_args(o, 0, "ls")) return 2;
    int rc = pyshm_shm_foreach(print_block, NULL);
    return rc ? fail(rc, NULL, NULL) : 0;
}

static int cmd_dump(opts *o) {
    if (need_args(o, 1, "dump NAME")) return 2;
    pyshm_shm *shm;
    int rc = pyshm_shm_attach(o->argv[0], &shm);
    if (rc) return fail(rc, NULL, o->argv[0]);
    const uint8_t *b = pyshm_shm_buf(shm);
    size_t n = pyshm_shm_size(shm);
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
    pyshm_shm_free(shm);
    return 0;
}

static void print_line(const char *line, void *arg) {
    (void)arg;
    puts(line);
}

static int cmd_inspect(opts *o) {
    if (need_args(o, 1, "inspect NAME [--layout py38|py39]")) return 2;
    pyshm_shm *shm;
    int rc = pyshm_shm_attach(o->argv[0], &shm);
    if (rc) return fail(rc, NULL, o->argv[0]);
    printf("block %s\n", pyshm_shm_name(shm));
    rc = pyshm_inspect(pyshm_shm_buf(shm), pyshm_shm_size(shm), o->layout, print_line, NULL);
    pyshm_shm_free(shm);
    return rc ? 1 : 0;
}

/* ---- list commands ------------------------------------------------------- */

static int attach(opts *o, pyshm_list **l) {
    char why[256];
    int rc = pyshm_list_attach(o->argv[0], o->layout, l, why, sizeof why);
    return rc ? fail(rc, NULL, why[0] ? why : o->argv[0]) : 0;
}

static int list_error(pyshm_list *l, int rc) {
    const char *why = pyshm_list_errmsg(l);
    int status = fail(rc, why[0] ? why : NULL, NULL);
    pyshm_list_free(l);
    return status;
}

static int print_repr(const pyshm_value *v) {
    size_t n = pyshm_value_repr(v, NULL, 0);
    char *s = malloc(n + 1);
    if (s == NULL) return fail(PYSHM_ENOMEM, NULL, NULL);
    pyshm_value_repr(v, s, n + 1);
    puts(s);
    free(s);
    return 0;
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
    pyshm_value *items = calloc((size_t)o->argc + 1, sizeof *items);
    char **storage = calloc((size_t)o->argc + 1, sizeof *storage);
    int status = 0;
    if (items == NULL || storage == NULL) status = fail(PYSHM_ENOMEM, NULL, NULL);
    for (int i = 0; status == 0 && i < o->argc; i++)
        status = parse_value(o->argv[i], &items[i], &storage[i]);
    if (status == 0) {
        pyshm_list *l;
        pyshm_manager *m = NULL;
        if (o->managed) hold_stop_signals();
        int rc = o->managed ? pyshm_manager_start(&m) : 0;
        if (rc == 0)
            rc = m ? pyshm_manager_list_create(m, o->name, items, (size_t)o->argc, o->layout, &l)
                   : pyshm_list_create(o->name, items, (size_t)o->argc, o->layout, &l);
        if (rc) {
            status = fail(rc, NULL, o->name);
        } else {
            printf("%s\n", pyshm_shm_name(pyshm_list_shm(l)));
            if (m) {
                fflush(stdout);
                wait_for_stop();
            }
            pyshm_list_free(l);
        }
        pyshm_manager_free(m); /* shuts the manager down: the block is unlinked */
    }
    for (int i = 0; storage && i < o->argc; i++) free(storage[i]);
    free(storage);
    free(items);
    return status;
}

static int list_show(opts *o) {
    if (need_args(o, 1, "list show NAME")) return 2;
    pyshm_list *l;
    if (attach(o, &l)) return 1;
    size_t n;
    int rc = pyshm_list_repr(l, NULL, 0, &n);
    if (rc && rc != PYSHM_ENOBUFS) return list_error(l, rc);
    char *s = malloc(n + 1);
    if (s == NULL) return list_error(l, PYSHM_ENOMEM);
    rc = pyshm_list_repr(l, s, n + 1, &n);
    if (rc == 0) puts(s);
    free(s);
    if (rc) return list_error(l, rc);
    pyshm_list_free(l);
    return 0;
}

static int list_get(opts *o) {
    if (need_args(o, 2, "list get NAME INDEX")) return 2;
    int64_t index;
    if (parse_index(o->argv[1], &index)) return 2;
    pyshm_list *l;
    if (attach(o, &l)) return 1;
    pyshm_value v;
    int rc = pyshm_list_get(l, index, &v);
    if (rc) return list_error(l, rc);
    rc = print_repr(&v);
    pyshm_list_free(l);
    return rc;
}

static int list_set(opts *o) {
    if (need_args(o, 3, "list set NAME INDEX VALUE")) return 2;
    int64_t index;
    if (parse_index(o->argv[1], &index)) return 2;
    pyshm_value v;
    char *storage;
    if (parse_value(o->argv[2], &v, &storage)) return 1;
    pyshm_list *l;
    int status = attach(o, &l);
    if (status == 0) {
        int rc = pyshm_list_set(l, index, &v);
        if (rc) {
            status = list_error(l, rc);
        } else {
            pyshm_list_free(l);
        }
    }
    free(storage);
    return status;
}

static int list_format(opts *o) {
    if (need_args(o, 1, "list format NAME")) return 2;
    pyshm_list *l;
    if (attach(o, &l)) return 1;
    size_t n;
    int rc = pyshm_list_format(l, NULL, 0, &n);
    if (rc && rc != PYSHM_ENOBUFS) return list_error(l, rc);
    char *s = malloc(n + 1);
    if (s == NULL) return list_error(l, PYSHM_ENOMEM);
    rc = pyshm_list_format(l, s, n + 1, &n);
    if (rc == 0) puts(s);
    free(s);
    if (rc) return list_error(l, rc);
    pyshm_list_free(l);
    return 0;
}

static int list_len(opts *o) {
    if (need_args(o, 1, "list len NAME")) return 2;
    pyshm_list *l;
    if (attach(o, &l)) return 1;
    printf("%" PRId64 "\n", pyshm_list_len(l));
    pyshm_list_free(l);
    return 0;
}

static int list_search(opts *o, bool count) {
    if (need_args(o, 2, count ? "list count NAME VALUE" : "list index NAME VALUE")) return 2;
    pyshm_value v;
    char *storage;
    if (parse_value(o->argv[1], &v, &storage)) return 1;
    pyshm_list *l;
    int status = attach(o, &l);
    if (status == 0) {
        int64_t result;
        int rc = count ? pyshm_list_count(l, &v, &result) : pyshm_list_index(l, &v, &result);
        if (rc) {
            status = list_error(l, rc);
        } else {
            printf("%" PRId64 "\n", result);
            pyshm_list_free(l);
        }
    }
    free(storage);
    return status;
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
    {"dump", cmd_dump, 0},            {"inspect", cmd_inspect, OPT_LAYOUT}, {NULL, NULL, 0},
};

static int dispatch(const command *table, const char *name, int argc, char **argv) {
    for (const command *c = table; c->name; c++) {
        if (strcmp(c->name, name) != 0) continue;
        opts o;
        int rc = parse_opts(argc, argv, c->options, &o);
        if (rc == 0) rc = c->run(&o);
        free(o.argv);
        return rc;
    }
    fprintf(stderr, "pyshm: unknown command '%s' (see pyshm --help)\n", name);
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("pyshm %s\n", PYSHM_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "list") == 0) {
        if (argc < 3) return usage_error("expected: pyshm list COMMAND ...");
        static char cmd[32];
        snprintf(cmd, sizeof cmd, "list %s", argv[2]);
        prog_cmd = cmd;
        return dispatch(list_commands, argv[2], argc - 3, argv + 3);
    }
    prog_cmd = argv[1];
    return dispatch(block_commands, argv[1], argc - 2, argv + 2);
}
