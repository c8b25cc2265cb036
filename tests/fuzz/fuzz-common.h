/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate fuzzing: fixed inputs shared by the fuzz targets (tests/fuzz/).
 *
 * Each target defines LLVMFuzzerTestOneInput(); it is linked either with
 * libFuzzer (`make fuzz`, clang) or with tests/fuzz/replay-main.c (gcc,
 * `make check` replays the committed corpus and crash reproducers).
 * A broken invariant aborts via FUZZ_ASSERT so that both drivers see a crash.
 */
#ifndef TG_FUZZ_COMMON_H
#define TG_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "tg-decide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, ...) do {                                     \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s: ",       \
                    __FILE__, __LINE__, #cond);                         \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
            abort();                                                    \
        }                                                               \
    } while (0)

/* Text tscgate shows (reasons, errors, explanations): present, one line,
 * valid UTF-8 (it goes to virsh, journald and JSON audit records). */
static inline void
fuzz_check_text(const char *what, const char *s)
{
    FUZZ_ASSERT(s != NULL, "%s is NULL", what);
    FUZZ_ASSERT(strchr(s, '\n') == NULL, "%s is not one line: %s", what, s);
    FUZZ_ASSERT(g_utf8_validate(s, -1, NULL), "%s is not valid UTF-8: %s", what, s);
}

/* libxml2's generic error channel prints to stderr (in the hook: into
 * libvirt's error message); tscgate must catch every libxml2 error itself.
 * Call at the start of each input: anything printed there is a finding. */
static void
fuzz_generic_error(void *ctx, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    FUZZ_ASSERT(0, "libxml2 printed to its generic error channel: %s", msg);
}

static inline void
fuzz_libxml_quiet(void)
{
    xmlSetGenericErrorFunc(NULL, fuzz_generic_error);
}

/* Fixed destination hosts the fuzzed guests are decided against:
 * 0: Intel 2596.12 MHz without TSC scaling, every health fact known good;
 * 1: 2100 MHz with TSC scaling, clock unsynchronized;
 * 2: nothing known (no counter in capabilities). */
#define FUZZ_N_DESTS 3
static inline TgHostFacts *
fuzz_dest_host(int which)
{
    TgHostFacts *f = tg_host_facts_new();
    const char *src = "fuzz fixture";

    switch (which) {
    case 0:
        tg_str_fact_set(&f->hostname, "fuzz-dest", src);
        tg_str_fact_set(&f->cpu_vendor, "GenuineIntel", src);
        tg_u64_fact_set(&f->tsc_hz, 2596120000u, src);
        tg_bool_fact_set(&f->tsc_scaling, false, src);
        tg_u64_fact_set(&f->kvm_tolerance_ppm, 250, src);
        tg_bool_fact_set(&f->constant_tsc, true, src);
        tg_bool_fact_set(&f->nonstop_tsc, true, src);
        tg_bool_fact_set(&f->tsc_unstable, false, src);
        tg_bool_fact_set(&f->clock_synchronized, true, src);
        break;
    case 1:
        tg_str_fact_set(&f->hostname, "fuzz-scaling", src);
        tg_str_fact_set(&f->cpu_vendor, "AuthenticAMD", src);
        tg_u64_fact_set(&f->tsc_hz, 2100000000u, src);
        tg_bool_fact_set(&f->tsc_scaling, true, src);
        tg_bool_fact_set(&f->constant_tsc, true, src);
        tg_bool_fact_set(&f->nonstop_tsc, true, src);
        tg_bool_fact_set(&f->tsc_unstable, false, src);
        tg_bool_fact_set(&f->clock_synchronized, false, src);
        break;
    default:
        tg_fact_set_unknown(&f->tsc_hz.note, "no <counter name='tsc'> in capabilities");
        tg_fact_set_unknown(&f->tsc_scaling.note, "no <counter name='tsc'> in capabilities");
        break;
    }
    return f;
}

#endif /* TG_FUZZ_COMMON_H */
