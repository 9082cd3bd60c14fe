/*
 * The manager's private contract between a handle (manager.c) and the
 * watchdog process it forks (watchdog.c). POSIX only.
 *
 * Protocol: a stream socket carrying one request line at a time, each
 * answered by one reply line. Names travel hex-encoded, because a POSIX shm
 * name may contain any byte but '/' and NUL, including spaces and newlines.
 *
 *   on connect      watchdog -> "0 <watchdog pid>"     (the uid check passed)
 *   "C <size> <hex name>"   create a block, "-" for a random name
 *                   -> "0 <hex name>" | "E <errno>"
 *   "T <hex name>"  track: unlink this name at shutdown -> "0" | "E <errno>"
 *   "R <hex name>"  release: forget and unlink now      -> "0" | "E <errno>"
 *                   (E ESRCH when the name was not tracked)
 *   "S"             shutdown (owner connection only): unlink every tracked
 *                   name, then -> "0 <count>" and the watchdog exits
 *                   (E EPERM from any other connection)
 *
 * The watchdog creates blocks itself rather than having clients create and
 * then register them: a block exists only once it is tracked, so an owner
 * killed at any moment can leave no name behind.
 */
#ifndef PYSHM_MANAGER_H
#define PYSHM_MANAGER_H

#include "internal.h"
#include "shm.h"

#include <stddef.h>
#include <sys/types.h>

/* Longest request or reply line, newline included: "C", a 20-digit size,
 * a hex name of 2 * PYSHM__MGR_NAME_MAX characters and separators. */
#define PYSHM__MGR_NAME_MAX 255
#define PYSHM__MGR_LINE 600

/*
 * Linux has an abstract socket namespace (nothing on disk to leak; the
 * peer's uid is checked on accept) and pidfds (the owner's death is seen
 * even when a child inherited its socket). Elsewhere the socket lives in a
 * fresh 0700 directory and the owner is polled for. PYSHM_MANAGER_PORTABLE
 * selects the latter on Linux too, so that path is tested there.
 */
#if defined(__linux__) && !defined(PYSHM_MANAGER_PORTABLE)
#define PYSHM__MGR_LINUX 1
#else
#define PYSHM__MGR_LINUX 0
#endif

/* Decodes hex[0..hn) into out (cap bytes, NUL-terminated); the length, or
 * -1 for odd length, a non-hex digit, an embedded NUL or no room. */
long pyshm__hex_decode(const char *hex, size_t hn, char *out, size_t cap);

/*
 * What the watchdog needs; every descriptor is its own copy.
 *   owner_fd   its end of the socketpair with the owner
 *   listen_fd  the listening socket other processes connect to
 *   pidfd      a pidfd of the owner (Linux), or -1
 *   owner_pid  the owner, polled for when there is no pidfd
 *   sock_path  the socket's file, "" for an abstract socket
 *   sock_dir   the directory holding it, removed at exit ("" if none)
 */
typedef struct pyshm__watchdog_args {
    int owner_fd;
    int listen_fd;
    int pidfd;
    pid_t owner_pid;
    const char *sock_path;
    const char *sock_dir;
} pyshm__watchdog_args;

/*
 * The watchdog's body, run in the forked grandchild; never returns. It is a
 * child of a process that may have had other threads, so it uses only
 * async-signal-safe calls: system calls and string functions, no malloc and
 * no stdio (its tables grow with mmap).
 */
void pyshm__watchdog_run(const pyshm__watchdog_args *a)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

#endif
