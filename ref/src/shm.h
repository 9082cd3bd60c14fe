/* The SharedMemory handle, shared by the platform backends. */
#ifndef PYSHM_SHM_H
#define PYSHM_SHM_H

#include "internal.h"

struct pyshm_shm {
    char *name;   /* without a leading '/' */
    void *buf;    /* NULL once closed */
    size_t size;  /* mapped size */
#ifdef _WIN32
    void *mapping; /* HANDLE of the file mapping */
#else
    int fd;
#endif
};

/* "psm_" (POSIX) or "wnsm_" (Windows) + 8 lowercase hex characters from the
 * system's CSPRNG. Returns 0 or PYSHM_EOS. */
int pyshm__random_name(char out[16]);

/* Checks a user-given name: EBADNAME (empty, '/') or ENAMETOOLONG. */
int pyshm__check_name(const char *name);

#endif
