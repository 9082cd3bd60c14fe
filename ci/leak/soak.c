/*
 * soak: kill manager owners with SIGKILL at random moments, many times, and
 * count the names they leave behind (there must be none).
 *
 *   soak [-n KILLS] [-j PARALLEL] [--cli PYSHM] [--seed S]
 *
 * Each owner starts a manager and creates blocks and lists through it in a
 * loop, named <prefix><owner>_<n>, where the prefix is unique to this run.
 * With --cli, every fifth owner is instead `PYSHM list create --managed`.
 * Each owner is killed after a random 0-20 ms (so some die while starting
 * the manager, some mid-request); the watchdog then has 1 s to unlink the
 * owner's names. On Linux this process is a child subreaper, so the
 * watchdogs become its children and it can also check that they all exit.
 * Exit status 1 if any name was left or any watchdog outlived its owner.
 * SOAK_DEBUG=1 in the environment reports every cleanup slower than 50 ms.
 */
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#define MAX_PARALLEL 64

static char prefix[64];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The owner: creates named blocks and lists as fast as it can (up to a cap,
 * then idles) until it is killed. */
static void owner(unsigned id, unsigned seed) {
    srandom(seed);
    pyshm_manager *m;
    if (pyshm_manager_start(&m) != 0)
        _exit(3);
    char name[128];
    pyshm_value items[] = {pyshm_int(1), pyshm_str("soak"), pyshm_none()};
    for (unsigned n = 0;; n++) {
        if (n < 64) {
            snprintf(name, sizeof name, "%s%u_%u", prefix, id, n);
            if (n % 2 == 0) {
                pyshm_shm *s;
                if (pyshm_manager_shm_create(m, name, 64, &s) == 0)
                    pyshm_shm_free(s);
            } else {
                pyshm_list *l;
                if (pyshm_manager_list_create(m, name, items, 3, PYSHM_LAYOUT_AUTO, &l) == 0)
                    pyshm_list_free(l);
            }
        }
        leak_sleep((double)(random() % 1000) / 1e6);
    }
}

/* Names of owner id (id < 0: of any owner) that exist now; unlinked too if
 * unlink. */
static int count_names(long id, bool unlink) {
    char start[96];
    if (id < 0)
        snprintf(start, sizeof start, "%s", prefix);
    else
        snprintf(start, sizeof start, "%s%ld_", prefix, id);
    return leak_count_names(start, unlink);
}

typedef struct {
    pid_t pid;
    unsigned id;
    double kill_at;
} live;

int main(int argc, char **argv) {
    unsigned kills = 500, parallel = 8, seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    const char *cli = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            kills = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
            parallel = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--cli") == 0 && i + 1 < argc)
            cli = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: soak [-n KILLS] [-j PARALLEL] [--cli PYSHM] [--seed S]\n");
            return 2;
        }
    }
    if (parallel < 1 || parallel > MAX_PARALLEL)
        parallel = 8;
    snprintf(prefix, sizeof prefix, "pyshm_soak%ld_", (long)getpid());
    srandom(seed);
    bool subreaper = false;
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
    subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
#endif
    printf("soak: %u kills, %u at a time, seed %u, prefix %s%s\n", kills, parallel, seed, prefix,
           cli ? ", with the CLI" : "");
    fflush(stdout);

    live owners[MAX_PARALLEL];
    unsigned started = 0, killed = 0, alive = 0, leaked = 0, slow = 0, held = 0;
    double worst = 0, t0 = now();
    while (killed < kills) {
        while (alive < parallel && started < kills) {
            unsigned id = started++;
            bool use_cli = cli != NULL && id % 5 == 4;
            unsigned oseed = (unsigned)random();
            pid_t pid = fork();
            if (pid == 0) {
                if (use_cli) {
                    char name[128];
                    snprintf(name, sizeof name, "%s%u_0", prefix, id);
                    if (freopen("/dev/null", "w", stdout) == NULL)
                        _exit(4);
                    execl(cli, cli, "list", "create", "--managed", "--name", name, "1", "'x'",
                          (char *)NULL);
                    _exit(127);
                }
                owner(id, oseed);
            }
            if (pid < 0) {
                perror("soak: fork");
                return 2;
            }
            owners[alive++] = (live){pid, id, now() + (double)(random() % 20000) / 1e6};
        }
        /* Kill the owner whose moment comes first. */
        unsigned first = 0;
        for (unsigned i = 1; i < alive; i++)
            if (owners[i].kill_at < owners[first].kill_at)
                first = i;
        live o = owners[first];
        owners[first] = owners[--alive];
        leak_sleep(o.kill_at - now());
        held += (unsigned)count_names(o.id, false); /* what the kill puts at stake */
        kill(o.pid, SIGKILL);
        leak_wait(o.pid);
        killed++;
        double dead = now(), took;
        int left;
        while ((left = count_names(o.id, false)) > 0 && now() - dead < 1.0)
            leak_sleep(0.001);
        took = now() - dead;
        if (took > worst)
            worst = took;
        if (getenv("SOAK_DEBUG") && took > 0.05)
            fprintf(stderr, "slow: owner %u took %.0f ms\n", o.id, took * 1e3);
        if (took > 0.5)
            slow++;
        if (left > 0) {
            leaked += (unsigned)left;
            fprintf(stderr, "soak: owner %u (pid %ld) left %d names after 1 s\n", o.id,
                    (long)o.pid, left);
            count_names(o.id, true);
        }
        /* Reap whatever was re-parented to us meanwhile. */
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
    }
    /* Every watchdog must have exited by now (they are ours if subreaper). */
    int running = 0;
    if (subreaper) {
        double until = now() + 2.0;
        for (;;) {
            pid_t p = waitpid(-1, NULL, WNOHANG);
            if (p < 0)
                break; /* ECHILD: none left */
            if (p == 0) {
                if (now() > until) {
                    running = 1;
                    break;
                }
                leak_sleep(0.01);
            }
        }
    }
    int final = count_names(-1, true);
    printf("soak: %u owners killed in %.1f s, holding %u names; names left %u (+%d at the "
           "end); slowest cleanup %.0f ms, %u over 500 ms; %s\n",
           killed, now() - t0, held, leaked, final, worst * 1e3, slow,
           !subreaper ? "watchdog exits not checked (no subreaper)"
           : running  ? "WATCHDOGS STILL RUNNING"
                      : "every watchdog exited");
    return leaked != 0 || final != 0 || running != 0;
}
