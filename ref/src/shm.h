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

/* POSIX: fills buf[0..n) from the system's CSPRNG; 0, or -1 with errno set.
 * Async-signal-safe (no allocation, no stdio), so a forked child may use it. */
int pyshm__random_bytes(void *buf, size_t n);

/* POSIX: an errno from shm_open, ftruncate, fstat or mmap as a PYSHM_E* code. */
int pyshm__map_errno(int os_errno);

/* Checks a user-given name: EBADNAME (empty, '/') or ENAMETOOLONG. */
int pyshm__check_name(const char *name);

#endif
