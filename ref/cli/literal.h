/* Python literals on the command line -> pyshm values. */
#ifndef PYSHM_LITERAL_H
#define PYSHM_LITERAL_H

#include "pyshm.h"

/*
 * Parses one Python literal: None, True, False, an int (decimal, 0x, 0o, 0b,
 * underscores, sign), a float (1.5, -2e10, inf, -inf, nan), a str ('...' or
 * "...", r/u prefixes, escapes \n \t \\ \' \" \a \b \f \v \ooo \xhh \uhhhh
 * \Uhhhhhhhh) or bytes (b'...', escapes as above but no \u/\U).
 * str/bytes contents go to a malloc'd buffer in *storage (caller frees).
 * Returns 0, PYSHM_ERANGE (an int outside int64, as struct.error), or
 * PYSHM_EINVAL with a reason in why.
 */
int pyshm_literal_parse(const char *text, pyshm_value *out, char **storage, char *why,
                        size_t whycap);

#endif
