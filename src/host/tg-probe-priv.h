/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: what the probe's files share (tg-probe.c, tg-probe-cpufreq.c).
 * Not for other modules. */
#ifndef TG_PROBE_PRIV_H
#define TG_PROBE_PRIV_H

#include "tg-probe.h"

G_BEGIN_DECLS

/* Returns the whole (small) text file `path` (g_free): /proc and sysfs
 * files report size 0, so it reads until EOF, at most 1 MiB. NULL with
 * "PATH: strerror" in *why (g_free) on failure. */
char *tg_read_text(const char *path, char **why);

/* tg_read_text() of a one-line file, trimmed; NULL + *why when empty. */
char *tg_read_line(const char *path, char **why);

/* Read `path` as one decimal number into *out. Returns false with *why
 * (g_free) set: the read error, or "PATH: not a number: LINE". */
bool tg_read_u64_file(const char *path, guint64 *out, char **why);

/* Set `fact` from the unsigned number in `path`, or unknown with the reason
 * (`missing_hint`, nullable, when the file does not exist). */
void tg_read_u64_fact(TgU64Fact *fact, const char *path, const char *missing_hint);

/* cpu0's cpufreq hardware range (cpuinfo_min/max_freq) into `f`. */
void tg_probe_cpufreq(TgHostFacts *f, const char *sys_root);

/* The cpufreq policy in force on every online CPU: whether each is pinned
 * at its highest available frequency (cpufreq-pinned, cpufreq-highest-khz),
 * naming the first CPU that is not. */
void tg_probe_cpufreq_policy(TgHostFacts *f, const char *sys_root);

G_END_DECLS

#endif /* TG_PROBE_PRIV_H */
