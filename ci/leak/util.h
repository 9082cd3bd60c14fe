/* Helpers shared by the leak programs (lifecycle, manager_test, soak). */
#ifndef PYSHM_LEAK_UTIL_H
#define PYSHM_LEAK_UTIL_H

#include "pyshm.h"

#include <sys/types.h>

/* Descriptors open in this process (/proc/self/fd, else /dev/fd), not
 * counting the one used to list them; only sockets if sockets_only. -1 if
 * neither directory can be read. */
int leak_count_fds(bool sockets_only);

/* Whether a block of that name exists (can be attached). */
bool leak_name_exists(const char *name);

/* How many blocks in the system have a name starting with prefix; each is
 * unlinked too if unlink. */
int leak_count_names(const char *prefix, bool unlink);

/* waitpid(pid) through EINTR: the wait status, or -1. */
int leak_wait(pid_t pid);

/* Sleeps s seconds (through EINTR); nothing if s <= 0. */
void leak_sleep(double s);

/* A monotonic clock, in seconds. */
double leak_now(void);

/* Linux /proc: the resident set of a process in kB (VmRSS), the CPU time
 * it has used in seconds (user + system), the first child of this process
 * that is still alive (a watchdog adopted by a child subreaper): -1 where
 * unknown. */
long leak_rss_kb(long pid);
double leak_cpu_seconds(long pid);
long leak_first_child(void);

/* A field of /proc/PID/status in kB ("VmRSS", "RssAnon"), -1 if unknown. */
long leak_status_kb(long pid, const char *field);

/* Writes v into every page of p[0..n), so that each is resident. */
void leak_touch(void *p, size_t n, char v);

/* An owner with a big heap, made by leak_fork_big_owner(). */
typedef struct leak_big_owner {
    char *heap;         /* size bytes, every page touched; the caller frees it */
    size_t size;
    pyshm_manager *m;   /* started after the heap was touched (rc), or NULL */
    int rc;
    long owner_kb;      /* its resident size just before the start */
    double start_ms;    /* how long the start took */
    long watchdog;      /* the watchdog's pid, -1 if unknown */
} leak_big_owner;

/* fork() for a manager's owner with a heap of mib MiB: returns 0 in the
 * child, which has touched that heap, become a child subreaper (Linux: it
 * adopts the watchdog) and then started a manager, all described in *o;
 * returns the child's pid (-1 on failure) in the caller. */
pid_t leak_fork_big_owner(size_t mib, leak_big_owner *o);

#endif
