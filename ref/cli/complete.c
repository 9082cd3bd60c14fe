/*
 * `pyshm __complete [--describe] -- WORD...`: what a shell may complete the
 * last WORD (the one under the cursor, maybe "") to, after the WORDs that
 * follow "pyshm" on the line. One candidate a line, with a tab and a
 * description when --describe is given (zsh shows them). The candidates
 * come from the command table, and the names of blocks from the system, so
 * the bash and zsh scripts hold no list of their own and cannot drift.
 */
#include "cli.h"

#include <string.h>

typedef struct {
    const char *cur;
    bool describe;
    out_buf out;
} cands;

/* Offers word when it completes the current word. */
static void offer_str(cands *c, const char *word, const char *description) {
    if (strncmp(word, c->cur, strlen(c->cur)) != 0) return;
    out_str(&c->out, word);
    if (c->describe && description) out_printf(&c->out, "\t%s", description);
    out_str(&c->out, "\n");
}

/* The commands of a group ("list"), or the top-level ones (NULL). */
static void offer_commands(cands *c, const char *group) {
    for (const cli_command *k = cli_commands; k->name; k++) {
        const char *sub = group ? cli_subcommand(k, group) : strchr(k->name, ' ') ? NULL : k->name;
        if (sub) offer_str(c, sub, k->summary);
    }
    if (group == NULL) offer_str(c, "list", "ShareableList commands");
}

static int offer_block(const char *name, uint64_t size, void *arg) {
    (void)size;
    out_buf shown;
    out_init(&shown);
    out_name(&shown, name);
    if (shown.p && strcmp(shown.p, name) == 0) offer_str(arg, name, "a shared memory block");
    out_free(&shown);
    return 0;
}

/* The metavar of positional argument k of a command ("NAME"), or NULL. */
static void positional(const cli_command *k, int index, char *out, size_t cap) {
    out[0] = '\0';
    const char *p = k->args;
    for (int i = 0; *p; i++) {
        size_t len = strcspn(p, " ");
        bool repeats = len > 3 && strncmp(p + len - 3, "...", 3) == 0;
        if (i == index || (repeats && i <= index)) {
            size_t n = repeats ? len - 3 : len;
            snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
            return;
        }
        p += len;
        while (*p == ' ') p++;
    }
}

/* Candidates for words[n - 1] of command k, whose arguments are words[0..n-1). */
static void offer_args(cands *c, const cli_command *k, char **words, int n) {
    bool dashdash = false;
    int count = 0;
    const cli_option *needs_value = NULL;
    for (int i = 0; i < n - 1; i++) {
        const char *w = words[i];
        if (needs_value) {
            needs_value = NULL;
        } else if (!dashdash && strcmp(w, "--") == 0) {
            dashdash = true;
        } else if (!dashdash && strncmp(w, "--", 2) == 0) {
            const cli_option *o = cli_find_option(k, w);
            needs_value = o && o->metavar ? o : NULL;
        } else {
            count++;
        }
    }
    const char *cur = c->cur;
    if (needs_value) {
        char choices[64];
        snprintf(choices, sizeof choices, "%s", needs_value->choices ? needs_value->choices : "");
        for (char *t = strtok(choices, " "); t; t = strtok(NULL, " ")) offer_str(c, t, NULL);
        return;
    }
    if (!dashdash && cur[0] == '-') {
        for (const cli_option *o = k->options; o->id; o++) offer_str(c, o->flag, o->help);
        offer_str(c, "--help", "show the help of this command");
        return;
    }
    char metavar[32];
    positional(k, count, metavar, sizeof metavar);
    if (strcmp(metavar, "NAME") == 0) pyshm_shm_foreach(offer_block, c);
}

int complete(int argc, char **argv) {
    cands c = {"", false, {0}};
    int i = 0;
    if (i < argc && strcmp(argv[i], "--describe") == 0) c.describe = true, i++;
    if (i < argc && strcmp(argv[i], "--") == 0) i++;
    char **w = argv + i;
    int n = argc - i;
    if (n == 0) return 0;
    c.cur = w[n - 1];
    out_init(&c.out);
    if (n == 1) {
        if (c.cur[0] == '-') {
            offer_str(&c, "--help", "show the overview of the commands");
            offer_str(&c, "--version", "print the version");
        } else {
            offer_commands(&c, NULL);
        }
    } else if (strcmp(w[0], "help") == 0) {
        if (n == 2) {
            offer_commands(&c, NULL);
            for (const cli_topic *t = cli_topics; t->name; t++) offer_str(&c, t->name, t->summary);
        } else if (n == 3 && strcmp(w[1], "list") == 0) {
            offer_commands(&c, "list");
        }
    } else if (strcmp(w[0], "list") == 0) {
        char name[64];
        snprintf(name, sizeof name, "list %s", w[1]);
        const cli_command *k = cli_find_command(name);
        if (n == 2) offer_commands(&c, "list");
        else if (k) offer_args(&c, k, w + 2, n - 2);
    } else {
        const cli_command *k = cli_find_command(w[0]);
        if (k) offer_args(&c, k, w + 1, n - 1);
    }
    if (c.out.p) fputs(c.out.p, stdout);
    out_free(&c.out);
    return 0;
}
