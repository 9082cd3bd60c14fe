/* pyshm: create, read, write and explain CPython shared memory from a shell. */
#include "cli.h"

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The command functions, by the name of their cli_command. */
static const struct {
    const char *name;
    command_fn run;
} handlers[] = {
    {"create", cmd_create},         {"unlink", cmd_unlink},       {"ls", cmd_ls},
    {"dump", cmd_dump},             {"inspect", cmd_inspect},     {"parse", cmd_parse},
    {"list create", list_create},   {"list show", list_show},     {"list get", list_get},
    {"list set", list_set},         {"list format", list_format}, {"list len", list_len},
    {"list count", list_count},     {"list index", list_index},
};

static command_fn handler_of(const cli_command *c) {
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(handlers[i].name, c->name) == 0) return handlers[i].run;
    return NULL;
}

/* ---- a truncated block ---------------------------------------------------- */

/*
 * Another process may shrink a block (ftruncate) while this one reads or
 * writes its mapping: the next access beyond the new end raises SIGBUS.
 * Every command runs under a handler that jumps back to main(), which turns
 * it into an error and exit status 1 instead of a death by signal. Nothing
 * is printed from inside the handler; the commands render into private
 * buffers first, so stdout holds no half-printed value (dump, which
 * streams, may have printed part of the block before the error).
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

/* ---- did you mean -------------------------------------------------------- */

/* Levenshtein distance, for words of up to 31 characters (else large). */
static size_t distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31) return 99;
    size_t row[32];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest of the words (a NULL-ended list) to word, when close enough
 * to be a slip of the fingers, else NULL. */
static const char *closest(const char *word, const char *const *words) {
    const char *best = NULL;
    size_t best_d = strlen(word) < 4 ? 1 : 2;
    for (; *words; words++) {
        size_t d = distance(word, *words);
        if (d <= best_d && (best == NULL || d < best_d)) best = *words, best_d = d;
    }
    return best;
}

/* ". Did you mean: 'show'?", or nothing. */
static void did_you_mean(out_buf *b, const char *word, const char *const *words) {
    const char *c = closest(word, words);
    if (c) out_printf(b, ". Did you mean: '%s'?", c);
}

/* ---- options ------------------------------------------------------------- */

static bool is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

static int unknown_option(const cli_command *c, const char *arg) {
    const char *flags[CLI_MAX_OPTIONS + 2];
    size_t k = 0;
    for (const cli_option *o = c->options; o->id; o++) flags[k++] = o->flag;
    flags[k++] = "--help";
    flags[k] = NULL;
    out_buf q;
    out_init(&q);
    out_repr_text(&q, arg);
    out_buf why;
    out_init(&why);
    size_t flag_len = strcspn(arg, "=");
    char flag[40];
    snprintf(flag, sizeof flag, "%.*s", (int)(flag_len < sizeof flag ? flag_len : 0), arg);
    did_you_mean(&why, flag, flags);
    int status = usage_error("unrecognized option %s%s (see pyshm help %s)", q.p ? q.p : "",
                             why.p ? why.p : "", c->name);
    out_free(&why);
    out_free(&q);
    return status;
}

/*
 * Splits argv into the command's options and its positional arguments.
 * Options are words that start with "--" (so that -1 and -inf are values),
 * "--flag VALUE" or "--flag=VALUE"; "--" ends them. Returns 0, or 2 after a
 * usage error.
 */
static int parse_opts(const cli_command *c, int argc, char **argv, opts *o) {
    memset(o, 0, sizeof *o);
    o->layout = PYSHM_LAYOUT_AUTO;
    o->argv = calloc((size_t)argc + 1, sizeof *o->argv);
    st.argv = o->argv;
    if (o->argv == NULL) return fail(PYSHM_ENOMEM, NULL, NULL);
    bool dashdash = false;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (dashdash || a[0] != '-' || a[1] != '-') {
            o->argv[o->argc++] = a;
            continue;
        }
        if (a[2] == '\0') {
            dashdash = true;
            continue;
        }
        char flag[40];
        size_t flag_len = strcspn(a, "=");
        const cli_option *opt = NULL;
        if (flag_len < sizeof flag) {
            memcpy(flag, a, flag_len);
            flag[flag_len] = '\0';
            opt = cli_find_option(c, flag);
        }
        if (opt == NULL) return unknown_option(c, a);
        const char *value = NULL;
        if (opt->metavar) {
            if (a[flag_len] == '=') value = a + flag_len + 1;
            else if (i + 1 < argc) value = argv[++i];
            else return usage_error("%s needs a value: %s", opt->flag, opt->metavar);
        } else if (a[flag_len] == '=') {
            return usage_error("%s takes no value", opt->flag);
        }
        switch (opt->id) {
        case OPT_NAME: o->name = value; break;
        case OPT_MANAGED: o->managed = true; break;
        case OPT_JSON: o->json = true; break;
        case OPT_LONG: o->long_form = true; break;
        case OPT_RAW: o->raw = true; break;
        case OPT_LAYOUT:
            if (strcmp(value, "py38") == 0) o->layout = PYSHM_LAYOUT_PY38;
            else if (strcmp(value, "py39") == 0) o->layout = PYSHM_LAYOUT_PY39;
            else return usage_error("--layout takes py38 or py39, not %s", value);
            break;
        }
    }
    return 0;
}

/* ---- help ---------------------------------------------------------------- */

/* Renders a help text to f; returns 0 (help asked for is not an error). */
static int print_help(void (*render)(out_buf *, const void *), const void *what, FILE *f) {
    out_buf b;
    out_init(&b);
    render(&b, what);
    if (b.p) fputs(b.p, f);
    out_free(&b);
    return 0;
}
static void render_command(out_buf *b, const void *c) { help_command(b, c); }
static void render_topic(out_buf *b, const void *t) { help_topic(b, t); }
static void render_overview(out_buf *b, const void *group) { help_overview(b, group); }

/* Every command and topic name, for suggestions. */
static const char **help_names(const char *group) {
    static const char *names[64];
    size_t k = 0;
    for (const cli_command *c = cli_commands; c->name && k < 60; c++) {
        if (group == NULL) names[k++] = c->name;
        else if (cli_subcommand(c, group)) names[k++] = cli_subcommand(c, group);
    }
    for (const cli_topic *t = cli_topics; group == NULL && t->name && k < 62; t++)
        names[k++] = t->name;
    if (group == NULL) names[k++] = "list";
    names[k] = NULL;
    return names;
}

/* ". Did you mean: 'X'?" for a word that is nearly a command of group (or a
 * top-level command or topic), else, at the top level, nearly one of the
 * list's: ". Did you mean: 'list show'?" for `show`. */
static void suggest_command(out_buf *b, const char *word, const char *group) {
    did_you_mean(b, word, help_names(group));
    const char *in_list = b->len == 0 && group == NULL ? closest(word, help_names("list")) : NULL;
    if (in_list) out_printf(b, ". Did you mean: 'list %s'?", in_list);
}

/* pyshm help [COMMAND | TOPIC] */
static int help(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        if (is_help(argv[i])) return print_help(render_command, cli_find_command("help"), stdout);
    if (argc == 0) return print_help(render_overview, NULL, stdout);
    char name[64];
    snprintf(name, sizeof name, "%s%s%s", argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
    const cli_command *c = argc <= 2 ? cli_find_command(name) : NULL;
    const cli_topic *t = argc == 1 ? cli_find_topic(name) : NULL;
    if (c) return print_help(render_command, c, stdout);
    if (t) return print_help(render_topic, t, stdout);
    if (argc == 1 && strcmp(argv[0], "list") == 0) return print_help(render_overview, "list", stdout);
    out_buf q, why;
    out_init(&q);
    out_init(&why);
    out_repr_text(&q, name);
    suggest_command(&why, name, NULL);
    message("no help for %s%s (pyshm help lists the commands and topics)", q.p ? q.p : "",
            why.p ? why.p : "");
    out_free(&q);
    out_free(&why);
    return 2;
}

static int version(void) {
    const char *lib = pyshm_version();
    if (strcmp(lib, PYSHM_VERSION) == 0) printf("pyshm %s\n", PYSHM_VERSION);
    else printf("pyshm %s (libpyshm %s)\n", PYSHM_VERSION, lib);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

static int run_command(const cli_command *c, int argc, char **argv) {
    running = c;
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (is_help(argv[i])) return print_help(render_command, c, stdout);
    opts o;
    int rc = parse_opts(c, argc, argv, &o);
    return rc ? rc : handler_of(c)(&o);
}

static int unknown_command(const char *group, const char *word) {
    out_buf q, why;
    out_init(&q);
    out_init(&why);
    if (group) fprintf(stderr, "usage: pyshm %s [-h] COMMAND [ARGS]\n", group);
    else fprintf(stderr, "usage: pyshm [-h] [-V] COMMAND [ARGS]\n");
    out_repr_text(&q, word);
    suggest_command(&why, word, group);
    if (word[0] == '-')
        message("unrecognized option %s%s (see pyshm help%s%s)", q.p ? q.p : "",
                why.p ? why.p : "", group ? " " : "", group ? group : "");
    else
        message("unknown command %s%s%s%s (see pyshm help%s%s)", group ? group : "",
                group ? " " : "", q.p ? q.p : "", why.p ? why.p : "", group ? " " : "",
                group ? group : "");
    out_free(&q);
    out_free(&why);
    return 2;
}

static int run(int argc, char **argv) {
    if (argc < 2) {
        print_help(render_overview, NULL, stderr);
        return 2;
    }
    const char *a = argv[1];
    if (is_help(a)) return print_help(render_overview, NULL, stdout);
    if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) return version();
    if (strcmp(a, "help") == 0) return help(argc - 2, argv + 2);
    if (strcmp(a, "__complete") == 0) return complete(argc - 2, argv + 2);
    if (strcmp(a, "list") == 0) {
        if (argc < 3) {
            print_help(render_overview, "list", stderr);
            return 2;
        }
        if (is_help(argv[2])) return print_help(render_overview, "list", stdout);
        if (argv[2][0] == '-') return unknown_command("list", argv[2]);
        char name[64];
        snprintf(name, sizeof name, "list %s", argv[2]);
        const cli_command *c = cli_find_command(name);
        return c ? run_command(c, argc - 3, argv + 3) : unknown_command("list", argv[2]);
    }
    const cli_command *c = cli_find_command(a);
    if (c == NULL || handler_of(c) == NULL) return unknown_command(NULL, a);
    return run_command(c, argc - 2, argv + 2);
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
    if (fflush(stdout) != 0 && status == 0) { /* a full disk, a closed pipe */
        running = NULL;
        return fail(PYSHM_EOS, "cannot write the output", NULL);
    }
    return status;
}
