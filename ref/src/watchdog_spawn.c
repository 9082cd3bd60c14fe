/*
 * Finding and starting the manager's watchdog program (manager.h,
 * pyshm__watchdog_spawn).
 *
 * The watchdog is always a program of its own, never a fork of its owner:
 * a forked watchdog would keep a copy-on-write copy of all the memory its
 * owner had at that moment for as long as the manager runs. posix_spawn
 * starts it without copying the caller's memory even for a moment (a fork
 * of a large process copies its page tables, and under strict overcommit
 * may not be allowed at all).
 *
 * The library carries the program in itself (watchdog_image.c), so that it
 * works with nothing installed; the program on disk serves builds without
 * that image and systems that will not execute it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* secure_getenv, memfd_create, POSIX_SPAWN_SETSID */
#endif
#include "internal.h" /* first: on macOS it makes issetugid visible */

#ifndef _WIN32
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif

#if defined(__APPLE__)
#include <dlfcn.h> /* dladdr: with _DARWIN_C_SOURCE, from internal.h */
#elif defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__)
int issetugid(void); /* hidden by -D_POSIX_C_SOURCE there (see internal.h) */
#endif

/* Where `make install` puts the watchdog program. */
#ifndef PYSHM_WATCHDOG_PATH
#define PYSHM_WATCHDOG_PATH "/usr/local/libexec/pyshm-watchdog"
#endif

#define PROGRAM_NAME "pyshm-watchdog"
#define PATH_CAP 4096

/* Whether this process runs with privileges that whoever set its
 * environment may not have: set-user-ID, set-group-ID, or file
 * capabilities. Then its environment may not choose what it runs. */
static bool privileged(void) {
#if defined(__linux__)
    return getauxval(AT_SECURE) != 0; /* what glibc's secure_getenv asks */
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
    return issetugid() != 0;
#else
    return getuid() != geteuid() || getgid() != getegid();
#endif
}

const char *pyshm__secure_getenv(const char *name) {
#if defined(__GLIBC__)
    return secure_getenv(name);
#else
    return privileged() ? NULL : getenv(name);
#endif
}

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * posix_spawn of the program at path for a. Its descriptors are copied
 * above every descriptor the copies could overwrite (the caller's are
 * close-on-exec, the copies are not), keep among them (-1: none); stdin,
 * stdout and stderr go to /dev/null. Signals start at their defaults,
 * unblocked, and the program starts in a session of its own. An errno.
 */
static int spawn_program(const char *path, const pyshm__watchdog_args *a, int keep, pid_t *pid) {
    int src[3] = {a->owner_fd, a->listen_fd, a->pidfd};
    int top = keep > 2 ? keep : 2;
    for (int i = 0; i < 3; i++)
        if (src[i] > top)
            top = src[i];
    char num[4][24];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int err = posix_spawn_file_actions_init(&fa);
    if (err != 0)
        return err;
    if ((err = posix_spawnattr_init(&at)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return err;
    }
    for (int i = 0; i < 3; i++) {
        int to = src[i] >= 0 ? top + 1 + i : -1;
        if (to >= 0 && err == 0)
            err = posix_spawn_file_actions_adddup2(&fa, src[i], to);
        snprintf(num[i], sizeof num[i], "%d", to);
    }
    snprintf(num[3], sizeof num[3], "%ld", (long)a->owner_pid);
    if (err == 0)
        err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
    for (int fd = 1; fd <= 2 && err == 0; fd++)
        err = posix_spawn_file_actions_adddup2(&fa, 0, fd);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifdef POSIX_SPAWN_SETSID
    flags |= POSIX_SPAWN_SETSID; /* else the program's setsid() is soon enough */
#endif
    if (err == 0)
        err = posix_spawnattr_setsigmask(&at, &none);
    if (err == 0)
        err = posix_spawnattr_setsigdefault(&at, &all);
    if (err == 0)
        err = posix_spawnattr_setflags(&at, flags);
    char *argv[] = {(char *)PROGRAM_NAME, (char *)PYSHM__MGR_PROGRAM_TAG,
                    num[0], num[1], num[2], num[3],
                    (char *)a->sock_path, (char *)a->sock_dir, NULL};
    char *envp[] = {NULL};
    /* A file just written is briefly busy if another thread forked while
     * it was open for writing: the child holds that descriptor until it
     * execs or exits. */
    for (int attempt = 0; err == 0; attempt++) {
        err = posix_spawn(pid, path, &fa, &at, argv, envp);
        if (err != ETXTBSY || attempt == 8)
            break;
        struct timespec ts = {0, 1000000L << attempt};
        nanosleep(&ts, NULL);
        err = 0;
    }
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return err;
}

#if PYSHM__MGR_LINUX && defined(MFD_CLOEXEC)
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable even where vm.memfd_noexec says otherwise */
#endif

/* The image, executed from memory: nothing on disk to clean up, nothing
 * another process could replace between writing and executing it. */
static int run_image(const pyshm__watchdog_args *a, pid_t *pid) {
    int w = memfd_create(PROGRAM_NAME, MFD_CLOEXEC | MFD_EXEC);
    if (w < 0 && errno == EINVAL) /* before Linux 6.3 */
        w = memfd_create(PROGRAM_NAME, MFD_CLOEXEC);
    if (w < 0)
        return errno;
    int err = write_all(w, pyshm__watchdog_image, pyshm__watchdog_image_size);
    /* Executed through a read-only descriptor of its own: an older kernel
     * refuses to execute a file open for writing (ETXTBSY). Above 2, where
     * spawn_program's /dev/null does not land on it. */
    char path[40];
    int r = -1;
    if (err == 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", w);
        int ro = open(path, O_RDONLY | O_CLOEXEC);
        r = ro >= 0 ? fcntl(ro, F_DUPFD_CLOEXEC, 3) : -1;
        err = r < 0 ? errno : 0;
        if (ro >= 0)
            close(ro);
    }
    close(w);
    if (err == 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", r);
        err = spawn_program(path, a, r, pid);
    }
    if (r >= 0)
        close(r);
    return err;
}

#else

/* The image, executed from a file of its own in a new 0700 directory,
 * removed once the program runs. In a privileged process TMPDIR is not
 * consulted: /tmp is sticky, so nobody else can move the directory away. */
static int run_image(const pyshm__watchdog_args *a, pid_t *pid) {
    const char *tmp = pyshm__secure_getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    char dir[PATH_CAP], path[PATH_CAP + 32];
    if ((size_t)snprintf(dir, sizeof dir, "%s/pyshm-XXXXXX", tmp) >= sizeof dir)
        return ENAMETOOLONG;
    if (mkdtemp(dir) == NULL)
        return errno;
    snprintf(path, sizeof path, "%s/" PROGRAM_NAME, dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
    int err = fd < 0 ? errno : write_all(fd, pyshm__watchdog_image, pyshm__watchdog_image_size);
    if (fd >= 0 && close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0)
        err = spawn_program(path, a, -1, pid);
    unlink(path);
    rmdir(dir);
    return err;
}
#endif

/*
 * The directory of the file the library's code was loaded from (a shared
 * library, or the executable it is linked into), as the system names it:
 * argv[0], which the caller chooses, is no guide. false if unknown.
 */
static bool library_dir(char *dir, size_t cap) {
    uintptr_t here = (uintptr_t)&pyshm__watchdog_image_size;
    bool found = false;
#if defined(__linux__)
    FILE *f = fopen("/proc/self/maps", "re");
    char line[PATH_CAP + 128];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        int at = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &at) != 2 || at == 0 ||
            here < lo || here >= hi)
            continue;
        char *name = line + at;
        name[strcspn(name, "\n")] = '\0';
        found = name[0] == '/' && strstr(name, " (deleted)") == NULL &&
                (size_t)snprintf(dir, cap, "%s", name) < cap;
        break;
    }
    if (f != NULL)
        fclose(f);
#elif defined(__APPLE__)
    /* dyld's path of the image, not argv[0]. (The BSDs' dladdr is hidden
     * by -D_POSIX_C_SOURCE: they look only at the installed program.) */
    Dl_info info;
    found = dladdr((const void *)here, &info) != 0 && info.dli_fname != NULL &&
            info.dli_fname[0] == '/' && (size_t)snprintf(dir, cap, "%s", info.dli_fname) < cap;
#else
    (void)here;
    (void)cap;
#endif
    char *slash = found ? strrchr(dir, '/') : NULL;
    if (slash == dir)
        slash++; /* "/prog" lives in "/" */
    if (slash != NULL)
        *slash = '\0';
    return slash != NULL;
}

int pyshm__watchdog_spawn(const pyshm__watchdog_args *a, pid_t *pid) {
    const char *env = pyshm__secure_getenv("PYSHM_WATCHDOG");
    if (env != NULL && env[0] != '\0') {
        /* Named explicitly: that program or an error, never another. */
        int err = access(env, X_OK) == 0 ? spawn_program(env, a, -1, pid) : errno;
        return err == 0 ? 0 : pyshm__os_error(err);
    }
    int first_err = 0;
    if (pyshm__watchdog_image_size > 0) {
        int err = run_image(a, pid);
        if (err == 0)
            return 0;
        first_err = err;
    }
    char dir[PATH_CAP], beside[2][PATH_CAP + 64];
    const char *disk[3] = {PYSHM_WATCHDOG_PATH, NULL, NULL};
    if (!privileged() && library_dir(dir, sizeof dir)) {
        snprintf(beside[0], sizeof beside[0], "%s/" PROGRAM_NAME, dir);
        snprintf(beside[1], sizeof beside[1], "%s/../libexec/" PROGRAM_NAME, dir);
        disk[1] = beside[0];
        disk[2] = beside[1];
    }
    for (int i = 0; i < 3; i++) {
        if (disk[i] == NULL || access(disk[i], X_OK) != 0)
            continue;
        int err = spawn_program(disk[i], a, -1, pid);
        if (err == 0)
            return 0;
        if (first_err == 0)
            first_err = err;
    }
    return pyshm__os_error(first_err != 0 ? first_err : ENOENT);
}

#endif /* _WIN32 */
