/*
 * The manager's watchdog: a process that tracks block names and unlinks all
 * of them when its owner shuts it down, exits, crashes or is killed.
 *
 * It runs as a program of its own (watchdog_main.c, started by
 * watchdog_spawn.c), so that it holds none of the owner's memory. It makes
 * system calls and uses string functions, no malloc and no stdio, which
 * keeps that program small.
 *
 * Nothing a client does may stall it, since its one job is to notice its
 * owner's death, nor keep others out: replies never block; connections are
 * bounded in number, in the time they may take to authenticate, to send a
 * request and to stay idle; a connection still to authenticate cannot take
 * the place of authenticated ones, and when a new one is waiting the
 * oldest of its kind makes way for it; a full descriptor table sheds the
 * connection waiting instead of spinning on it; names are found through a
 * hash index.
 */
#ifndef _WIN32 /* POSIX only: see manager.c */
/* macOS's getpeereid and MAP_ANON: internal.h, included first by manager.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#endif
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

typedef struct name_slot {
    char s[PYSHM__MGR_NAME_MAX + 1];
} name_slot;

typedef enum {
    CONN_OWNER,      /* the socketpair to the process that started us */
    CONN_CHALLENGED, /* greeted with a nonce; its proof of the key is due */
    CONN_OPEN        /* authenticated: requests */
} conn_state;

typedef struct conn {
    int fd;
    conn_state state;
    bool evicted;       /* made way for another: closed, with its deadline now */
    long long since;    /* ms: accepted, then of its last request (who goes first) */
    long long deadline; /* ms: to authenticate, to complete a request begun,
                           or for its next request */
    unsigned char nonce[PYSHM__MGR_KEY];
    size_t len;
    char buf[PYSHM__MGR_LINE];
} conn;

/* Tracked names: a dense array (unlinked in order at the end) and an
 * open-addressing index into it (slot value i + 1; 0 is empty), at most
 * half full, hashed with a random seed. */
static name_slot *names;
static size_t n_names, cap_names;
static uint32_t *slots;
static size_t cap_slots;
static uint64_t hash_seed;

static conn *conns;
static size_t n_conns, cap_conns;
static struct pollfd *pfds;
static size_t cap_pfds;
static unsigned char key[PYSHM__MGR_KEY];
/* Connections besides the owner's: PYSHM__MGR_MAX_CONNS, or fewer if the
 * descriptor limit would not leave room for the blocks being created; of
 * those, at most max_pending still to authenticate and max_open
 * authenticated. */
static size_t max_conns = PYSHM__MGR_MAX_CONNS;
static size_t max_pending = PYSHM__MGR_MAX_PENDING;
static size_t max_open = PYSHM__MGR_MAX_CONNS - PYSHM__MGR_MAX_PENDING;
/* Spent on an accept() at the descriptor limit, to shed the connection. */
static int reserve_fd = -1;
static long long accept_paused_until;
static volatile sig_atomic_t terminated;
static int term_pipe[2] = {-1, -1};

/* Also wakes poll(): a flag alone could be set just before poll() starts
 * and wait for whatever event came next. */
static void on_term(int sig) {
    (void)sig;
    int e = errno;
    terminated = 1;
    if (term_pipe[1] >= 0 && write(term_pipe[1], "", 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    errno = e;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fresh zeroed anonymous pages; NULL on failure. */
static void *pages(size_t bytes) {
    void *q = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return q == MAP_FAILED ? NULL : q;
}

/* Makes room for need elements in *p (capacity *cap). */
static bool grow(void **p, size_t *cap, size_t elem, size_t need) {
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *q = pages(ncap * elem);
    if (q == NULL)
        return false;
    if (*p != NULL) {
        memcpy(q, *p, *cap * elem);
        munmap(*p, *cap * elem);
    }
    *p = q;
    *cap = ncap;
    return true;
}

/* ---- tracked names ------------------------------------------------------ */

/* FNV-1a, seeded so that the names a client picks cannot be chosen to
 * collide in the index. */
static size_t hash_name(const char *s) {
    uint64_t h = 0xcbf29ce484222325u ^ hash_seed;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return (size_t)(h ^ h >> 29);
}

/* The index slot holding name, or the empty slot where it would go. */
static size_t slot_of(const char *name, bool *found) {
    size_t mask = cap_slots - 1, i = hash_name(name) & mask;
    for (; slots[i] != 0; i = (i + 1) & mask)
        if (strcmp(names[slots[i] - 1].s, name) == 0) {
            *found = true;
            return i;
        }
    *found = false;
    return i;
}

static size_t find_name(const char *name) {
    bool found;
    size_t i = cap_slots ? slot_of(name, &found) : 0;
    return cap_slots && found ? slots[i] - 1 : (size_t)-1;
}

/* Room for one more name in both the array and the index (rebuilt twice
 * as large when half full): 0, or ENOMEM (also past the bound). */
static int make_room(void) {
    if (n_names >= PYSHM__MGR_MAX_NAMES)
        return ENOMEM;
    if (!grow((void **)&names, &cap_names, sizeof *names, n_names + 1))
        return ENOMEM;
    if (2 * (n_names + 1) <= cap_slots)
        return 0;
    size_t ncap = cap_slots ? 2 * cap_slots : 64;
    uint32_t *fresh = pages(ncap * sizeof *fresh);
    if (fresh == NULL)
        return ENOMEM;
    if (slots != NULL)
        munmap(slots, cap_slots * sizeof *slots);
    slots = fresh;
    cap_slots = ncap;
    bool found;
    for (size_t i = 0; i < n_names; i++)
        slots[slot_of(names[i].s, &found)] = (uint32_t)(i + 1);
    return 0;
}

/* Adds a name not yet tracked; make_room() has succeeded. */
static void add_name(const char *name) {
    bool found;
    size_t s = slot_of(name, &found);
    memcpy(names[n_names].s, name, strlen(name) + 1);
    slots[s] = (uint32_t)++n_names;
}

/* Whether h lies in the cyclic interval (lo, hi]. */
static bool cyclic_between(size_t h, size_t lo, size_t hi) {
    return lo < hi ? h > lo && h <= hi : h > lo || h <= hi;
}

/* Forgets names[i]: its slot is emptied by shifting back the entries of
 * its probe run (linear probing needs no tombstones then), and the last
 * name moves into its place in the array. */
static void forget_name(size_t i) {
    bool found;
    size_t mask = cap_slots - 1, hole = slot_of(names[i].s, &found);
    for (size_t j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask)
        if (!cyclic_between(hash_name(names[slots[j] - 1].s) & mask, hole, j)) {
            slots[hole] = slots[j];
            hole = j;
        }
    slots[hole] = 0;
    if (i != --n_names) {
        slots[slot_of(names[n_names].s, &found)] = (uint32_t)(i + 1);
        names[i] = names[n_names];
    }
}

/* "/" + name, as shm_open and shm_unlink want it. */
static void shm_path(const char *name, char out[PYSHM__MGR_NAME_MAX + 2]) {
    out[0] = '/';
    memcpy(out + 1, name, strlen(name) + 1);
}

/* ---- replies ------------------------------------------------------------ */

static size_t put_u64(char *out, unsigned long long v) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Sends a whole reply without ever blocking: a peer that does not read its
 * replies is dropped rather than allowed to stall the watchdog. */
static bool send_line(int fd, const char *line, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, line, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        line += w;
        n -= (size_t)w;
    }
    return true;
}

/* "<tag> <v>": an error ('E' and the errno) or the count of names a
 * shutdown unlinked ('0'); with a second number w >= 0, "<tag> <v> <w>"
 * (the greeting to the owner: our pid and version). */
static bool reply_nums(int fd, char tag, unsigned long long v, long long w) {
    char line[64] = {tag, ' '};
    size_t n = 2 + put_u64(line + 2, v);
    if (w >= 0) {
        line[n++] = ' ';
        n += put_u64(line + n, (unsigned long long)w);
    }
    line[n++] = '\n';
    return send_line(fd, line, n);
}

static bool reply_num(int fd, char tag, unsigned long long v) { return reply_nums(fd, tag, v, -1); }

/* "<tag> <v> <hex of data[0..n)>": the greetings and the proof. */
static bool reply_num_hex(int fd, char tag, unsigned long long v, const unsigned char *data,
                          size_t dn) {
    char line[64 + 4 * PYSHM__MGR_KEY] = {tag, ' '};
    size_t n = 2 + put_u64(line + 2, v);
    line[n++] = ' ';
    pyshm__hex_encode((const char *)data, dn, line + n);
    n += 2 * dn;
    line[n++] = '\n';
    return send_line(fd, line, n);
}

/* "0 <hex name>", or "0" without a name. */
static bool reply_ok(int fd, const char *name) {
    char line[PYSHM__MGR_LINE] = "0 ";
    size_t n = 1;
    if (name != NULL) {
        pyshm__hex_encode(name, strlen(name), line + 2);
        n = 2 + strlen(line + 2);
    }
    line[n++] = '\n';
    return send_line(fd, line, n);
}

/* ---- room --------------------------------------------------------------- */

/* How many connections are in state st, not counting skip, and which of
 * them has been there longest (*oldest, -1 if none). */
static size_t census(conn_state st, const conn *skip, size_t *oldest) {
    size_t n = 0;
    *oldest = (size_t)-1;
    for (size_t i = 0; i < n_conns; i++) {
        const conn *c = &conns[i];
        if (c->state != st || c->evicted || c == skip)
            continue;
        n++;
        if (*oldest == (size_t)-1 || c->since < conns[*oldest].since)
            *oldest = i;
    }
    return n;
}

/* Has connection i make way for another: it is closed once this round of
 * the main loop is over (its deadline is now), without being read again. */
static void evict(size_t i, long long now) {
    conns[i].evicted = true;
    conns[i].deadline = now;
}

/* ---- requests ----------------------------------------------------------- */

static bool parse_u64(const char *s, size_t n, unsigned long long *v) {
    if (n == 0 || n > 20)
        return false;
    unsigned long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (~0ULL - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

/* "psm_" + 8 hex digits, as pyshm__random_name() (which uses snprintf, not
 * async-signal-safe). */
static void random_name(char out[PYSHM__MGR_NAME_MAX + 1]) {
    unsigned char r[4] = {0};
    (void)pyshm__random_bytes(r, sizeof r); /* on failure: a fixed name, then EEXIST */
    memcpy(out, "psm_", 4);
    pyshm__hex_encode((const char *)r, sizeof r, out + 4);
}

/* Creates and tracks a block; returns 0 or an errno. Room in the table is
 * made first, so a created block is always tracked. */
static int do_create(unsigned long long size, const char *given, char name[PYSHM__MGR_NAME_MAX + 1]) {
    if (size == 0 || size > (unsigned long long)INT64_MAX)
        return EINVAL;
    if (sizeof(off_t) < 8 && size > (unsigned long long)INT32_MAX)
        return EFBIG; /* would not survive the cast to off_t */
    int room = make_room();
    if (room != 0)
        return room;
    char path[PYSHM__MGR_NAME_MAX + 2];
    int fd = -1;
    for (int attempt = 0; fd < 0; attempt++) {
        if (given != NULL)
            memcpy(name, given, strlen(given) + 1);
        else
            random_name(name);
        shm_path(name, path);
        fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd < 0 && !(given == NULL && errno == EEXIST && attempt < 100))
            return errno;
    }
    /* Tracked before anything else can fail, so even a later error path
     * that dies leaves the name to the cleanup. A name just created is not
     * tracked yet: a tracked name that existed would have made O_EXCL fail. */
    if (find_name(name) == (size_t)-1)
        add_name(name);
    int rc;
    do
        rc = ftruncate(fd, (off_t)size);
    while (rc < 0 && errno == EINTR);
    int err = rc < 0 ? errno : 0;
#if defined(__linux__)
    /* Every page reserved now, as pyshm_shm_create() does: a full /dev/shm
     * is ENOSPC here rather than a SIGBUS in whoever first writes a page.
     * EOPNOTSUPP: a libc that does not emulate fallocate; left sparse. */
    if (err == 0) {
        do
            err = posix_fallocate(fd, 0, (off_t)size);
        while (err == EINTR);
        if (err == EOPNOTSUPP)
            err = 0;
    }
#endif
    close(fd);
    if (err != 0) {
        shm_unlink(path);
        forget_name(find_name(name));
    }
    return err;
}

static int do_track(const char *name) {
    if (find_name(name) != (size_t)-1)
        return 0;
    int room = make_room();
    if (room == 0)
        add_name(name);
    return room;
}

static int do_release(const char *name) {
    size_t i = find_name(name);
    if (i == (size_t)-1)
        return ESRCH;
    forget_name(i);
    char path[PYSHM__MGR_NAME_MAX + 2];
    shm_path(name, path);
    return shm_unlink(path) == 0 ? 0 : errno;
}

/* Unlinks every tracked name (already gone is fine: someone unlinked it
 * through a handle, as CPython allows) and returns how many there were. */
static size_t unlink_all(void) {
    size_t n = n_names;
    char path[PYSHM__MGR_NAME_MAX + 2];
    for (size_t i = 0; i < n_names; i++) {
        shm_path(names[i].s, path);
        shm_unlink(path);
    }
    n_names = 0;
    return n;
}

typedef enum { LINE_OK, LINE_DROP, LINE_SHUTDOWN } line_result;

/* A hex-encoded name from a request: non-empty, no NUL, no '/'. */
static bool decode_name(const char *hex, size_t hn, char out[PYSHM__MGR_NAME_MAX + 1]) {
    return pyshm__hex_decode(hex, hn, out, PYSHM__MGR_NAME_MAX + 1) > 0 &&
           strchr(out, '/') == NULL;
}

/*
 * The client's proof, "A <version> <hex Nc> <hex proof>": a right one is
 * answered with ours and opens the connection; anything else gets one
 * error line and the connection is dropped.
 */
static line_result authenticate(conn *c, const char *line, size_t n, long long now) {
    const size_t hk = 2 * PYSHM__MGR_KEY;
    unsigned char nc[PYSHM__MGR_KEY], proof[32], want[32];
    int err = 0;
    if (n < 4 || line[0] != 'A' || line[1] != ' ')
        err = EPROTO;
    else if (line[2] != '0' + PYSHM__MGR_VERSION || line[3] != ' ')
        err = EPROTONOSUPPORT;
    else if (n != 4 + hk + 1 + 2 * sizeof proof || line[4 + hk] != ' ' ||
             !pyshm__hex_bytes(line + 4, hk, nc, sizeof nc) ||
             !pyshm__hex_bytes(line + 5 + hk, 2 * sizeof proof, proof, sizeof proof))
        err = EPROTO;
    if (err == 0) {
        pyshm__mgr_proof(key, PYSHM__MGR_CLIENT_LABEL, c->nonce, nc, want);
        if (!pyshm__same_bytes(proof, want, sizeof want))
            err = EACCES;
    }
    if (err != 0) {
        reply_num(c->fd, 'E', (unsigned long long)err);
        return LINE_DROP;
    }
    pyshm__mgr_proof(key, PYSHM__MGR_SERVER_LABEL, nc, c->nonce, proof);
    if (!reply_num_hex(c->fd, '0', (unsigned long long)getpid(), proof, sizeof proof))
        return LINE_DROP;
    c->state = CONN_OPEN;
    c->since = now;
    c->deadline = now + PYSHM__MGR_IDLE_MS;
    /* No room: the authenticated connection unused the longest makes way.
     * It has no request under way (its client would have sent it whole),
     * and its client opens a new connection on its next one. */
    size_t lru;
    if (census(CONN_OPEN, c, &lru) >= max_open)
        evict(lru, now);
    return LINE_OK;
}

/* Handles one request line (without its newline) from c: a malformed line
 * drops the connection, anything else is answered with one reply. */
static line_result handle_line(conn *c, char *line, size_t n, long long now) {
    if (c->state == CONN_CHALLENGED)
        return authenticate(c, line, n, now);
    if (c->state == CONN_OPEN) {
        c->since = now;
        c->deadline = now + PYSHM__MGR_IDLE_MS;
    }
    char name[PYSHM__MGR_NAME_MAX + 1];
    const char *made = NULL; /* the name a create replies with */
    char op = n > 0 ? line[0] : '\0';
    char *arg = line + 2;
    size_t an = n >= 2 ? n - 2 : 0;
    int err;
    if (op == 'S' && n == 1) {
        if (c->state == CONN_OWNER)
            return LINE_SHUTDOWN;
        err = EPERM;
    } else if (n < 3 || line[1] != ' ') {
        return LINE_DROP;
    } else if (op == 'C') {
        char *sp = memchr(arg, ' ', an);
        unsigned long long size;
        if (sp == NULL || !parse_u64(arg, (size_t)(sp - arg), &size))
            return LINE_DROP;
        char *hex = sp + 1;
        size_t hn = an - (size_t)(hex - arg);
        char given[PYSHM__MGR_NAME_MAX + 1];
        bool random = hn == 1 && hex[0] == '-';
        if (!random && !decode_name(hex, hn, given))
            err = EINVAL;
        else
            err = do_create(size, random ? NULL : given, name);
        made = name;
    } else if (op == 'T' || op == 'R') {
        if (!decode_name(arg, an, name))
            err = EINVAL;
        else
            err = op == 'T' ? do_track(name) : do_release(name);
    } else {
        return LINE_DROP;
    }
    bool sent = err != 0 ? reply_num(c->fd, 'E', (unsigned long long)err) : reply_ok(c->fd, made);
    return sent ? LINE_OK : LINE_DROP;
}

/* Reads what c has sent and handles each complete line. A request begun
 * here must be complete within PYSHM__MGR_REQUEST_MS: a client sends each
 * one whole, and one sent a byte at a time must not hold a connection for
 * the idle time. */
static line_result service(conn *c, long long now) {
    bool begun = c->len > 0; /* a request under way already has its deadline */
    ssize_t r;
    do
        r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return LINE_OK;
    if (r <= 0)
        return LINE_DROP;
    c->len += (size_t)r;
    for (char *nl; (nl = memchr(c->buf, '\n', c->len)) != NULL;) {
        size_t n = (size_t)(nl - c->buf);
        line_result lr = handle_line(c, c->buf, n, now);
        if (lr != LINE_OK)
            return lr;
        memmove(c->buf, nl + 1, c->len - n - 1);
        c->len -= n + 1;
        begun = false;
    }
    if (c->len == sizeof c->buf)
        return LINE_DROP;
    if (c->len > 0 && !begun && c->state == CONN_OPEN && now + PYSHM__MGR_REQUEST_MS < c->deadline)
        c->deadline = now + PYSHM__MGR_REQUEST_MS;
    return LINE_OK;
}

/* ---- connections -------------------------------------------------------- */

static void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Only processes of our own user may track names: anyone else could have
 * us unlink blocks they cannot touch themselves. */
static bool same_user(int fd) {
#if defined(SO_PEERCRED)
    struct ucred cr;
    socklen_t len = sizeof cr;
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.uid == geteuid();
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    uid_t uid;
    gid_t gid;
    return getpeereid(fd, &uid, &gid) == 0 && uid == geteuid();
#else
    (void)fd;
    return true; /* the socket's 0700 directory is the only guard */
#endif
}

/* Adds fd to the connections, greeting a client with its challenge; false
 * (fd not added) if either fails. */
static bool add_conn(int fd, conn_state state, long long now) {
    if (!grow((void **)&conns, &cap_conns, sizeof *conns, n_conns + 1))
        return false;
    set_nonblocking(fd);
    conn *c = &conns[n_conns];
    c->fd = fd;
    c->state = state;
    c->evicted = false;
    c->len = 0;
    c->since = now;
    c->deadline = now + PYSHM__MGR_HANDSHAKE_MS;
    if (state == CONN_CHALLENGED &&
        (pyshm__random_bytes(c->nonce, sizeof c->nonce) != 0 ||
         !reply_num_hex(fd, 'H', PYSHM__MGR_VERSION, c->nonce, sizeof c->nonce)))
        return false;
    n_conns++;
    return true;
}

/* At the descriptor limit, a waiting connection would keep the listening
 * socket readable and poll() returning at once, forever: the reserve
 * descriptor makes room to accept it and turn it away. If even that
 * fails, accepting pauses for a moment instead of spinning. */
static void shed_one(int lfd, long long now) {
    if (reserve_fd >= 0)
        close(reserve_fd);
    int fd = accept(lfd, NULL, NULL);
    if (fd >= 0) {
        reply_num(fd, 'E', EMFILE);
        close(fd);
    }
    reserve_fd = open("/dev/null", O_RDONLY);
    if (fd < 0 || reserve_fd < 0)
        accept_paused_until = now + 100;
}

/* When a new connection can be taken: now if there is room for one more
 * still to authenticate, else once the oldest of those has had its grace
 * (until then the newcomer waits in the listening socket's backlog, in
 * turn). */
static long long room_at(long long now) {
    size_t oldest;
    if (census(CONN_CHALLENGED, NULL, &oldest) < max_pending)
        return now;
    return conns[oldest].since + PYSHM__MGR_GRACE_MS;
}

/* Takes one waiting connection; room_at(now) <= now. */
static void accept_one(int lfd, long long now) {
    int fd;
    do
        fd = accept(lfd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE)
            shed_one(lfd, now);
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
            accept_paused_until = now + 100; /* ENOBUFS, ENOMEM: let it pass */
        return;
    }
    if (!same_user(fd)) {
        close(fd);
        return;
    }
    /* No room: the connection that has waited longest to authenticate,
     * past its grace, makes way (its client may try again). The owner's
     * connection is not counted. */
    size_t oldest;
    if (census(CONN_CHALLENGED, NULL, &oldest) >= max_pending) {
        reply_num(conns[oldest].fd, 'E', EAGAIN);
        evict(oldest, now);
    }
    if (!add_conn(fd, CONN_CHALLENGED, now))
        close(fd);
}

/* Reads the owner's first line, "K <version> <hex key>", which it wrote
 * before we existed; the version in it, or -1 if it is malformed or does
 * not come within the handshake time. */
static long read_key(int fd) {
    char line[PYSHM__MGR_LINE];
    size_t n = 0;
    long long until = now_ms() + PYSHM__MGR_HANDSHAKE_MS;
    while (n < sizeof line) {
        struct pollfd p = {fd, POLLIN, 0};
        long long left = until - now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return -1;
        ssize_t r = read(fd, line + n, 1);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    if (n < 4 || line[0] != 'K' || line[1] != ' ')
        return -1;
    long version = 0;
    size_t i = 2;
    for (; i < n && line[i] >= '0' && line[i] <= '9' && version < 1000000; i++)
        version = version * 10 + (line[i] - '0');
    if (i == 2 || i >= n || line[i] != ' ')
        return -1;
    if (version == PYSHM__MGR_VERSION &&
        !pyshm__hex_bytes(line + i + 1, n - i - 1, key, sizeof key))
        return -1;
    return version;
}
/* ---- process setup ------------------------------------------------------ */

static void close_range_from(unsigned lo, unsigned hi) {
    if (lo > hi)
        return;
#if defined(SYS_close_range)
    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (unsigned long fd = lo; fd <= hi && fd < (unsigned long)max; fd++)
        close((int)fd);
}

/* Keeps only the descriptors *fds[0..3) (-1 for unused; renumbered if on
 * 0..2), with 0, 1 and 2 on /dev/null: holding a copy of the owner's stdout
 * or of any other pipe would keep its reader from ever seeing end-of-file. */
static void isolate_fds(int *fds[3]) {
    for (int i = 0; i < 3; i++)
        if (*fds[i] >= 0 && *fds[i] <= 2) {
            int moved = fcntl(*fds[i], F_DUPFD, 3);
            if (moved >= 0)
                *fds[i] = moved;
        }
    int devnull = open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; fd++)
        if (devnull >= 0 && devnull != fd)
            dup2(devnull, fd);
    if (devnull > 2)
        close(devnull);
    int keep[3] = {*fds[0], *fds[1], *fds[2]};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (keep[j] < keep[i]) {
                int t = keep[i];
                keep[i] = keep[j];
                keep[j] = t;
            }
    unsigned lo = 3;
    for (int i = 0; i < 3; i++) {
        if (keep[i] < 3)
            continue;
        if ((unsigned)keep[i] > lo)
            close_range_from(lo, (unsigned)keep[i] - 1);
        lo = (unsigned)keep[i] + 1;
    }
    close_range_from(lo, ~0U);
}

/* The owner's signal handlers are meaningless here: every signal goes back
 * to its default, terminal signals are ignored (setsid already moved us out
 * of the terminal's process group), and SIGTERM means clean up and exit. */
static void reset_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < 65; s++) {
        if (s == SIGKILL || s == SIGSTOP)
            continue;
        sa.sa_handler = SIG_DFL;
        sigaction(s, &sa, NULL);
    }
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The address goes first, so that once shutdown returns nobody can connect
 * to a manager that is ending; then the names; then the reply. */
static void finish(const pyshm__watchdog_args *a, int reply_fd, int status) {
    close(a->listen_fd);
    if (a->sock_path[0] != '\0')
        unlink(a->sock_path);
    if (a->sock_dir[0] != '\0')
        rmdir(a->sock_dir);
    size_t n = unlink_all();
    if (reply_fd >= 0)
        reply_num(reply_fd, '0', n);
    for (size_t i = 0; i < n_conns; i++)
        close(conns[i].fd);
    _exit(status);
}

/* How long poll() may sleep: until the first connection's deadline, the
 * end of a pause in accepting, room for a new connection (room, from
 * room_at()), or (with no pidfd) the next look at the owner; -1 for no
 * limit. */
static int poll_timeout(long long now, bool poll_owner, long long room) {
    long long until = poll_owner ? now + 250 : -1;
    if (accept_paused_until > now && (until < 0 || accept_paused_until < until))
        until = accept_paused_until;
    if (room > now && (until < 0 || room < until))
        until = room;
    for (size_t i = 0; i < n_conns; i++)
        if (conns[i].state != CONN_OWNER && (until < 0 || conns[i].deadline < until))
            until = conns[i].deadline;
    return until < 0 ? -1 : until <= now ? 0 : (int)(until - now);
}

/* Drops connection i (the last one takes its place). */
static void drop_conn(size_t i) {
    close(conns[i].fd);
    conns[i] = conns[--n_conns];
}

/* Connection i's time is up. A client still to authenticate, or with a
 * request under way, is told (ETIMEDOUT; it may try again). An idle one,
 * or one that made way for another, goes without a word: an idle client
 * opens a new connection when it next has a request, and one that made
 * way while authenticating was told EAGAIN already. */
static void expire(size_t i) {
    const conn *c = &conns[i];
    if (!c->evicted && (c->state == CONN_CHALLENGED || c->len > 0))
        reply_num(c->fd, 'E', ETIMEDOUT);
    drop_conn(i);
}

void pyshm__watchdog_run(const pyshm__watchdog_args *a) {
    reset_signals();
    int owner_fd = a->owner_fd, listen_fd = a->listen_fd, pidfd = a->pidfd;
    int *fds[3] = {&owner_fd, &listen_fd, &pidfd};
    isolate_fds(fds);
    if (chdir("/") != 0) {
        /* not fatal: only keeps a directory busy */
    }
    set_nonblocking(listen_fd);
    pyshm__watchdog_args self = *a;
    self.listen_fd = listen_fd;
    (void)pyshm__random_bytes(&hash_seed, sizeof hash_seed);
    reserve_fd = open("/dev/null", O_RDONLY);
    /* Our own descriptors (about ten) and one per block being created
     * must fit beside the connections. All this is done before the
     * greeting, after which the owner may change our limits; a limit
     * lowered then (prlimit) is met by the reserve descriptor. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < max_conns + 16)
        max_conns = rl.rlim_cur > 17 ? (size_t)rl.rlim_cur - 16 : 1;
    if (max_conns / 4 < max_pending)
        max_pending = max_conns / 4 > 0 ? max_conns / 4 : 1;
    max_open = max_conns > max_pending ? max_conns - max_pending : 1;
    if (pipe(term_pipe) == 0) {
        set_nonblocking(term_pipe[0]);
        set_nonblocking(term_pipe[1]);
    }
    long version = owner_fd >= 0 ? read_key(owner_fd) : -1;
    /* The greeting tells the owner our version, so that a program of
     * another version is refused there, clearly, before it does anything. */
    if (version < 0 || listen_fd < 0 || !add_conn(owner_fd, CONN_OWNER, now_ms()) ||
        !reply_nums(owner_fd, '0', (unsigned long long)getpid(), PYSHM__MGR_VERSION) ||
        version != PYSHM__MGR_VERSION)
        finish(&self, -1, 1);
    for (;;) {
        if (terminated) /* SIGTERM before the pipe existed */
            finish(&self, -1, 0);
        if (!grow((void **)&pfds, &cap_pfds, sizeof *pfds, n_conns + 3))
            finish(&self, -1, 1);
        long long now = now_ms(), room = room_at(now);
        bool listening = accept_paused_until <= now && room <= now;
        size_t np = 0;
        pfds[np].fd = listening ? listen_fd : -1;
        pfds[np++].events = POLLIN;
        pfds[np].fd = pidfd;
        pfds[np++].events = POLLIN;
        pfds[np].fd = term_pipe[0];
        pfds[np++].events = POLLIN;
        for (size_t i = 0; i < n_conns; i++) {
            pfds[np].fd = conns[i].fd;
            pfds[np++].events = POLLIN;
        }
        /* Without a pidfd the owner is polled for every quarter second, so
         * an owner whose socket another process inherited still counts. */
        int r = poll(pfds, (nfds_t)np, poll_timeout(now, pidfd < 0, room));
        if (terminated)
            finish(&self, -1, 0);
        if (r < 0 && errno != EINTR)
            finish(&self, -1, 1);
        if (pidfd >= 0 && pfds[1].revents != 0)
            finish(&self, -1, 0);
        if (pidfd < 0 && a->owner_pid > 0 && kill(a->owner_pid, 0) < 0 && errno == ESRCH)
            finish(&self, -1, 0);
        now = now_ms();
        /* Connections, last first (a dropped one is replaced by the last). */
        for (size_t i = n_conns; i-- > 0;) {
            if (r > 0 && pfds[i + 3].revents != 0 && !conns[i].evicted) {
                line_result lr = service(&conns[i], now);
                if (lr == LINE_SHUTDOWN)
                    finish(&self, conns[i].fd, 0);
                if (lr == LINE_DROP) {
                    if (conns[i].state == CONN_OWNER)
                        finish(&self, -1, 0); /* the owner is gone: exit, crash or kill */
                    drop_conn(i);
                    continue;
                }
            }
            if (conns[i].state != CONN_OWNER && conns[i].deadline <= now)
                expire(i);
        }
        if (r > 0 && listening && (pfds[0].revents & POLLIN))
            accept_one(listen_fd, now);
    }
}

#endif /* _WIN32 */
