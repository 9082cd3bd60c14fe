/* The commands, options and topics of the tool, and their help text. */
#include "help.h"

#include <string.h>

/* ---- the table ----------------------------------------------------------- */

#define LAYOUT_READ                                                                          \
    {OPT_LAYOUT, "--layout", "py38|py39", "py38 py39",                                     \
     "read the header as this layout: py38 (CPython 3.8) or py39 (3.9 and later); "        \
     "by default it is detected"}
#define JSON(what) {OPT_JSON, "--json", NULL, NULL, "print " what " as JSON (pyshm help json)"}

const char cli_oneline[] =
    "create, read, write and explain Python's shared memory blocks and lists";

const char cli_about[] =
    "Create, read, write and explain the shared memory blocks (SharedMemory) and lists "
    "(ShareableList) of Python's multiprocessing.shared_memory, byte for byte as CPython "
    "does, from a shell.";

const char cli_exit_status[] =
    "0 when the command did what it was asked; 1 when it failed, with a message on stderr "
    "that names the Python exception CPython raises in the same case (pyshm: list get: "
    "IndexError: index out of range); 2 for a usage error: an unknown command or option, or "
    "a missing argument.\n"
    "\n"
    "A name that is not plain printable ASCII (or holds a space, a quote or a backslash) is "
    "shown as Python's repr() of it ('a\\nb'), in listings and in messages, so that it "
    "cannot forge lines.";

const cli_option cli_global_options[] = {
    {-1, "-h, --help", NULL, NULL, "show this help; after a command, that command's"},
    {-1, "-V, --version", NULL, NULL, "print the version and exit"},
    {0, NULL, NULL, NULL, NULL},
};

const char cli_help_option[] = "show this help and exit";

const cli_command cli_commands[] = {
    {"create", "SIZE", "create a block of SIZE bytes; print its name",
     "Create a shared memory block of SIZE bytes, as SharedMemory(create=True, size=SIZE) "
     "does, and print its name. The block lives until it is unlinked (pyshm unlink), "
     "whichever process made it.",
     {{OPT_NAME, "--name", "NAME", NULL,
       "name the block NAME; by default psm_ and 8 random hex digits, as CPython"}}},
    {"unlink", "NAME", "remove a block's name",
     "Remove the name of block NAME, as SharedMemory.unlink() does: no process can attach it "
     "any more, and those that have it mapped keep it until they close it.",
     {{0}}},
    {"ls", "", "list the blocks that exist (name, size)",
     "List the shared memory blocks of this system, one a line: the name, a tab and the "
     "size in bytes. Only Linux can enumerate them (/dev/shm).\n"
     "\n"
     "With --long a third column says what a block holds: \"ShareableList py39, 7 items\" "
     "for a valid ShareableList header of either layout (CPython could attach it), \"-\" for "
     "any other block, or the error that kept the tool from reading it. A block of zeros "
     "reads as an empty list; it is called one only when it has exactly an empty list's "
     "size.",
     {{OPT_LONG, "--long", NULL, NULL, "say which blocks hold a ShareableList, its layout "
                                        "and its number of items"},
      JSON("the blocks")}},
    {"dump", "NAME", "print a block's bytes as hexdump -C does",
     "Print the bytes of block NAME as hexdump -C prints a file: the offset in hex, sixteen "
     "bytes in hex, and the same bytes as ASCII between bars ('.' for every other byte). A "
     "line equal to the one before is shown as a single '*', however many follow, and the "
     "last line is the size. pyshm inspect names the fields at these offsets.",
     {{OPT_RAW, "--raw", NULL, NULL, "write the bytes themselves, for other tools "
                                      "(pyshm dump --raw NAME | xxd)"}}},
    {"inspect", "NAME", "explain a ShareableList image field by field",
     "Explain the ShareableList image in block NAME field by field, in the order the fields "
     "lie in the block: the number of items N, the offsets (py39) or sizes (py38) of the "
     "header, then each item's slot, each format and each type code. Every line begins "
     "with the field's offset in hex, as pyshm dump shows it, and up to eight of its bytes; "
     "then comes the field and what it holds. A field that is not valid says INVALID and "
     "why, and the exit status is 1; a header that is not valid is explained as far as it "
     "could be read.",
     {LAYOUT_READ, JSON("the fields")}},
    {"parse", "VALUE...", "print each VALUE as the tool reads it",
     "Print, one line per VALUE, the repr() of the value the tool reads from it, or \"error: "
     "\" with the Python exception and why it is refused: the column where the problem is, "
     "and the likely fix where there is one. The exit status is 1 when any VALUE is "
     "refused. pyshm help values describes the grammar.",
     {JSON("each value")}},
    {"list create", "VALUE...", "create a list; print its name",
     "Create a ShareableList holding the VALUEs, as ShareableList([VALUE, ...]) does, and "
     "print its name. VALUEs are Python literals (pyshm help values). A str whose UTF-8 "
     "form is longer than its number of characters gets a slot sized from its UTF-8 length, "
     "where CPython would cut it.",
     {{OPT_NAME, "--name", "NAME", NULL,
       "name the list's block NAME; by default psm_ and 8 random hex digits"},
      {OPT_LAYOUT, "--layout", "py38|py39", "py38 py39",
       "write this layout's header: py38 for CPython 3.8, py39 (the default) for 3.9 and "
       "later"},
      {OPT_MANAGED, "--managed", NULL, NULL,
       "keep the list until this process is interrupted or killed, then unlink it (even "
       "after SIGKILL: a watchdog process does it)"}}},
    {"list show", "NAME", "print the items as a Python list literal",
     "Print the items of the list in block NAME as a Python list literal, as "
     "print(list(sl)) does. Each item is copied before it is shown, so a process writing "
     "the list meanwhile gives a value that was there, or an error; never a cut one.",
     {LAYOUT_READ, JSON("the list")}},
    {"list get", "NAME INDEX", "print repr() of one item",
     "Print repr(sl[INDEX]); a negative INDEX counts from the end.",
     {LAYOUT_READ, JSON("the item")}},
    {"list set", "NAME INDEX VALUE", "store a value",
     "Store VALUE at INDEX, as sl[INDEX] = VALUE does: an int, float, bool or None takes "
     "its type's format; a str or bytes must fit the slot (ValueError: ... exceeds "
     "available storage, and nothing is changed).",
     {LAYOUT_READ}},
    {"list format", "NAME", "print the list's struct format",
     "Print sl.format: the struct formats of the items, one after the other.",
     {LAYOUT_READ, JSON("the format")}},
    {"list len", "NAME", "print the number of items",
     "Print len(sl): the number of items, as read from the header.",
     {LAYOUT_READ, JSON("the number")}},
    {"list count", "NAME VALUE", "print how many items == VALUE",
     "Print sl.count(VALUE), with Python's ==: 1 == 1.0 == True, NaN equals nothing, and "
     "an int of any size equals a float only exactly.",
     {LAYOUT_READ, JSON("the count")}},
    {"list index", "NAME VALUE", "print the first index of VALUE",
     "Print sl.index(VALUE), the index of the first item == VALUE; ValueError when there is "
     "none.",
     {LAYOUT_READ, JSON("the index")}},
    {"help", "[COMMAND | TOPIC]", "show the help of a command or a topic",
     "Print this overview, the help of a command (pyshm help list show, the same as pyshm "
     "list show --help) or of a topic: values (what a VALUE may be) or json (what --json "
     "prints).",
     {{0}}},
    {NULL, NULL, NULL, NULL, {{0}}},
};

const cli_topic cli_topics[] = {
    {"values", "VALUES", "what a VALUE may be: Python literals",
     "A VALUE is a Python literal, read with Python's own grammar (what ast.literal_eval() "
     "accepts, for the types a ShareableList holds):\n"
     "\n"
     "  int      42  1_000  -0x10  0o17  0b101        (not 007 or 1_)\n"
     "  float    -273.154  1e-7  .5  inf  -inf  nan\n"
     "  str      'howdy'  \"it's\"  '''triple'''  '\\u20ac'  '\\N{EURO SIGN}'  r'\\d'\n"
     "  bytes    b'HoWdY'  b'\\x00\\xff'  rb'\\d'\n"
     "  other    None  True  False\n"
     "\n"
     "Adjacent strings are joined ('a' 'b'); parentheses, one sign on a number and "
     "comments are allowed. inf, -inf and nan are an extension: Python spells them "
     "float('inf'). An int outside int64 is a value (count and index compare it exactly) "
     "but cannot be stored: struct.error.\n"
     "\n"
     "A shell removes one level of quotes, so a str needs two: pyshm list create \"'howdy'\". "
     "A bare word is refused, pointing at it, with the quoted form to use:\n"
     "\n"
     "  $ pyshm list create howdy\n"
     "  pyshm: list create: ValueError: invalid value: 'howdy': howdy is a name, not a literal\n"
     "      howdy\n"
     "      ^^^^^\n"
     "  did you mean 'howdy'? (from a shell: \"'howdy'\")"},
    {"json", "JSON OUTPUT", "what --json prints: one schema for every command",
     "--json prints one JSON document on stdout in place of the text: ASCII only (every "
     "other character as a \\uXXXX escape, as Python's json.dumps() writes it), ending with a "
     "newline. An error is still a message on stderr with exit status 1. Read it with any "
     "JSON parser, json.loads() in Python.\n"
     "\n"
     "A value (an item of a list, or a parsed VALUE) is an object: its Python type, the "
     "value itself, kept exactly, and its repr():\n"
     "\n"
     "  {\"type\": \"int\", \"value\": 42, \"repr\": \"42\"}\n"
     "  {\"type\": \"float\", \"value\": \"-0x1.11276c8b43958p+8\",\n"
     "   \"bits\": \"c0711276c8b43958\", \"repr\": \"-273.154\"}\n"
     "  {\"type\": \"bool\", \"value\": true, \"repr\": \"True\"}\n"
     "  {\"type\": \"NoneType\", \"value\": null, \"repr\": \"None\"}\n"
     "  {\"type\": \"str\", \"value\": \"howdy\", \"repr\": \"'howdy'\"}\n"
     "  {\"type\": \"bytes\", \"value\": \"486f576459\", \"repr\": \"b'HoWdY'\"}\n"
     "\n"
     "type is Python's type(value).__name__. An int's value is a JSON integer: every int a "
     "list holds is within int64, which Python's json reads exactly (JavaScript keeps 53 "
     "bits; repr has the digits). A float's value is Python's float.hex() of it, which is "
     "exact: float.fromhex() in Python and strtod() in C give back the same double (inf, "
     "-inf and nan are \"inf\", \"-inf\" and \"nan\"); bits are its IEEE 754 binary64 bits "
     "as 16 hex digits, most significant first, which also keep a NaN's sign and payload. "
     "A str's value is the string; a bytes value's is its bytes in lowercase hex "
     "(bytes.fromhex() reads it).\n"
     "\n"
     "Text read from the system or from a block (a name, a format) is a JSON string in "
     "which a byte that is not part of valid UTF-8 is the escape \\udcXX, as Python's "
     "os.fsdecode() gives it (os.fsencode() restores the bytes).\n"
     "\n"
     "What each command prints:\n"
     "\n"
     "  ls           [{\"name\": NAME, \"size\": BYTES}, ...]\n"
     "  ls --long    the same, and in each \"list\": {\"layout\": \"py39\", \"items\": N}\n"
     "               for a ShareableList, else null; and \"error\": ERROR when the\n"
     "               block could not be read\n"
     "  list show    {\"name\": NAME, \"layout\": \"py38\" or \"py39\", \"items\": [VALUE, ...]}\n"
     "  list get     VALUE\n"
     "  list len     N, a JSON integer; list count and list index likewise\n"
     "  list format  the format, a JSON string\n"
     "  inspect      {\"name\": NAME, \"size\": BYTES, \"layout\": L, \"detected\": BOOL,\n"
     "                \"n\": N, \"valid\": BOOL, \"error\": ERROR or null,\n"
     "                \"fields\": [FIELD, ...]}\n"
     "  parse        [{\"text\": TEXT, \"value\": VALUE} or {\"text\": TEXT, \"error\": ERROR},\n"
     "                ...]\n"
     "\n"
     "An ERROR is {\"type\": EXCEPTION, \"message\": TEXT}; in parse, for a VALUE that is "
     "not a literal, it also has \"line\" and \"column\", where the problem is (1 and 1: "
     "the VALUE's first character), and, where a fix is likely, \"suggestion\": the VALUE "
     "that was probably meant (\"'howdy'\").\n"
     "\n"
     "A FIELD of inspect is {\"offset\": O, \"size\": S, \"field\": WHAT, ...}, in the order "
     "the fields lie in the block: \"N\", and each \"offsets[i]\" or \"sizes[i]\", with "
     "\"value\" an integer; \"item i\" with \"value\" a VALUE; \"format i\" with \"value\" "
     "the format; \"code i\" with \"value\" an integer and \"meaning\" (\"str\", \"bytes\", "
     "\"None\" or \"int/float/bool\"); \"unused\" for bytes of the block past the image. A "
     "field that is not valid has \"error\": ERROR in place of its value. When the header "
     "itself is not valid, layout, n and the fields after N are null or absent."},
    {NULL, NULL, NULL, NULL},
};

/* ---- look-ups ------------------------------------------------------------ */

const cli_command *cli_find_command(const char *name) {
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

const cli_topic *cli_find_topic(const char *name) {
    for (const cli_topic *t = cli_topics; t->name; t++)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}

const cli_option *cli_find_option(const cli_command *c, const char *flag) {
    for (const cli_option *o = c->options; o->id; o++)
        if (strcmp(o->flag, flag) == 0) return o;
    return NULL;
}

/* ---- rendering ----------------------------------------------------------- */

enum { WIDTH = 79, COLUMN = 36 };

static void spaces(out_buf *b, int n) {
    for (int i = 0; i < n; i++) out_str(b, " ");
}

/* One paragraph, words filled to width after indent spaces. */
static void fill_paragraph(out_buf *b, const char *p, size_t n, int indent, int width) {
    int col = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\n')) i++;
        size_t start = i;
        while (i < n && p[i] != ' ' && p[i] != '\n') i++;
        if (i == start) break;
        int len = (int)(i - start);
        if (col > 0 && col + 1 + len > width) {
            out_str(b, "\n");
            col = 0;
        }
        if (col == 0) {
            spaces(b, indent);
            col = indent;
        } else {
            out_str(b, " ");
            col++;
        }
        out_mem(b, p + start, (size_t)len);
        col += len;
    }
    if (col > 0) out_str(b, "\n");
}

/* text's paragraphs, filled to width columns after indent spaces. */
static void help_fill(out_buf *b, const char *text, int indent, int width) {
    const char *p = text;
    bool first = true;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (!first) out_str(b, "\n");
        first = false;
        if (p[0] == ' ' && p[1] == ' ') { /* shown as it is */
            spaces(b, indent);
            for (size_t i = 0; i < n; i++) {
                out_mem(b, p + i, 1);
                if (p[i] == '\n') spaces(b, indent);
            }
            out_str(b, "\n");
        } else {
            fill_paragraph(b, p, n, indent, width);
        }
        p += n;
        while (*p == '\n') p++;
    }
}

void help_option_form(out_buf *b, const cli_option *o) {
    out_str(b, o->flag);
    if (o->metavar) {
        out_str(b, " ");
        out_str(b, o->metavar);
    }
}

void help_usage(out_buf *b, const cli_command *c) {
    out_printf(b, "usage: pyshm %s [-h]", c->name);
    for (const cli_option *o = c->options; o->id; o++) {
        out_str(b, " [");
        help_option_form(b, o);
        out_str(b, "]");
    }
    if (c->args[0]) out_printf(b, " %s", c->args);
    out_str(b, "\n");
}

/* "  form    help", the help in a column of its own, filled. */
static void option_line(out_buf *b, const char *form, const char *help) {
    out_printf(b, "  %s", form);
    int used = 2 + (int)strlen(form);
    enum { HELP_COL = 24 };
    if (used + 2 > HELP_COL) {
        out_str(b, "\n");
        used = 0;
    }
    out_buf h;
    out_init(&h);
    help_fill(&h, help, HELP_COL, WIDTH);
    if (h.p) out_str(b, h.p + used); /* the first line's indent is already written */
    out_free(&h);
}

void help_command(out_buf *b, const cli_command *c) {
    help_usage(b, c);
    out_str(b, "\n");
    help_fill(b, c->text, 0, WIDTH);
    out_str(b, "\noptions:\n");
    option_line(b, "-h, --help", cli_help_option);
    for (const cli_option *o = c->options; o->id; o++) {
        out_buf form;
        out_init(&form);
        help_option_form(&form, o);
        if (form.p) option_line(b, form.p, o->help);
        out_free(&form);
    }
}

/* "  pyshm list show NAME     summary" */
static void overview_line(out_buf *b, const cli_command *c) {
    out_buf left;
    out_init(&left);
    out_printf(&left, "  pyshm %s%s%s", c->name, c->args[0] ? " " : "", c->args);
    if (left.p == NULL) return;
    out_str(b, left.p);
    if ((int)left.len + 1 > COLUMN) {
        out_str(b, "\n");
        spaces(b, COLUMN);
    } else {
        spaces(b, COLUMN - (int)left.len);
    }
    out_printf(b, "%s\n", c->summary);
    out_free(&left);
}

const char *cli_subcommand(const cli_command *c, const char *group) {
    size_t n = strlen(group);
    return strncmp(c->name, group, n) == 0 && c->name[n] == ' ' ? c->name + n + 1 : NULL;
}

void help_overview(out_buf *b, const char *group) {
    if (group) {
        out_printf(b, "usage: pyshm %s [-h] COMMAND [ARGS]\n\n", group);
        out_str(b, "Lists (ShareableList):\n");
        for (const cli_command *c = cli_commands; c->name; c++)
            if (cli_subcommand(c, group)) overview_line(b, c);
        out_printf(b, "\npyshm help %s COMMAND, or pyshm %s COMMAND --help, tells more.\n", group,
                   group);
        return;
    }
    out_str(b, "usage: pyshm [-h] [-V] COMMAND [ARGS]\n\n");
    help_fill(b, cli_about, 0, WIDTH);
    out_str(b, "\nShared memory blocks (SharedMemory):\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strchr(c->name, ' ') && strcmp(c->name, "help") != 0) overview_line(b, c);
    out_str(b, "\nLists (ShareableList):\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        if (cli_subcommand(c, "list")) overview_line(b, c);
    out_str(b, "\nHelp:\n");
    overview_line(b, cli_find_command("help"));
    for (const cli_topic *t = cli_topics; t->name; t++) {
        out_buf left;
        out_init(&left);
        out_printf(&left, "  pyshm help %s", t->name);
        if (left.p) {
            out_str(b, left.p);
            spaces(b, COLUMN - (int)left.len);
            out_printf(b, "%s\n", t->summary);
        }
        out_free(&left);
    }
    out_str(b, "\noptions:\n");
    for (const cli_option *o = cli_global_options; o->id; o++) option_line(b, o->flag, o->help);
    out_str(b, "\nExit status:\n");
    help_fill(b, cli_exit_status, 2, WIDTH);
}

void help_topic(out_buf *b, const cli_topic *t) { help_fill(b, t->text, 0, WIDTH); }
