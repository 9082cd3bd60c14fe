/*
 * gen_man: writes the man page pyshm.1 to stdout from the tool's own
 * command table (help.c), the one `pyshm help` and every --help print, so
 * that the page cannot say anything the tool does not. Built and run by
 * make; the page is not kept in the repository.
 */
#include "help.h"

#include <stdio.h>
#include <string.h>

/* Text for roff: a backslash as \e, every '-' as \- (a real minus, which
 * copies as the option's hyphen), and a line that would start with a
 * control character ('.' or '\'') protected by \&. */
static void roff(const char *s, size_t n) {
    bool line_start = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (line_start && (c == '.' || c == '\'')) fputs("\\&", stdout);
        if (c == '\\') fputs("\\e", stdout);
        else if (c == '-') fputs("\\-", stdout);
        else putchar(c);
        line_start = c == '\n';
    }
}
static void roff_str(const char *s) { roff(s, strlen(s)); }

/* Paragraphs as help.c writes them: a filled one as text, one whose lines
 * start with two spaces as a block shown as it is. */
static void paragraphs(const char *text) {
    for (const char *p = text; *p;) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (p[0] == ' ' && p[1] == ' ') {
            fputs(".PP\n.RS 2\n.nf\n", stdout);
            roff(p, n);
            fputs("\n.fi\n.RE\n", stdout);
        } else {
            fputs(".PP\n", stdout);
            roff(p, n);
            putchar('\n');
        }
        p += n;
        while (*p == '\n') p++;
    }
}

static void usage_line(const cli_command *c) {
    out_buf u;
    out_init(&u);
    help_usage(&u, c);
    if (u.p == NULL) return;
    const char *synopsis = u.p + strlen("usage: "); /* "pyshm list show [-h] ... NAME\n" */
    roff(synopsis, strlen(synopsis) - 1);
    out_free(&u);
}

static void option_item(const char *form, const char *help) {
    fputs(".TP\n.B ", stdout);
    roff_str(form);
    putchar('\n');
    roff_str(help);
    putchar('\n');
}

int main(void) {
    fputs(".\\\" pyshm.1: made by gen_man from the tool's command table (ref/cli/help.c),\n"
          ".\\\" the text of `pyshm help`; change that, not this.\n",
          stdout);
    printf(".TH PYSHM 1 \"\" \"pyshm %s\" \"User Commands\"\n", PYSHM_VERSION);
    fputs(".nh\n.ad l\n.SH NAME\npyshm \\- ", stdout);
    roff_str(cli_oneline);
    fputs("\n.SH SYNOPSIS\n.nf\n", stdout);
    roff_str("pyshm [-h] [-V] COMMAND [ARGS]\n");
    for (const cli_command *c = cli_commands; c->name; c++) {
        usage_line(c);
        putchar('\n');
    }
    fputs(".fi\n.SH DESCRIPTION\n", stdout);
    paragraphs(cli_about);
    fputs(".SH OPTIONS\n", stdout);
    for (const cli_option *o = cli_global_options; o->id; o++) option_item(o->flag, o->help);
    fputs(".SH COMMANDS\n", stdout);
    for (const cli_command *c = cli_commands; c->name; c++) {
        fputs(".SS \"", stdout);
        usage_line(c);
        fputs("\"\n", stdout);
        paragraphs(c->text);
        option_item("-h, --help", cli_help_option);
        for (const cli_option *o = c->options; o->id; o++) {
            out_buf form;
            out_init(&form);
            help_option_form(&form, o);
            if (form.p) option_item(form.p, o->help);
            out_free(&form);
        }
    }
    for (const cli_topic *t = cli_topics; t->name; t++) {
        printf(".SH %s\n", t->title);
        paragraphs(t->text);
    }
    fputs(".SH EXIT STATUS\n", stdout);
    paragraphs(cli_exit_status);
    fputs(".SH SHELL COMPLETION\n", stdout);
    paragraphs("bash and zsh complete the commands, options, layouts and the names of blocks: "
               "make install puts share/bash-completion/completions/pyshm and "
               "share/zsh/site-functions/_pyshm under its PREFIX. Both ask the tool itself "
               "(pyshm __complete -- WORD...), so they know the commands of the version "
               "installed.");
    fputs(".SH SEE ALSO\n.BR hexdump (1),\n.BR python3 (1)\n", stdout);
    return ferror(stdout) ? 1 : 0;
}
