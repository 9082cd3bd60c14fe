/*
 * The tool's commands, their options and the help topics: one table that
 * drives the option parser, `pyshm help`, every --help, the man page
 * (gen_man.c) and shell completion (complete.c), so that none of them can
 * say something the others do not.
 */
#ifndef PYSHM_CLI_HELP_H
#define PYSHM_CLI_HELP_H

#include "out.h"

#include <stdbool.h>

/* What an option sets (cli_option.id). */
enum { OPT_NAME = 1, OPT_LAYOUT, OPT_MANAGED, OPT_JSON, OPT_LONG, OPT_RAW };

typedef struct {
    int id;              /* 0 ends a list of options */
    const char *flag;    /* "--layout" */
    const char *metavar; /* "py38|py39"; NULL for a flag that takes no value */
    const char *choices; /* the values completion offers, space-separated, or NULL */
    const char *help;
} cli_option;

enum { CLI_MAX_OPTIONS = 4 };

/*
 * A command. text holds paragraphs separated by blank lines; a paragraph
 * whose lines start with two spaces is shown as it is (an example, a
 * table), any other is filled to the width of the output.
 */
typedef struct {
    const char *name;    /* "list show"; NULL ends the table */
    const char *args;    /* positional arguments, "NAME INDEX"; "VALUE..." repeats */
    const char *summary; /* one line for the overview */
    const char *text;
    cli_option options[CLI_MAX_OPTIONS + 1];
} cli_command;

typedef struct {
    const char *name;    /* pyshm help NAME; NULL ends the table */
    const char *title;   /* its section of the man page */
    const char *summary; /* one line for the overview */
    const char *text;    /* as cli_command.text */
} cli_topic;

extern const cli_command cli_commands[];
/* c's name within group ("show" for "list show" in "list"), or NULL when c
 * is not one of the group's commands. */
const char *cli_subcommand(const cli_command *c, const char *group);
extern const cli_topic cli_topics[];
extern const cli_option cli_global_options[]; /* -h and -V, before a command */
extern const char cli_help_option[];          /* what -h does after a command */

/* The overview's opening, the exit statuses, and the man page's one line. */
extern const char cli_about[];
extern const char cli_exit_status[];
extern const char cli_oneline[];

/* The command named name ("list show"), or NULL. */
const cli_command *cli_find_command(const char *name);
/* The topic named name, or NULL. */
const cli_topic *cli_find_topic(const char *name);
/* The option of c with that flag, or NULL. */
const cli_option *cli_find_option(const cli_command *c, const char *flag);

/* "usage: pyshm list show [-h] [--layout py38|py39] [--json] NAME\n" */
void help_usage(out_buf *b, const cli_command *c);
/* What `pyshm help COMMAND` and `COMMAND --help` print. */
void help_command(out_buf *b, const cli_command *c);
/* What `pyshm --help` prints; group "list" gives `pyshm list --help`. */
void help_overview(out_buf *b, const char *group);
void help_topic(out_buf *b, const cli_topic *t);

/* The option's synopsis, "--layout py38|py39" or "--json". */
void help_option_form(out_buf *b, const cli_option *o);

#endif
