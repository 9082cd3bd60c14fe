/* Helpers shared by the leak programs: see util.h. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

int leak_count_fds(bool sockets_only) {
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        d = opendir("/dev/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        struct stat st;
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == dirfd(d))
            continue;
        if (!sockets_only || (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)))
            n++;
    }
    closedir(d);
    return n;
}

bool leak_name_exists(const char *name) {
    pyshm_shm *s = NULL;
    int rc = pyshm_shm_attach(name, &s);
    pyshm_shm_free(s);
    return rc == 0;
}

typedef struct {
    const char *prefix;
    int count;
    bool unlink;
} name_scan;

static int scan_one(const char *name, uint64_t size, void *arg) {
    (void)size;
    name_scan *s = arg;
    if (strncmp(name, s->prefix, strlen(s->prefix)) == 0) {
        s->count++;
        if (s->unlink)
            pyshm_unlink(name);
    }
    return 0;
}

int leak_count_names(const char *prefix, bool unlink) {
    name_scan s = {prefix, 0, unlink};
    pyshm_shm_foreach(scan_one, &s);
    return s.count;
}

int leak_wait(pid_t pid) {
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return st;
}

void leak_sleep(double s) {
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

double leak_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long leak_status_kb(long pid, const char *field) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    size_t n = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = atol(line + n + 1);
    if (f != NULL)
        fclose(f);
    return kb;
}

long leak_rss_kb(long pid) { return leak_status_kb(pid, "VmRSS"); }

double leak_cpu_seconds(long pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* After "pid (comm) ": fields 3..13, then utime and stime (14, 15). */
    const char *p = strrchr(buf, ')');
    unsigned long ut, st;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                            &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long leak_first_child(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
    FILE *f = fopen(path, "r");
    long pid = -1;
    if (f != NULL && fscanf(f, "%ld", &pid) != 1)
        pid = -1;
    if (f != NULL)
        fclose(f);
    return pid;
}

void leak_touch(void *p, size_t n, char v) {
    for (size_t i = 0; i < n; i += 4096)
        ((volatile char *)p)[i] = v; /* volatile: stores a compiler may not drop */
}

pid_t leak_fork_big_owner(size_t mib, leak_big_owner *o) {
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    memset(o, 0, sizeof *o);
    o->size = mib << 20;
    o->heap = malloc(o->size);
    o->rc = PYSHM_ENOMEM;
    if (o->heap == NULL)
        return 0;
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
    o->rc = PYSHM_EOS;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return 0;
#endif
    leak_touch(o->heap, o->size, 1);
    o->owner_kb = leak_rss_kb((long)getpid());
    double t = leak_now();
    o->rc = pyshm_manager_start(&o->m);
    o->start_ms = (leak_now() - t) * 1e3;
    o->watchdog = o->rc == 0 ? leak_first_child() : -1;
    return 0;
}
