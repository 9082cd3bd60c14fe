/*
 * membw: the machine's own limits for each payload size, measured in the
 * same run as the handoffs so that they share the machine's state: memcpy
 * bandwidth (what a copying transfer could reach at best) and sequential
 * read bandwidth with the very checksum the consumers run (what a zero-copy
 * consumer could reach at best).
 *
 * It also reads a shared memory block through a second, fresh mapping, as a
 * consumer does: the first pass pays for mapping every page (page faults),
 * a second pass over the same mapping does not. The difference explains how
 * far a consumer of a new block stays from the plain read bandwidth.
 *
 * usage: membw [--samples N] [--min-time SECONDS] SIZE... > result.json
 * Each sample repeats the operation until min-time has passed and records
 * the time per operation; the buffers are touched first, so page faults are
 * not counted here (a fresh mapping's faults are a cost of the handoff).
 */
#include "common.h"
#include "pyshm.h"

#include <stdlib.h>
#include <string.h>

static double per_op(int copy, void *dst, const void *src, size_t len, double min_time) {
    /* The clock is read once per batch, not per operation: at 4 KiB a copy
     * takes about as long as a clock read. Batches double while less than
     * half of min_time has passed, so a sample lasts at most ~1.5x it. */
    uint64_t start = bench_now_ns(), elapsed;
    size_t iters = 0, batch = 1;
    do {
        for (size_t k = 0; k < batch; k++) {
            if (copy) {
                memcpy(dst, src, len);
                /* An opaque use of dst keeps the copy from being elided. */
                bench_sink += ((volatile unsigned char *)dst)[len / 2];
            } else {
                bench_sink += bench_sum64(src, len);
            }
        }
        iters += batch;
        elapsed = bench_now_ns() - start;
        if ((double)elapsed * 1e-9 < min_time / 2)
            batch *= 2;
    } while ((double)elapsed * 1e-9 < min_time);
    return (double)elapsed * 1e-9 / (double)iters;
}

/* First-pass and second-pass read times of a fresh mapping of a block
 * holding len bytes; returns -1 if the block cannot be made. */
static int shm_reads(size_t len, size_t samples, double *first, double *second) {
    pyshm_shm *owner, *view;
    if (pyshm_shm_create(NULL, (int64_t)len, &owner) < 0)
        return -1;
    bench_fill(pyshm_shm_buf(owner), len);
    int rc = 0;
    for (size_t s = 0; s < samples && rc == 0; s++) {
        if (pyshm_shm_attach(pyshm_shm_name(owner), &view) < 0) {
            rc = -1;
            break;
        }
        const void *buf = pyshm_shm_buf(view);
        uint64_t t0 = bench_now_ns();
        bench_sink += bench_sum64(buf, len);
        uint64_t t1 = bench_now_ns();
        bench_sink += bench_sum64(buf, len);
        uint64_t t2 = bench_now_ns();
        first[s] = (double)(t1 - t0) * 1e-9;
        second[s] = (double)(t2 - t1) * 1e-9;
        pyshm_shm_free(view);
    }
    pyshm_shm_unlink(owner);
    pyshm_shm_free(owner);
    return rc;
}

int main(int argc, char **argv) {
    size_t samples = 7;
    double min_time = 0.05;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            break;
        if (strcmp(argv[i], "--samples") == 0)
            samples = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--min-time") == 0)
            min_time = strtod(argv[i + 1], NULL);
        else {
            fprintf(stderr, "membw: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc || samples == 0) {
        fprintf(stderr, "usage: membw [--samples N] [--min-time S] SIZE...\n");
        return 2;
    }
    double *t = malloc(samples * sizeof *t), *t2 = malloc(samples * sizeof *t2);
    if (!t || !t2)
        return 1;
    printf("{\"kind\": \"membw\", \"samples\": %zu, \"min_time\": %g, \"sizes\": [", samples,
           min_time);
    for (int first = 1; i < argc; i++, first = 0) {
        size_t len = bench_parse_size(argv[i]);
        if (len == 0 || len % 8) {
            fprintf(stderr, "membw: bad size %s\n", argv[i]);
            return 2;
        }
        unsigned char *src = malloc(len), *dst = malloc(len);
        if (!src || !dst) {
            fprintf(stderr, "membw: cannot allocate 2 x %zu bytes\n", len);
            return 1;
        }
        bench_fill(src, len);
        memset(dst, 1, len);
        bench_stats copy, read;
        for (size_t s = 0; s < samples; s++)
            t[s] = per_op(1, dst, src, len, min_time);
        copy = bench_summarize(t, samples);
        for (size_t s = 0; s < samples; s++)
            t[s] = per_op(0, NULL, src, len, min_time);
        read = bench_summarize(t, samples);
        free(dst);
        printf("%s\n  {\"size\": %zu, ", first ? "" : ",", len);
        bench_json_stats(stdout, "memcpy", &copy);
        printf(", ");
        bench_json_stats(stdout, "read", &read);
        free(src);
        if (shm_reads(len, samples, t, t2) == 0) {
            bench_stats fresh = bench_summarize(t, samples), warm = bench_summarize(t2, samples);
            printf(", ");
            bench_json_stats(stdout, "shm_first_read", &fresh);
            printf(", ");
            bench_json_stats(stdout, "shm_reread", &warm);
        }
        printf("}");
        fflush(stdout);
    }
    printf("\n]}\n");
    free(t);
    free(t2);
    return 0;
}
