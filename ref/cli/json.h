/*
 * The tool's JSON output (--json): one schema for every command, described
 * by `pyshm help json`. Written as Python's json.dumps() writes it (ASCII
 * only, ", " and ": " between items), so that the output of a command is
 * byte for byte what json.dumps() gives for the object it parses to.
 */
#ifndef PYSHM_CLI_JSON_H
#define PYSHM_CLI_JSON_H

#include "out.h"
#include "pyshm.h"

/* s[0..n) as a JSON string: UTF-8 as \uXXXX escapes past ASCII, and each
 * byte that is not part of valid UTF-8 as \udcXX (os.fsdecode()'s form). */
void json_text(out_buf *b, const char *s, size_t n);
void json_str(out_buf *b, const char *s);

/* A value: {"type": ..., "value": ..., ["bits": ...,] "repr": ...}. */
void json_value(out_buf *b, const pyshm_value *v);

/* An error: {"type": "IndexError", "message": TEXT}; message NULL means the
 * code's own message. Not closed: a caller may add fields, then "}". */
void json_error_open(out_buf *b, int rc, const char *message);

#endif
