/* Python literals on the command line -> pyshm values. */
#ifndef PYSHM_LITERAL_H
#define PYSHM_LITERAL_H

#include "out.h"
#include "pyshm.h"

/*
 * A parsed literal. value is valid when pyshm_literal_parse() returned 0;
 * its str/bytes contents live in storage. For an int outside int64
 * (PYSHM_ERANGE), limbs holds its magnitude in base 2**32, least
 * significant first, without leading zero limbs, and negative its sign.
 */
typedef struct pyshm_literal {
    pyshm_value value;
    char *storage;
    uint32_t *limbs;
    size_t nlimbs;
    bool negative;
    /* For PYSHM_EINVAL: where the reason applies, as err_len bytes from
     * text[err_at] (err_at may be the text's length: its end); and the
     * VALUE probably meant, when one is likely ("'howdy'" for howdy), or
     * NULL. */
    size_t err_at, err_len;
    char *suggestion;
} pyshm_literal;

/*
 * Parses text[0..len) as ast.literal_eval() would, for the values a
 * ShareableList stores: None, True, False, an int, a float, a str or a
 * bytes literal, with Python's grammar (underscores in numbers, no leading
 * zeros in decimal ints, 0x/0o/0b, string prefixes r u b br rb in any case,
 * triple quotes, every escape including \N{NAME}, implicit concatenation of
 * adjacent string literals, parentheses, one unary sign on a number,
 * comments and line continuations). Two extensions: inf, infinity and nan
 * (with a sign) are floats. Anything literal_eval() refuses, or that gives
 * another type (tuple, complex, ...), is refused.
 *
 * Returns 0; PYSHM_ERANGE for an int outside int64 (limbs set: Python's
 * value, which ShareableList cannot store: struct.error); PYSHM_EENCODE for
 * a str holding a lone surrogate (UnicodeEncodeError when stored);
 * PYSHM_EINVAL with the reason in why; PYSHM_ENOMEM. *out needs
 * pyshm_literal_free() whatever the result.
 */
int pyshm_literal_parse(const char *text, size_t len, pyshm_literal *out, char *why,
                        size_t whycap);
void pyshm_literal_free(pyshm_literal *lit);

/* Python's == between an int outside int64 (a PYSHM_ERANGE literal) and an
 * item: only a float can be equal, and only exactly. */
bool pyshm_literal_big_eq(const pyshm_literal *lit, const pyshm_value *item);

/* repr() of a parsed literal (an int outside int64 in decimal). */
void pyshm_literal_repr(const pyshm_literal *lit, out_buf *b);

/* The code point named name[0..len) as Python's \N{...} finds it (names,
 * aliases, Hangul syllables and CJK unified ideographs of the Unicode
 * version of the library's repr table), or false. */
bool pyshm_unicode_lookup(const char *name, size_t len, uint32_t *cp);

#endif
