/* Messages: errors as Python names them, usage errors, literals refused. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const cli_command *running; /* the command running, once known (pyshm.c) */

static void vmessage(const char *fmt, va_list ap) {
    out_buf b;
    out_init(&b);
    out_vprintf(&b, fmt, ap);
    out_buf safe;
    out_init(&safe);
    out_escaped(&safe, b.p ? b.p : "", b.p ? b.len : 0);
    fprintf(stderr, "pyshm: %s%s%s\n", running ? running->name : "", running ? ": " : "",
            safe.p ? safe.p : "out of memory");
    out_free(&safe);
    out_free(&b);
}

void message(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

int fail(int rc, const char *what, const char *detail) {
    message("%s: %s%s%s", pyshm_err_pyexc(rc), what ? what : pyshm_strerror(rc),
            detail && *detail ? ": " : "", detail ? detail : "");
    return 1;
}

int fail_name(int rc, const char *what, const char *name) {
    if (name == NULL) return fail(rc, what, NULL);
    out_buf q;
    out_init(&q);
    out_name(&q, name);
    int status = fail(rc, what, q.p);
    out_free(&q);
    return status;
}

int usage_error(const char *fmt, ...) {
    out_buf u;
    out_init(&u);
    if (running) help_usage(&u, running);
    if (u.p) fputs(u.p, stderr);
    out_free(&u);
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return 2;
}

int need_args(const opts *o, int n) {
    if (o->argc == n) return 0;
    return usage_error(o->argc < n ? "missing arguments (see pyshm help %s)"
                                   : "too many arguments (see pyshm help %s)",
                       running ? running->name : "");
}

int parse_index(const char *s, int64_t *out) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0') return usage_error("INDEX must be an integer");
    *out = v;
    return 0;
}

void print_name(const char *name, const char *suffix) {
    out_buf b;
    out_init(&b);
    out_name(&b, name);
    out_str(&b, suffix);
    if (b.p) fputs(b.p, stdout);
    out_free(&b);
}

const char *layout_name(pyshm_layout l) { return l == PYSHM_LAYOUT_PY38 ? "py38" : "py39"; }

/* ---- literals ------------------------------------------------------------ */

static bool line_break(char c) { return c == '\n' || c == '\r'; }

static size_t chars_in(const char *s, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

void literal_position(const char *text, size_t at, size_t *line, size_t *column) {
    size_t start = 0;
    *line = 1;
    for (size_t i = 0; i < at; i++) {
        if (!line_break(text[i])) continue;
        if (text[i] == '\r' && text[i + 1] == '\n') i++; /* one line break */
        (*line)++;
        start = i + 1;
    }
    *column = 1 + chars_in(text + start, at - start);
}

void literal_where(out_buf *b, const char *text, const pyshm_literal *lit) {
    size_t line, column;
    literal_position(text, lit->err_at, &line, &column);
    if (line > 1) out_printf(b, " (line %zu, column %zu)", line, column);
    else out_printf(b, " (column %zu)", column);
    if (lit->suggestion) {
        out_str(b, ". Did you mean: ");
        out_str(b, lit->suggestion);
        out_str(b, "?");
    }
}

/* s as a POSIX shell word: as it is when nothing in it is special there,
 * in double quotes when only quotes and spaces are, else in single quotes. */
static void shell_quote(out_buf *b, const char *s) {
    if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-") ==
        strlen(s)) {
        out_str(b, s);
        return;
    }
    if (strpbrk(s, "\"$`\\!") == NULL) {
        out_printf(b, "\"%s\"", s);
        return;
    }
    out_str(b, "'");
    for (const char *p = s; *p; p++) out_str(b, *p == '\'' ? "'\\''" : (char[2]){*p, 0});
    out_str(b, "'");
}

/* The line of text holding the problem, escaped as messages are, with a
 * caret under each character of it, as Python shows a SyntaxError. */
static void show_caret(const char *text, const pyshm_literal *lit) {
    size_t len = strlen(text), at = lit->err_at > len ? len : lit->err_at;
    size_t start = at, end = at;
    while (start > 0 && !line_break(text[start - 1])) start--;
    while (end < len && !line_break(text[end])) end++;
    size_t stop = at + lit->err_len > end ? end : at + lit->err_len;
    while (stop < end && ((unsigned char)text[stop] & 0xC0) == 0x80) stop++; /* whole characters */
    out_buf before, under, rest;
    out_init(&before);
    out_init(&under);
    out_init(&rest);
    out_escaped(&before, text + start, at - start);
    out_escaped(&under, text + at, stop - at);
    out_escaped(&rest, text + stop, end - stop);
    size_t line, column;
    literal_position(text, at, &line, &column);
    if (before.p && under.p && rest.p) {
        if (strpbrk(text, "\r\n")) fprintf(stderr, "  line %zu:\n", line);
        fprintf(stderr, "    %s%s%s\n    ", before.p, under.p, rest.p);
        for (size_t i = chars_in(before.p, before.len); i > 0; i--) fputc(' ', stderr);
        size_t carets = chars_in(under.p, under.len);
        for (size_t i = carets ? carets : 1; i > 0; i--) fputc('^', stderr);
        fputc('\n', stderr);
    }
    out_free(&before);
    out_free(&under);
    out_free(&rest);
}

int literal_error(int rc, const char *text, const pyshm_literal *lit, const char *why) {
    out_buf q;
    out_init(&q);
    out_repr_text(&q, text);
    if (why[0]) {
        out_str(&q, ": ");
        out_str(&q, why);
    }
    fail(rc, "invalid value", q.p);
    out_free(&q);
    if (rc != PYSHM_EINVAL) return 1;
    show_caret(text, lit);
    if (lit->suggestion) {
        out_buf hint;
        out_init(&hint);
        out_buf word;
        out_init(&word);
        shell_quote(&word, lit->suggestion);
        out_printf(&hint, "Did you mean: %s?", lit->suggestion);
        if (word.p && strcmp(word.p, lit->suggestion) != 0)
            out_printf(&hint, " (in a shell: %s)", word.p);
        out_free(&word);
        out_buf safe;
        out_init(&safe);
        if (hint.p) out_escaped(&safe, hint.p, hint.len);
        if (safe.p) fprintf(stderr, "%s\n", safe.p);
        out_free(&safe);
        out_free(&hint);
    }
    return 1;
}
