/* The version of the library a program runs with. */
#include "internal.h"

PYSHM_API const char *pyshm_version(void) { return PYSHM_VERSION; }
