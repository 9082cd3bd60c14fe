/*
 * The watchdog program carried inside the library, byte for byte, so that
 * a manager works wherever the library goes (a program linked with the
 * static library, the shared library or the Python module, run from where
 * they were built) with nothing installed: watchdog_spawn.c executes it.
 *
 * The build that makes the program for the same system as the library
 * defines PYSHM_WATCHDOG_IMAGE as the file it generated from that program:
 * its bytes, "0x7f,0x45,...". Any other build (a cross compiler's, one
 * without the Makefile) carries no image, and the library looks for the
 * program on disk instead.
 */
#include "internal.h"

#ifndef _WIN32
#include "manager.h"

#if defined(PYSHM_WATCHDOG_IMAGE)
const unsigned char pyshm__watchdog_image[] = {
#include PYSHM_WATCHDOG_IMAGE
};
const size_t pyshm__watchdog_image_size = sizeof pyshm__watchdog_image;
#else
const unsigned char pyshm__watchdog_image[1] = {0};
const size_t pyshm__watchdog_image_size = 0;
#endif

#endif /* _WIN32 */
