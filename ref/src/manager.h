/*
 * The manager's private contract between a handle (manager.c) and its
 * watchdog (watchdog.c), a process of its own. POSIX only.
 *
 * Protocol, version PYSHM__MGR_VERSION: a stream socket carrying one
 * request line at a time, each answered by one reply line. Names travel
 * hex-encoded, because a POSIX shm name may contain any byte but '/' and
 * NUL, including spaces and newlines.
 *
 * The owner's socketpair (private to the two processes, so not
 * authenticated; the owner wrote "K" into it before the watchdog existed):
 *   owner -> watchdog   "K <version> <hex key>"
 *   watchdog -> owner   "0 <watchdog pid> <version>"
 *
 * Any other connection, through the listening socket, authenticates both
 * ways with the key K the owner handed out in the address, as CPython's
 * authkey (HMAC-SHA256 challenges; nonces from the CSPRNG):
 *   watchdog -> client  "H <version> <hex Ns>"        (the uid check passed)
 *   client -> watchdog  "A <version> <hex Nc> <hex HMAC(K, "pyshm-mgr client" Ns Nc)>"
 *   watchdog -> client  "0 <watchdog pid> <hex HMAC(K, "pyshm-mgr server" Nc Ns)>"
 *                       | "E <errno>" and hang up (EACCES: wrong proof)
 * Before the client writes its proof, it has checked the listening
 * process's credentials: the same uid, and the pid the address names.
 * Instead of the greeting or the answer to the proof, a client may be told
 * "E <errno>" and hung up on for want of room: EAGAIN (another connection
 * needed its place), ETIMEDOUT (it did not authenticate in time), EMFILE
 * (the watchdog is at its descriptor limit). It tries again, within its
 * own timeout.
 *
 * Requests, once the connection is open:
 *   "C <size> <hex name>"   create a block, "-" for a random name
 *                   -> "0 <hex name>" | "E <errno>"
 *   "T <hex name>"  track: unlink this name at shutdown -> "0" | "E <errno>"
 *   "R <hex name>"  release: forget and unlink now      -> "0" | "E <errno>"
 *                   (E ESRCH when the name was not tracked)
 *   "S"             shutdown (owner connection only): unlink every tracked
 *                   name, then -> "0 <count>" and the watchdog exits
 *                   (E EPERM from any other connection)
 * A connection other than the owner's is closed without a word when it has
 * been idle too long, or when it is the one idle longest and a client that
 * has just authenticated needs its room: its client opens a new one for
 * its next request. A request not complete in time is answered
 * "E ETIMEDOUT", and the connection closed.
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
#include <stdint.h>
#include <sys/types.h>

#define PYSHM__MGR_VERSION 2

/* Longest request or reply line, newline included: "C", a 20-digit size,
 * a hex name of 2 * PYSHM__MGR_NAME_MAX characters and separators. */
#define PYSHM__MGR_NAME_MAX 255
#define PYSHM__MGR_LINE 600

/* The key and the nonces, in bytes (hex on the wire: twice as many). */
#define PYSHM__MGR_KEY 32

/* Bounds the watchdog keeps (documented in pyshm.h). Connections besides
 * the owner's: at most MAX_CONNS, of which at most MAX_PENDING still to
 * authenticate, so that the others always have room for authenticated
 * clients. A connection must authenticate within HANDSHAKE_MS; when a new
 * one is waiting and no room is left, the oldest still unauthenticated one
 * makes way for it once it has had GRACE_MS (an honest client answers in
 * well under a millisecond), and the least recently used authenticated one
 * makes way for a client that has just authenticated (the library
 * reconnects by itself). A request, once its first byte has come, must be
 * complete within REQUEST_MS; a connection without a request is closed
 * after IDLE_MS. */
#define PYSHM__MGR_MAX_CONNS 128
#define PYSHM__MGR_MAX_PENDING 32
#define PYSHM__MGR_MAX_NAMES 262144
#define PYSHM__MGR_HANDSHAKE_MS 1000
#define PYSHM__MGR_GRACE_MS 50
#define PYSHM__MGR_REQUEST_MS 1000
#define PYSHM__MGR_IDLE_MS 60000

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

/* Decodes exactly 2 * n hex digits into n bytes (NULs allowed); false for
 * another length or a non-hex digit. */
bool pyshm__hex_bytes(const char *hex, size_t hn, unsigned char *out, size_t n);

/* HMAC-SHA256(key, label || a || b), each of a and b PYSHM__MGR_KEY bytes:
 * the proof each side of a connection gives (label says which side, so a
 * proof cannot be reflected back). Async-signal-safe: pure computation. */
void pyshm__mgr_proof(const unsigned char key[PYSHM__MGR_KEY], const char *label,
                      const unsigned char a[PYSHM__MGR_KEY],
                      const unsigned char b[PYSHM__MGR_KEY], unsigned char out[32]);

/* Compares n bytes in time independent of where they differ. */
bool pyshm__same_bytes(const unsigned char *a, const unsigned char *b, size_t n);

#define PYSHM__MGR_CLIENT_LABEL "pyshm-mgr client"
#define PYSHM__MGR_SERVER_LABEL "pyshm-mgr server"

/* A client's answer to the greeting that carried the nonce ns, with its
 * own nonce nc: "A <version> <hex nc> <hex client proof>\n", into out. */
#define PYSHM__MGR_ANSWER (8 + 2 * PYSHM__MGR_KEY + 2 * 32 + 2)
void pyshm__mgr_answer(const unsigned char key[PYSHM__MGR_KEY],
                       const unsigned char ns[PYSHM__MGR_KEY],
                       const unsigned char nc[PYSHM__MGR_KEY], char out[PYSHM__MGR_ANSWER]);

/* The first argument of the watchdog program, so that a program of another
 * version, or one run by hand, refuses to start. "-detach": the program
 * detaches itself from the process that started it (watchdog_main.c). */
#define PYSHM__MGR_PROGRAM_TAG "--pyshm-manager-2-detach"

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
 * The watchdog's body; never returns. It runs in the watchdog program
 * (watchdog_main.c), a fresh process image that holds nothing of its
 * owner's memory. It keeps to system calls and string functions (its
 * tables grow with mmap), which keeps the program small.
 */
void pyshm__watchdog_run(const pyshm__watchdog_args *a)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/*
 * Starts the watchdog program with a's descriptors (the caller's copies
 * stay open), in an empty environment, without copying the caller's
 * memory (posix_spawn). The program run is the first of these that can be:
 *   - the one PYSHM_WATCHDOG names, alone (ignored in a process whose
 *     environment is not to be trusted: pyshm__secure_getenv);
 *   - the image the library carries (pyshm__watchdog_image), executed from
 *     memory (Linux) or from a file of its own in a new 0700 directory;
 *   - the installed program, PYSHM_WATCHDOG_PATH;
 *   - pyshm-watchdog beside the file holding the library (a shared library,
 *     or the executable it is linked into), or in ../libexec from there;
 *     not in a set-ID or capability-raised process, which must run only
 *     what its builder chose.
 * *pid is the process started, a child of the caller that exits as soon as
 * it has detached the watchdog: the caller reaps it. 0, or a PYSHM_E* code
 * (EOS with errno ENOENT when there is no program at all).
 */
int pyshm__watchdog_spawn(const pyshm__watchdog_args *a, pid_t *pid);

/* getenv(name), or NULL in a process that runs with more privileges than
 * whoever set its environment: set-user-ID or set-group-ID, or raised file
 * capabilities (secure_getenv, getauxval(AT_SECURE), issetugid). */
const char *pyshm__secure_getenv(const char *name);

/* The watchdog program, carried inside the library (watchdog_image.c):
 * size 0 when this build carries none. */
extern const unsigned char pyshm__watchdog_image[];
extern const size_t pyshm__watchdog_image_size;

#endif
