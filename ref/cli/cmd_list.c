/* The list commands: ShareableList from a shell. */
#include "cli.h"
#include "json.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/*
 * For --managed: SIGINT, SIGTERM and SIGHUP are held from before the name
 * is printed (one sent as soon as it is read is not lost) until
 * wait_for_stop(), which returns when one arrives, so that the manager is
 * shut down cleanly. SIGKILL is the watchdog's business.
 */
static volatile sig_atomic_t stop_signal;
#ifndef _WIN32
static void on_stop(int sig) { stop_signal = sig; }
static sigset_t unheld;
#endif

static void hold_stop_signals(void) {
#ifndef _WIN32
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGTERM);
    sigaddset(&held, SIGHUP);
    sigprocmask(SIG_BLOCK, &held, &unheld);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
#endif
}

static void wait_for_stop(void) {
#ifndef _WIN32
    while (!stop_signal) sigsuspend(&unheld);
    sigprocmask(SIG_SETMASK, &unheld, NULL);
#endif
}

int list_create(opts *o) {
    char why[300];
    int rc = parse_values(o->argv, o->argc, why, sizeof why);
    if (rc == PYSHM_ERANGE || rc == PYSHM_EENCODE) return fail(rc, NULL, why);
    if (rc) return 1;
    bus_access = "written";
    if (o->managed) hold_stop_signals();
    rc = o->managed ? pyshm_manager_start(&st.manager) : 0;
    if (rc == 0)
        rc = st.manager ? pyshm_manager_list_create(st.manager, o->name, st.items,
                                                    (size_t)o->argc, o->layout, &st.list)
                        : pyshm_list_create(o->name, st.items, (size_t)o->argc, o->layout,
                                            &st.list);
    if (rc) {
        st.list = NULL;
        return fail_name(rc, NULL, o->name);
    }
    print_name(pyshm_shm_name(pyshm_list_shm(st.list)), "\n");
    if (st.manager) {
        fflush(stdout);
        wait_for_stop(); /* then release() shuts the manager down: the block is unlinked */
    }
    return 0;
}

int list_show(opts *o) {
    if (need_args(o, 1)) return 2;
    if (attach_list(o)) return 1;
    out_init(&st.out);
    if (o->json) {
        out_str(&st.out, "{\"name\": ");
        json_str(&st.out, o->argv[0]);
        out_printf(&st.out, ", \"layout\": \"%s\", \"items\": [",
                   layout_name(pyshm_list_layout(st.list)));
    } else {
        out_str(&st.out, "[");
    }
    int rc = 0;
    for (int64_t i = 0; rc == 0 && i < pyshm_list_len(st.list); i++) {
        pyshm_value v;
        rc = read_item(i, &v);
        if (rc) break;
        if (i) out_str(&st.out, ", ");
        if (o->json) json_value(&st.out, &v);
        else out_repr(&st.out, &v);
    }
    out_str(&st.out, o->json ? "]}\n" : "]\n");
    return finish(rc);
}

int list_get(opts *o) {
    if (need_args(o, 2)) return 2;
    int64_t index;
    if (parse_index(o->argv[1], &index)) return 2;
    if (attach_list(o)) return 1;
    out_init(&st.out);
    pyshm_value v;
    int rc = read_item(index, &v);
    if (rc == 0) {
        if (o->json) json_value(&st.out, &v);
        else out_repr(&st.out, &v);
        out_str(&st.out, "\n");
    }
    return finish(rc);
}

int list_set(opts *o) {
    if (need_args(o, 3)) return 2;
    int64_t index;
    if (parse_index(o->argv[1], &index)) return 2;
    char why[300];
    int vrc = parse_values(o->argv + 2, 1, why, sizeof why);
    if (vrc == 1) return 1;
    if (attach_list(o)) return 1;
    size_t alloc;
    /* CPython looks the index up before it packs the value. */
    if (pyshm_list_slot(st.list, index, &alloc) != 0)
        return fail(PYSHM_EINDEX, "assignment index out of range", NULL);
    if (vrc) return fail(vrc, NULL, why);
    bus_access = "written";
    int rc = pyshm_list_set(st.list, index, &st.items[0]);
    return rc ? finish(rc) : 0;
}

int list_format(opts *o) {
    if (need_args(o, 1)) return 2;
    if (attach_list(o)) return 1;
    out_buf f;
    out_init(&f);
    int rc = 0;
    /* Each item's format is read once (one word); the list's format is
     * their concatenation, as CPython's property builds it. */
    for (int64_t i = 0; rc == 0 && i < pyshm_list_len(st.list); i++) {
        char one[9];
        rc = pyshm_list_item_format(st.list, i, one);
        if (rc == 0) out_str(&f, one);
    }
    out_init(&st.out);
    if (f.p == NULL) out_free(&st.out);
    else if (o->json) json_text(&st.out, f.p, f.len);
    else out_escaped(&st.out, f.p, f.len); /* a format is bytes of the block */
    out_str(&st.out, "\n");
    out_free(&f);
    return finish(rc);
}

int list_len(opts *o) {
    if (need_args(o, 1)) return 2;
    if (attach_list(o)) return 1;
    int64_t n;
    int rc = pyshm_list_length(st.list, &n); /* ECLOSED is TypeError, as len() */
    if (rc) return fail(rc, NULL, NULL);
    printf("%" PRId64 "\n", n); /* the same in JSON */
    return 0;
}

/*
 * count and index compare each item, read into private memory, with
 * Python's ==. An int outside int64 can only equal a float item, exactly;
 * a str holding a lone surrogate equals no item (items are valid UTF-8).
 * As CPython, index stops at the first match and count reads every item.
 * Their output is the same number in JSON.
 */
static int list_search(opts *o, bool count) {
    if (need_args(o, 2)) return 2;
    char why[300];
    int vrc = parse_values(o->argv + 1, 1, why, sizeof why);
    if (vrc == 1) return 1;
    if (attach_list(o)) return 1;
    const pyshm_literal *lit = &st.lits[0];
    int64_t found = 0, at = -1;
    int rc = 0;
    for (int64_t i = 0; i < pyshm_list_len(st.list) && (count || at < 0); i++) {
        pyshm_value item;
        rc = read_item(i, &item);
        if (rc) break;
        bool eq = vrc == PYSHM_ERANGE   ? pyshm_literal_big_eq(lit, &item)
                  : vrc == PYSHM_EENCODE ? false
                                         : pyshm_value_eq(&lit->value, &item);
        if (eq && at < 0) at = i;
        found += eq;
    }
    out_init(&st.out);
    if (rc == 0 && !count && at < 0) {
        rc = PYSHM_ENOTFOUND;
        out_buf q;
        out_init(&q);
        pyshm_literal_repr(lit, &q);
        out_str(&q, " not in this container");
        snprintf(st.rd.msg, sizeof st.rd.msg, "%s", q.p ? q.p : "value not in this container");
        if (q.p && q.len >= sizeof st.rd.msg) /* a long value: shown cut, and said so */
            memcpy(st.rd.msg + sizeof st.rd.msg - 4, "...", 4);
        out_free(&q);
    }
    if (rc == 0) out_printf(&st.out, "%" PRId64 "\n", count ? found : at);
    return finish(rc);
}

int list_count(opts *o) { return list_search(o, true); }
int list_index(opts *o) { return list_search(o, false); }
