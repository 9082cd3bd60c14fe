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

#endif
