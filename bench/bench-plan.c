/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/bench-plan.c: `make bench`'s fleet-scale figures for `tscgate plan`.
 *
 *   bench-plan [-g GUESTS] [-H HOSTS] [-r SECONDS]
 *       time the engine alone: the policy applied once per guest
 *       (tg_evaluate_settings), then every guest x host pair decided
 *       without a reason (tg_evaluate_outcome), on this thread's CPU time;
 *       then the same pairs through tg_evaluate() with its reason, and the
 *       whole tg_plan_run() with the pinned-rate suggestions.
 *   bench-plan -w DIR [-g GUESTS] [-H HOSTS]
 *       write the same fleet as files, one per guest in DIR/guests and one per host in DIR/hosts,
 *       for timing `tscgate plan --domain DIR/guests --host DIR/hosts`.
 *
 * The fleet is generated, the same every run: five kinds of guests
 * (kvm-clock, pinned with invtsc, invtsc without a rate, TSC-sensitive with
 * a lineage record naming its host, Windows pinned) and hosts of three
 * rate classes, each calibrated a few kHz apart as real hosts are, a third
 * of them with TSC scaling, every fiftieth with an unstable TSC.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tg-evaluate.h"
#include "tg-plan.h"

static const guint64 tg_bench_classes[] = { 2100000000, 2400000000, 2596000000 };

static char *
tg_bench_host_xml(gsize j)
{
    guint64 hz = tg_bench_classes[j % 3] + (j % 7) * 3000;   /* calibration spread */
    const char *scaling = j % 3 == 0 ? "yes" : "no";

    return g_strdup_printf(
        "<capabilities><host><cpu><vendor>Intel</vendor>"
        "<counter name='tsc' frequency='%" G_GUINT64_FORMAT "' scaling='%s'/></cpu>"
        "<tscgate:facts xmlns:tscgate='urn:tscgate:hostfacts:1' version='1'>"
        "<tscgate:hostname known='yes' source='uname(2)'>h%04" G_GSIZE_FORMAT "</tscgate:hostname>"
        "<tscgate:cpu-vendor known='yes' source='cpuinfo'>GenuineIntel</tscgate:cpu-vendor>"
        "<tscgate:tsc-frequency known='yes' source='KVM_GET_TSC_KHZ'>%" G_GUINT64_FORMAT
        "</tscgate:tsc-frequency>"
        "<tscgate:tsc-scaling known='yes' source='KVM_CAP_TSC_CONTROL'>%s</tscgate:tsc-scaling>"
        "<tscgate:constant-tsc known='yes' source='cpuinfo'>yes</tscgate:constant-tsc>"
        "<tscgate:nonstop-tsc known='yes' source='cpuinfo'>yes</tscgate:nonstop-tsc>"
        "<tscgate:tsc-unstable known='yes' source='clocksource'>%s</tscgate:tsc-unstable>"
        "<tscgate:clock-synchronized known='yes' source='adjtimex(2)'>yes</tscgate:clock-synchronized>"
        "</tscgate:facts></host></capabilities>\n",
        hz, scaling, j, hz, scaling, j % 50 == 49 ? "yes" : "no");
}

static char *
tg_bench_guest_xml(gsize i, gsize n_hosts)
{
    const char *cpu = "<cpu mode='host-model'/>";
    const char *timers = "<timer name='rtc' tickpolicy='catchup'/>";
    g_autofree char *meta = g_strdup("");
    g_autofree char *pin = NULL;

    switch (i % 5) {
    case 0:
        break;
    case 1:
        cpu = "<cpu mode='custom'><model>Skylake-Server</model>"
              "<feature policy='require' name='invtsc'/></cpu>";
        timers = "<timer name='tsc' frequency='2100000000'/>";
        break;
    case 2:
        cpu = "<cpu mode='custom'><model>Skylake-Server</model>"
              "<feature policy='require' name='invtsc'/></cpu>";
        break;
    case 3:
        timers = "<timer name='kvmclock' present='no'/>";
        g_free(meta);
        meta = g_strdup_printf(
            "<metadata><tscgate:lineage xmlns:tscgate='urn:tscgate:lineage:1' version='1.1'>"
            "<tscgate:nominal hz='2400000000' origin='boot'/>"
            "<tscgate:effective hz='2400000000' changed='no'/>"
            "<tscgate:hop op='migrate' host='h%04" G_GSIZE_FORMAT "' hz='2400000000' "
            "scaling='no' time='2026-11-30T08:00:00Z' verdict='allow' reason='x'/>"
            "</tscgate:lineage></metadata>", (i * 7) % MAX(n_hosts, 1));
        break;
    default:
        pin = g_strdup("<timer name='tsc' frequency='2596000000'/>"
                       "<timer name='hypervclock' present='yes'/>");
        timers = pin;
        break;
    }
    return g_strdup_printf(
        "<domain type='kvm'><name>g%05" G_GSIZE_FORMAT "</name>%s<memory>1048576</memory>"
        "<os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>%s"
        "<clock offset='utc'>%s</clock></domain>\n", i, meta, cpu, timers);
}

static double
tg_bench_cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
tg_bench_write(const char *dir, gsize ng, gsize nh)
{
    g_autofree char *gdir = g_build_filename(dir, "guests", NULL);
    g_autofree char *hdir = g_build_filename(dir, "hosts", NULL);
    g_autoptr(GError) err = NULL;

    if (g_mkdir_with_parents(gdir, 0755) != 0 || g_mkdir_with_parents(hdir, 0755) != 0) {
        fprintf(stderr, "bench-plan: cannot create %s\n", dir);
        return 1;
    }
    for (gsize i = 0; i < ng; i++) {
        g_autofree char *xml = tg_bench_guest_xml(i, nh);
        g_autofree char *name = g_strdup_printf("g%05" G_GSIZE_FORMAT ".xml", i);
        g_autofree char *path = g_build_filename(gdir, name, NULL);

        if (!g_file_set_contents(path, xml, -1, &err)) {
            fprintf(stderr, "bench-plan: %s\n", err->message);
            return 1;
        }
    }
    for (gsize j = 0; j < nh; j++) {
        g_autofree char *xml = tg_bench_host_xml(j);
        g_autofree char *name = g_strdup_printf("h%04" G_GSIZE_FORMAT ".xml", j);
        g_autofree char *path = g_build_filename(hdir, name, NULL);

        if (!g_file_set_contents(path, xml, -1, &err)) {
            fprintf(stderr, "bench-plan: %s\n", err->message);
            return 1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    gint ng = 1000, nh = 1000;
    gdouble min_seconds = 1.0;
    g_autofree char *write_dir = NULL;
    GOptionEntry entries[] = {
        { "guests", 'g', 0, G_OPTION_ARG_INT, &ng, "Guests (default 1000)", "N" },
        { "hosts", 'H', 0, G_OPTION_ARG_INT, &nh, "Hosts (default 1000)", "N" },
        { "seconds", 'r', 0, G_OPTION_ARG_DOUBLE, &min_seconds,
          "Repeat the engine loop for at least this long (default 1)", "S" },
        { "write", 'w', 0, G_OPTION_ARG_FILENAME, &write_dir, "Write the fleet as files", "DIR" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- time tscgate plan's engine");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPlan) plan = tg_plan_new();
    g_autofree TgHostFacts **facts = NULL;
    g_autofree TgSettings *settings = NULL;
    g_autofree TgMode *modes = NULL;
    double t0, t1, engine = 0;
    guint64 pairs = 0, allowed = 0, rounds = 0;
    gsize sub;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || ng <= 0 || nh <= 0) {
        fprintf(stderr, "bench-plan: %s\n", err ? err->message : "bad counts");
        return 2;
    }
    if (write_dir)
        return tg_bench_write(write_dir, (gsize)ng, (gsize)nh);

    for (gint j = 0; j < nh; j++) {
        g_autofree char *xml = tg_bench_host_xml(j);
        TgHostFacts *f = tg_host_facts_parse_xml(xml, strlen(xml), "bench host", &err);

        if (!f || !tg_plan_add_host(plan, f, "bench", "bench", &err)) {
            fprintf(stderr, "bench-plan: %s\n", err->message);
            return 1;
        }
    }
    for (gint i = 0; i < ng; i++) {
        g_autofree char *xml = tg_bench_guest_xml(i, nh);
        TgGuestProfile *g = tg_guest_profile_parse_xml(xml, strlen(xml), "bench guest", &err);

        if (!g) {
            fprintf(stderr, "bench-plan: %s\n", err->message);
            return 1;
        }
        tg_plan_add_guest(plan, g, "bench", "bench", NULL);
    }
    facts = g_new0(TgHostFacts *, nh);
    for (gint j = 0; j < nh; j++)
        facts[j] = ((TgPlanHost *)g_ptr_array_index(plan->hosts, j))->facts;
    settings = g_new0(TgSettings, ng);
    modes = g_new0(TgMode, ng);

    /* the engine alone: once per guest the settings, every pair decided */
    do {
        t0 = tg_bench_cpu_now();
        for (gint i = 0; i < ng; i++) {
            const TgPlanGuest *g = g_ptr_array_index(plan->guests, i);

            tg_evaluate_settings(g->profile, NULL, &settings[i], &modes[i], NULL);
            for (gint j = 0; j < nh; j++) {
                TgDecision d;

                tg_evaluate_outcome(g->profile, facts[j], &settings[i], &d);
                allowed += d.verdict != TG_VERDICT_DENY;
            }
        }
        t1 = tg_bench_cpu_now();
        engine += t1 - t0;
        pairs += (guint64)ng * (guint64)nh;
        rounds++;
    } while (engine < min_seconds);
    printf("engine (tg_evaluate_outcome): %d guests x %d hosts, %" G_GUINT64_FORMAT
           " rounds, %.0f ns/pair, %.2f million pairs/s on one core (%.1f%% not denied)\n",
           ng, nh, rounds, engine / pairs * 1e9, pairs / engine / 1e6,
           100.0 * allowed / pairs);

    /* the same through tg_evaluate(), reason formatted, on a subset */
    sub = MIN((gsize)ng, 100);
    t0 = tg_bench_cpu_now();
    for (gsize i = 0; i < sub; i++) {
        const TgPlanGuest *g = g_ptr_array_index(plan->guests, i);

        for (gint j = 0; j < nh; j++) {
            g_autoptr(TgEvaluation) e = tg_evaluate(g->profile, NULL, facts[j], NULL);

            allowed += e->decision->verdict != TG_VERDICT_DENY;
        }
    }
    t1 = tg_bench_cpu_now();
    printf("with reasons (tg_evaluate): %" G_GSIZE_FORMAT " guests x %d hosts, %.0f ns/pair, "
           "%.2f million pairs/s\n", sub, nh, (t1 - t0) / (sub * nh) * 1e9,
           sub * nh / (t1 - t0) / 1e6);

    /* the plan as `tscgate plan` runs it, pinned-rate suggestions included */
    t0 = tg_bench_cpu_now();
    tg_plan_run(plan, NULL, true);
    t1 = tg_bench_cpu_now();
    printf("tg_plan_run with pin suggestions: %d x %d in %.3f s\n", ng, nh, t1 - t0);
    return 0;
}
