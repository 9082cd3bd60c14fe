/*
 * handoff: hands payloads from a C producer to a consumer process through
 * libpyshm, zero-copy: the producer creates a block and writes the payload
 * into it once, passes only the name, and the consumer attaches by name
 * and checksums the mapping in place.
 *
 *   handoff produce [options] SIZE... -- CONSUMER-COMMAND...
 *       --label L        method name recorded in the JSON
 *       --check sum64|crc32   the checksum the consumer reports
 *       --min-time S, --min-reps N, --max-reps N   repetitions per size
 *   handoff consume
 *
 * Consumer protocol (also spoken by bench/py/consumer.py), one line each:
 *   producer -> consumer: "NAME SIZE"      (a line "quit" ends it)
 *   consumer -> producer: "CHECKSUM ATTACH_NS READ_NS CLOSE_NS"
 * The consumer is started once, so process start-up is not part of a
 * handoff. A handoff is timed in the producer, from before the block is
 * created until the consumer's answer arrives: block creation, the one
 * write of the payload, passing the name, attaching, reading every byte and
 * closing ("total"). "handoff" is the part from passing the name to the
 * answer: the whole cost when the producer builds its data in the block in
 * the first place, which is what zero-copy sharing is for. Unlinking
 * happens after the clock stops, as a producer would do it off the
 * critical path, and so does "local_read", the producer reading its own
 * copy of the payload: the machine's read bandwidth at that moment.
 */
#include "common.h"
#include "pyshm.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The block in flight, so an interrupted run still removes its name. */
static char inflight[64];

static void on_signal(int sig) {
    if (inflight[0]) {
        char path[80] = "/";
        strcat(path, inflight);
        shm_unlink(path);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- consumer ---------------------------------------------------------- */

static int consume(void) {
    char line[256], name[200];
    size_t size;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "quit", 4) == 0)
            break;
        if (sscanf(line, "%199s %zu", name, &size) != 2) {
            fprintf(stderr, "consume: bad request %s", line);
            return 2;
        }
        uint64_t t0 = bench_now_ns();
        pyshm_shm *shm;
        int rc = pyshm_shm_attach(name, &shm);
        if (rc < 0) {
            fprintf(stderr, "consume: attach %s: %s\n", name, pyshm_strerror(rc));
            return 1;
        }
        uint64_t t1 = bench_now_ns();
        if (pyshm_shm_size(shm) < size) {
            fprintf(stderr, "consume: block %s is smaller than %zu\n", name, size);
            return 1;
        }
        uint64_t sum = bench_sum64(pyshm_shm_buf(shm), size);
        uint64_t t2 = bench_now_ns();
        pyshm_shm_free(shm);
        uint64_t t3 = bench_now_ns();
        printf("%llu %llu %llu %llu\n", (unsigned long long)sum, (unsigned long long)(t1 - t0),
               (unsigned long long)(t2 - t1), (unsigned long long)(t3 - t2));
        fflush(stdout);
    }
    return 0;
}

/* ---- producer ---------------------------------------------------------- */

typedef struct consumer {
    pid_t pid;
    FILE *to, *from;
} consumer;

static int spawn_consumer(char **argv, consumer *c) {
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    int rc = posix_spawnp(&c->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    c->to = fdopen(in[1], "w");
    c->from = fdopen(out[0], "r");
    return c->to && c->from ? 0 : -1;
}

typedef struct sample {
    double total, handoff, create, write, attach, read, close, local_read;
} sample;

/* One handoff; returns 0 and fills *s, or -1 after printing why. */
static int handoff_once(consumer *c, const void *payload, size_t len, uint64_t expect,
                        sample *s) {
    uint64_t t0 = bench_now_ns();
    pyshm_shm *shm;
    int rc = pyshm_shm_create(NULL, (int64_t)len, &shm);
    if (rc < 0) {
        fprintf(stderr, "produce: create %zu bytes: %s\n", len, pyshm_strerror(rc));
        return -1;
    }
    snprintf(inflight, sizeof inflight, "%s", pyshm_shm_name(shm));
    uint64_t t1 = bench_now_ns();
    memcpy(pyshm_shm_buf(shm), payload, len);
    uint64_t t2 = bench_now_ns();
    fprintf(c->to, "%s %zu\n", pyshm_shm_name(shm), len);
    fflush(c->to);
    char line[256];
    unsigned long long sum = 0, ta = 0, tr = 0, tc = 0;
    int ok = fgets(line, sizeof line, c->from) != NULL &&
             sscanf(line, "%llu %llu %llu %llu", &sum, &ta, &tr, &tc) == 4;
    uint64_t t3 = bench_now_ns();
    pyshm_shm_unlink(shm);
    pyshm_shm_free(shm);
    inflight[0] = '\0';
    if (!ok) {
        fprintf(stderr, "produce: no answer from the consumer\n");
        return -1;
    }
    if (sum != expect) {
        fprintf(stderr, "produce: checksum %llu, expected %llu (size %zu)\n", sum,
                (unsigned long long)expect, len);
        return -1;
    }
    s->total = (double)(t3 - t0) * 1e-9;
    s->handoff = (double)(t3 - t2) * 1e-9;
    s->create = (double)(t1 - t0) * 1e-9;
    s->write = (double)(t2 - t1) * 1e-9;
    s->attach = (double)ta * 1e-9;
    s->read = (double)tr * 1e-9;
    s->close = (double)tc * 1e-9;
    /* Off the clock: this process reading its own, already mapped copy of
     * the payload, i.e. the read bandwidth at this very moment. On a shared
     * machine it moves with the load, so the consumer's read rate is best
     * compared with it rather than with a figure taken minutes apart. */
    uint64_t t4 = bench_now_ns();
    bench_sink += bench_sum64(payload, len);
    s->local_read = (double)(bench_now_ns() - t4) * 1e-9;
    return 0;
}

static void print_field(const char *key, sample *v, size_t n, size_t off, double *tmp) {
    for (size_t i = 0; i < n; i++)
        tmp[i] = *(double *)((char *)&v[i] + off);
    bench_stats st = bench_summarize(tmp, n);
    printf(", ");
    bench_json_stats(stdout, key, &st);
}

static int produce(int argc, char **argv) {
    const char *label = "c", *check = "sum64";
    double min_time = 0.5;
    size_t min_reps = 3, max_reps = 50;
    int i = 0;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]; i += 2) {
        if (strcmp(argv[i], "--label") == 0)
            label = argv[i + 1];
        else if (strcmp(argv[i], "--check") == 0)
            check = argv[i + 1];
        else if (strcmp(argv[i], "--min-time") == 0)
            min_time = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--min-reps") == 0)
            min_reps = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--max-reps") == 0)
            max_reps = (size_t)strtoul(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "produce: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    int sizes_at = i;
    while (i < argc && strcmp(argv[i], "--") != 0)
        i++;
    if (i + 1 >= argc || sizes_at == i || max_reps < 1 || min_reps > max_reps) {
        fprintf(stderr, "usage: handoff produce [options] SIZE... -- CONSUMER...\n");
        return 2;
    }
    int crc = strcmp(check, "crc32") == 0;
    consumer c;
    if (spawn_consumer(argv + i + 1, &c) < 0) {
        perror("produce: cannot start the consumer");
        return 1;
    }
    sample *v = malloc(max_reps * sizeof *v);
    double *tmp = malloc(max_reps * sizeof *tmp);
    int status = v && tmp ? 0 : 1;
    printf("{\"kind\": \"handoff\", \"method\": \"%s\", \"producer\": \"c\", \"check\": \"%s\", "
           "\"sizes\": [",
           label, check);
    for (int k = sizes_at; k < i && status == 0; k++) {
        size_t len = bench_parse_size(argv[k]);
        void *payload = len && len % 8 == 0 ? malloc(len) : NULL;
        if (!payload) {
            fprintf(stderr, "produce: bad size or out of memory: %s\n", argv[k]);
            status = 1;
            break;
        }
        bench_fill(payload, len);
        uint64_t expect = crc ? bench_crc32(payload, len) : bench_sum64(payload, len);
        sample warm;
        size_t n = 0;
        double spent = 0;
        /* The first handoff warms caches and the consumer's code paths. */
        if (handoff_once(&c, payload, len, expect, &warm) < 0)
            status = 1;
        while (status == 0 && n < max_reps && (n < min_reps || spent < min_time)) {
            if (handoff_once(&c, payload, len, expect, &v[n]) < 0)
                status = 1;
            else
                spent += v[n++].total;
        }
        free(payload);
        if (status)
            break;
        printf("%s\n  {\"size\": %zu", k == sizes_at ? "" : ",", len);
        print_field("total", v, n, offsetof(sample, total), tmp);
        print_field("handoff", v, n, offsetof(sample, handoff), tmp);
        print_field("create", v, n, offsetof(sample, create), tmp);
        print_field("write", v, n, offsetof(sample, write), tmp);
        print_field("attach", v, n, offsetof(sample, attach), tmp);
        print_field("read", v, n, offsetof(sample, read), tmp);
        print_field("close", v, n, offsetof(sample, close), tmp);
        print_field("local_read", v, n, offsetof(sample, local_read), tmp);
        printf("}");
        fflush(stdout);
    }
    printf("\n]}\n");
    fputs("quit\n", c.to);
    fclose(c.to);
    fclose(c.from);
    int ws;
    waitpid(c.pid, &ws, 0);
    free(v);
    free(tmp);
    return status;
}

int main(int argc, char **argv) {
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "produce") == 0)
        return produce(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "consume") == 0)
        return consume();
    fprintf(stderr, "usage: handoff produce [options] SIZE... -- CONSUMER...\n"
                    "       handoff consume\n");
    return 2;
}
