/* What the tool's commands share: options, messages, and what they hold. */
#ifndef PYSHM_CLI_H
#define PYSHM_CLI_H

#include "help.h"
#include "literal.h"
#include "out.h"
#include "pyshm.h"

#include <stdio.h>

/* A command's options (those of its cli_command) and positional arguments. */
typedef struct {
    const char *name;
    pyshm_layout layout;
    bool managed, json, long_form, raw;
    int argc;
    char **argv;
} opts;

typedef int (*command_fn)(opts *o);

/* The command running, once known: messages and usage errors name it. */
extern const cli_command *running;

/* Every message goes through here, escaped so that nothing read from the
 * system or the command line can forge lines or send terminal escapes:
 * "pyshm: COMMAND: text". */
void message(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 1, 2)))
#endif
    ;
/* An error named as Python names it ("IndexError: index out of range"),
 * what being the reason (NULL: the code's message) and detail what follows
 * it; returns exit status 1. */
int fail(int rc, const char *what, const char *detail);
/* As fail(), the detail being a block's name (shown as repr() when needed). */
int fail_name(int rc, const char *what, const char *name);
/* A usage error: the command's usage line, then the message; returns 2. */
int usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 1, 2)))
#endif
    ;
/* 0 when the command got n positional arguments, else a usage error (2). */
int need_args(const opts *o, int n);
/* Parses INDEX; 0, or a usage error (2). */
int parse_index(const char *s, int64_t *out);

/* A block's name, as it is when plain, else as repr(), and suffix. */
void print_name(const char *name, const char *suffix);
/* "py38" or "py39", as the tool names a list's layout. */
const char *layout_name(pyshm_layout l);

/* Prints a literal's error: the message, the VALUE with a caret under the
 * problem, and the likely fix. Returns 1. */
int literal_error(int rc, const char *text, const pyshm_literal *lit, const char *why);
/* For `pyshm parse`: " (column C)" or " (line L, column C)", and
 * "; did you mean X?" when there is a suggestion. */
void literal_where(out_buf *b, const char *text, const pyshm_literal *lit);
/* The 1-based line and column (in characters) of byte at of text. */
void literal_position(const char *text, size_t at, size_t *line, size_t *column);

/*
 * Everything a command holds lives here, so that one function frees it:
 * after the command, or when a SIGBUS cuts the command short (its stack is
 * gone then, this is not).
 */
typedef struct {
    uint8_t *a, *b;
    size_t cap;
    char msg[128]; /* the reader's own error, "" for the library's */
} reader;

struct held {
    pyshm_list *list;
    pyshm_shm *shm;
    pyshm_manager *manager;
    reader rd;
    out_buf out;         /* what the command prints, rendered first */
    pyshm_literal *lits; /* parsed VALUEs */
    pyshm_value *items;
    size_t nlits;
    char **argv;         /* the command's positional arguments */
};
extern struct held st;
/* Frees everything in st. */
void release(void);

/* "read" or "written": what the running command does to the block (for
 * the message of a block truncated under it). */
extern const char *volatile bus_access;

/* Prints st.out, or reports the error rc (the reader's own message, else
 * the list's). Returns the exit status. */
int finish(int rc);
/* Item i of st.list into *out, copied into private memory twice and kept
 * only when both copies agree; valid until the next call. */
int read_item(int64_t i, pyshm_value *out);
/* Attaches st.list to the list named o->argv[0]; 1 after reporting. */
int attach_list(opts *o);
/* Parses n VALUEs into st.lits and st.items: 0; 1 after reporting a syntax
 * error; or PYSHM_ERANGE/PYSHM_EENCODE unreported, the reason in why (an
 * int outside int64 or a lone surrogate: values whose fate depends on the
 * command). */
int parse_values(char **texts, int n, char *why, size_t whycap);

/* The commands. */
int cmd_create(opts *o);
int cmd_unlink(opts *o);
int cmd_ls(opts *o);
int cmd_dump(opts *o);
int cmd_inspect(opts *o);
int cmd_parse(opts *o);
int list_create(opts *o);
int list_show(opts *o);
int list_get(opts *o);
int list_set(opts *o);
int list_format(opts *o);
int list_len(opts *o);
int list_count(opts *o);
int list_index(opts *o);

/* `pyshm __complete [--describe] -- WORD...`: the candidates for the last
 * WORD, one a line (with a tab and a description when asked). */
int complete(int argc, char **argv);

#endif
