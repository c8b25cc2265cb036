/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: this host's cpufreq range and the policy in force on every CPU,
 * for the power-management checklist of hosts without an invariant TSC
 * (tg-probe-priv.h). Read from sysfs: cpuN/cpufreq/{scaling_min_freq,
 * scaling_max_freq, scaling_governor, scaling_available_frequencies,
 * cpuinfo_max_freq} (Linux Documentation/admin-guide/pm/cpufreq.rst). */
#include <config.h>

#include "tg-probe-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
tg_probe_cpufreq(TgHostFacts *f, const char *sys_root)
{
    g_autofree char *dir = g_build_filename(sys_root, "devices", "system", "cpu", "cpu0",
                                            "cpufreq", NULL);
    g_autofree char *min_path = g_build_filename(dir, "cpuinfo_min_freq", NULL);
    g_autofree char *max_path = g_build_filename(dir, "cpuinfo_max_freq", NULL);

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        tg_fact_set_unknown(&f->cpufreq_min_khz.note, "no cpufreq driver (%s absent)", dir);
        tg_fact_set_unknown(&f->cpufreq_max_khz.note, "no cpufreq driver (%s absent)", dir);
        return;
    }
    tg_read_u64_fact(&f->cpufreq_min_khz, min_path, NULL);
    tg_read_u64_fact(&f->cpufreq_max_khz, max_path, NULL);
}

/* One CPU's cpufreq policy (cpuN/cpufreq). */
typedef struct {
    guint64 min_khz, max_khz, highest_khz;
    char *governor;       /* nullable: not readable */
    char *highest_path;   /* the file the highest frequency came from */
} TgCpuPolicy;

static void
tg_cpu_policy_clear(TgCpuPolicy *p)
{
    g_clear_pointer(&p->governor, g_free);
    g_clear_pointer(&p->highest_path, g_free);
}

/* Read one CPU's policy in force. The highest frequency it may run at is
 * the largest of scaling_available_frequencies (acpi-cpufreq, powernow-k8:
 * drivers with a frequency table, drivers/cpufreq/freq_table.c), else
 * cpuinfo_max_freq (intel_pstate, amd-pstate and other drivers without a
 * table do not create that file). False + *why when a file is unreadable. */
static bool
tg_read_cpu_policy(const char *dir, TgCpuPolicy *p, char **why)
{
    g_autofree char *min_path = g_build_filename(dir, "scaling_min_freq", NULL);
    g_autofree char *max_path = g_build_filename(dir, "scaling_max_freq", NULL);
    g_autofree char *gov_path = g_build_filename(dir, "scaling_governor", NULL);
    g_autofree char *avail_path = g_build_filename(dir, "scaling_available_frequencies", NULL);
    g_autofree char *hw_path = g_build_filename(dir, "cpuinfo_max_freq", NULL);
    g_autofree char *gov_why = NULL;
    g_autofree char *avail = NULL;

    if (!tg_read_u64_file(min_path, &p->min_khz, why) ||
        !tg_read_u64_file(max_path, &p->max_khz, why))
        return false;
    p->governor = tg_read_line(gov_path, &gov_why);
    p->highest_khz = 0;
    if (g_file_test(avail_path, G_FILE_TEST_EXISTS)) {
        g_auto(GStrv) words = NULL;

        if (!(avail = tg_read_line(avail_path, why)))
            return false;
        words = g_strsplit_set(avail, " \t\n", -1);
        for (char **w = words; *w; w++) {
            guint64 v;

            if (!**w)
                continue;
            if (!tg_parse_u64(*w, &v)) {
                g_autofree char *esc = tg_escape_untrusted(*w);

                *why = g_strdup_printf("%s: not a number: %s", avail_path, esc);
                return false;
            }
            p->highest_khz = MAX(p->highest_khz, v);
        }
        p->highest_path = g_steal_pointer(&avail_path);
    } else {
        if (!tg_read_u64_file(hw_path, &p->highest_khz, why))
            return false;
        p->highest_path = g_steal_pointer(&hw_path);
    }
    return true;
}

static int
tg_cpu_index_cmp(gconstpointer a, gconstpointer b)
{
    guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

    return x < y ? -1 : x > y;
}

/* The CPUs below SYS/devices/system/cpu (cpuN), in number order. */
static GArray *
tg_list_cpus(const char *cpu_dir)
{
    GArray *cpus = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autoptr(GDir) dir = g_dir_open(cpu_dir, 0, NULL);
    const char *ent;

    while (dir && (ent = g_dir_read_name(dir))) {
        guint64 n;

        if (g_str_has_prefix(ent, "cpu") && tg_parse_u64(ent + 3, &n))
            g_array_append_val(cpus, n);
    }
    g_array_sort(cpus, tg_cpu_index_cmp);
    return cpus;
}

/* An offline CPU (cpuN/online reads 0) runs nothing; cpu0 often has no
 * online file at all (drivers/base/cpu.c: not hot-pluggable). */
static bool
tg_cpu_offline(const char *cpu_path)
{
    g_autofree char *path = g_build_filename(cpu_path, "online", NULL);
    g_autofree char *why = NULL;
    g_autofree char *v = g_file_test(path, G_FILE_TEST_EXISTS) ? tg_read_line(path, &why) : NULL;

    return v && strcmp(v, "0") == 0;
}

/* The cpufreq policy in force on every online CPU: cpufreq_pinned and
 * cpufreq_highest_khz. Without constant_tsc the TSC ticks with the core
 * clock, so every frequency change changes its rate (Linux
 * arch/x86/kernel/tsc.c time_cpufreq_notifier marks it unstable on the
 * first change); Red Hat's "KVM Guest Timing Management" checklist has such
 * hosts pin scaling_min_freq = scaling_max_freq = the highest of
 * scaling_available_frequencies. */
void
tg_probe_cpufreq_policy(TgHostFacts *f, const char *sys_root)
{
    g_autofree char *cpu_dir = g_build_filename(sys_root, "devices", "system", "cpu", NULL);
    g_autoptr(GArray) cpus = tg_list_cpus(cpu_dir);
    g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    bool any_cpufreq = false;
    g_autofree char *src = NULL;
    TgCpuPolicy first = { 0 };

    /* the online CPUs, and whether any has a cpufreq policy at all */
    for (guint i = 0; i < cpus->len; i++) {
        char *name = g_strdup_printf("cpu%" G_GUINT64_FORMAT, g_array_index(cpus, guint64, i));
        g_autofree char *cpu_path = g_build_filename(cpu_dir, name, NULL);
        char *dir = g_build_filename(cpu_path, "cpufreq", NULL);

        if (tg_cpu_offline(cpu_path)) {
            g_free(name);
            g_free(dir);
            continue;
        }
        any_cpufreq = any_cpufreq || g_file_test(dir, G_FILE_TEST_IS_DIR);
        g_ptr_array_add(names, name);
        g_ptr_array_add(dirs, dir);
    }
    if (!any_cpufreq) {
        g_autofree char *cpu0 = g_build_filename(cpu_dir, "cpu0", "cpufreq", NULL);

        tg_fact_set_unknown(&f->cpufreq_pinned.note, "no cpufreq driver (%s absent)", cpu0);
        tg_fact_set_unknown(&f->cpufreq_highest_khz.note, "no cpufreq driver (%s absent)", cpu0);
        return;
    }

    for (guint i = 0; i < dirs->len; i++) {
        const char *name = names->pdata[i];
        const char *dir = dirs->pdata[i];
        g_autofree char *why = NULL;
        g_autofree char *gov = NULL;
        TgCpuPolicy p = { 0 };

        if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
            why = g_strdup_printf("%s: no cpufreq policy (%s absent)", name, dir);
        else
            tg_read_cpu_policy(dir, &p, &why); /* on failure, why names the file */
        if (why) {
            tg_fact_set_unknown(&f->cpufreq_pinned.note, "%s", why);
            tg_fact_set_unknown(&f->cpufreq_highest_khz.note, "%s", why);
            tg_cpu_policy_clear(&p);
            tg_cpu_policy_clear(&first);
            return;
        }
        gov = p.governor ? tg_escape_untrusted(p.governor) : NULL;
        if (p.min_khz != p.highest_khz || p.max_khz != p.highest_khz) {
            g_free(src);
            src = g_strdup_printf("%s: %s%s%sscaling_min_freq %" G_GUINT64_FORMAT
                                  " kHz, scaling_max_freq %" G_GUINT64_FORMAT
                                  " kHz, highest available %" G_GUINT64_FORMAT " kHz (%s)",
                                  name, gov ? "governor " : "", gov ? gov : "",
                                  gov ? ", " : "", p.min_khz, p.max_khz, p.highest_khz, dir);
            tg_bool_fact_set(&f->cpufreq_pinned, false, src);
            tg_u64_fact_set(&f->cpufreq_highest_khz, p.highest_khz, p.highest_path);
            tg_cpu_policy_clear(&p);
            tg_cpu_policy_clear(&first);
            return;
        }
        if (i == 0) {
            src = g_strdup_printf("every online CPU (%u): scaling_min_freq = scaling_max_freq = "
                                  "the highest available frequency; %s: %s%s%s%"
                                  G_GUINT64_FORMAT " kHz (%s)",
                                  dirs->len, name, gov ? "governor " : "", gov ? gov : "",
                                  gov ? ", " : "", p.highest_khz, dir);
            first = p;
        } else {
            tg_cpu_policy_clear(&p);
        }
    }
    tg_bool_fact_set(&f->cpufreq_pinned, true, src);
    tg_u64_fact_set(&f->cpufreq_highest_khz, first.highest_khz, first.highest_path);
    tg_cpu_policy_clear(&first);
}
