/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: probe this host's TSC facts and timekeeping health (tg-probe.h).
 *
 * The KVM part follows what libvirt's virHostCPUGetTscInfo
 * (src/util/virhostcpu.c) does, without libvirt: open /dev/kvm,
 * KVM_CREATE_VM, KVM_CREATE_VCPU, KVM_GET_TSC_KHZ on the vCPU (kHz * 1000 =
 * Hz) and KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) for scaling. The rest comes
 * from /proc/cpuinfo, /proc/cmdline, sysfs and adjtimex(2).
 *
 * I/O goes through open(2)/ioctl(2)/close(2)/adjtimex(2) (the unit tests wrap
 * them with -Wl,--wrap) and stdio for the text files below the
 * configurable proc/sys roots (the unit tests point those at fixture trees).
 */
#include <config.h>

#include "tg-probe-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
# define TG_PROBE_X86 1
#else
# define TG_PROBE_X86 0
#endif

#if defined(__linux__) && defined(__has_include)
# if __has_include(<linux/kvm.h>)
#  include <linux/kvm.h>
# endif
#endif

/* ioctl numbers and capabilities from Linux include/uapi/linux/kvm.h
 * (KVMIO = 0xAE; all four are _IO(), i.e. no argument struct). Fall back to
 * the literal values where the header is missing. */
#ifndef KVM_CREATE_VM
# define KVM_CREATE_VM 0xAE01
#endif
#ifndef KVM_CHECK_EXTENSION
# define KVM_CHECK_EXTENSION 0xAE03
#endif
#ifndef KVM_CREATE_VCPU
# define KVM_CREATE_VCPU 0xAE41
#endif
#ifndef KVM_GET_TSC_KHZ
# define KVM_GET_TSC_KHZ 0xAEA3
#endif
#ifndef KVM_CAP_TSC_CONTROL
# define KVM_CAP_TSC_CONTROL 60
#endif
G_STATIC_ASSERT(KVM_CREATE_VM == 0xAE01);
G_STATIC_ASSERT(KVM_CHECK_EXTENSION == 0xAE03);
G_STATIC_ASSERT(KVM_CREATE_VCPU == 0xAE41);
G_STATIC_ASSERT(KVM_GET_TSC_KHZ == 0xAEA3);
G_STATIC_ASSERT(KVM_CAP_TSC_CONTROL == 60);

#define TG_PROBE_NOT_PROBED "not probed"

/* ------------------------------------------------------------------ */
/* KVM                                                                 */
/* ------------------------------------------------------------------ */

static void
tg_close_fd(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;

        close(*fd);
        errno = saved;
        *fd = -1;
    }
}

static void
tg_probe_kvm(TgHostFacts *f, const char *dev)
{
#if TG_PROBE_X86
    int sysfd = -1, vmfd = -1, vcpufd = -1;
    int rc;
    g_autofree char *src_khz = g_strdup_printf("KVM_GET_TSC_KHZ on %s", dev);
    g_autofree char *src_cap =
        g_strdup_printf("KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) on %s", dev);

    sysfd = open(dev, O_RDWR | O_CLOEXEC);
    if (sysfd < 0) {
        int err = errno;

        tg_fact_set_unknown(&f->tsc_hz.note, "%s: %s", dev, g_strerror(err));
        tg_fact_set_unknown(&f->tsc_scaling.note, "%s: %s", dev, g_strerror(err));
        return;
    }

    /* Scaling is a property of the KVM module (kvm_caps.has_tsc_control in
     * arch/x86/kvm/x86.c), asked on the system fd as libvirt does. */
    rc = ioctl(sysfd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_TSC_CONTROL);
    if (rc < 0)
        tg_fact_set_unknown(&f->tsc_scaling.note,
                            "KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) failed: %s",
                            g_strerror(errno));
    else
        tg_bool_fact_set(&f->tsc_scaling, rc > 0, src_cap);

    vmfd = ioctl(sysfd, KVM_CREATE_VM, 0UL);
    if (vmfd < 0) {
        tg_fact_set_unknown(&f->tsc_hz.note, "KVM_CREATE_VM failed: %s",
                            g_strerror(errno));
        goto out;
    }
    vcpufd = ioctl(vmfd, KVM_CREATE_VCPU, 0UL);
    if (vcpufd < 0) {
        tg_fact_set_unknown(&f->tsc_hz.note, "KVM_CREATE_VCPU failed: %s",
                            g_strerror(errno));
        goto out;
    }
    /* A fresh vCPU runs at the host's rate (kvm_arch_vcpu_create() in
     * arch/x86/kvm/x86.c calls kvm_set_tsc_khz() with the host's rate, or the
     * VM's default_tsc_khz on Linux >= 6.0); this is what QEMU records as the
     * guest's TSC rate when the user sets none. The ioctl returns
     * vcpu->arch.virtual_tsc_khz, 0 when the host rate is unknown; kernels
     * without it (before KVM_CAP_GET_TSC_KHZ) answer ENOTTY/EINVAL. */
    rc = ioctl(vcpufd, KVM_GET_TSC_KHZ, 0UL);
    if (rc < 0) {
        int err = errno;

        if (err == ENOTTY || err == EINVAL)
            tg_fact_set_unknown(&f->tsc_hz.note, "KVM_GET_TSC_KHZ unsupported: %s",
                                g_strerror(err));
        else
            tg_fact_set_unknown(&f->tsc_hz.note, "KVM_GET_TSC_KHZ failed: %s",
                                g_strerror(err));
        goto out;
    }
    if (rc == 0) {
        tg_fact_set_unknown(&f->tsc_hz.note, "KVM_GET_TSC_KHZ unsupported: returned 0 kHz");
        goto out;
    }
    tg_u64_fact_set(&f->tsc_hz, (guint64)rc * 1000, src_khz);

 out:
    tg_close_fd(&vcpufd);
    tg_close_fd(&vmfd);
    tg_close_fd(&sysfd);
#else
    (void)dev;
    tg_fact_set_unknown(&f->tsc_hz.note, "not x86");
    tg_fact_set_unknown(&f->tsc_scaling.note, "not x86");
#endif
}

/* ------------------------------------------------------------------ */
/* Text files                                                          */
/* ------------------------------------------------------------------ */

/* Read a whole (small) text file; /proc and sysfs files report size 0, so
 * read until EOF. On failure return NULL and put "PATH: strerror" into *why. */
#define TG_PROBE_MAX_FILE (1024 * 1024)
char *
tg_read_text(const char *path, char **why)
{
    FILE *fp = fopen(path, "re");
    GString *buf;
    char chunk[4096];
    size_t n;

    if (!fp) {
        *why = g_strdup_printf("%s: %s", path, g_strerror(errno));
        return NULL;
    }
    buf = g_string_new(NULL);
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        g_string_append_len(buf, chunk, (gssize)n);
        if (buf->len > TG_PROBE_MAX_FILE) {
            *why = g_strdup_printf("%s: larger than %d bytes", path, TG_PROBE_MAX_FILE);
            goto fail;
        }
    }
    if (ferror(fp)) {
        *why = g_strdup_printf("%s: %s", path, g_strerror(errno));
        goto fail;
    }
    fclose(fp);
    if (memchr(buf->str, '\0', buf->len)) {
        /* /proc/cmdline separates with spaces; a NUL means a binary file */
        *why = g_strdup_printf("%s: contains NUL bytes", path);
        g_string_free(buf, TRUE);
        return NULL;
    }
    return g_string_free(buf, FALSE);

 fail:
    fclose(fp);
    g_string_free(buf, TRUE);
    return NULL;
}

/* One-line sysfs value, trimmed. NULL + *why on failure or empty. */
char *
tg_read_line(const char *path, char **why)
{
    char *buf = tg_read_text(path, why);

    if (!buf)
        return NULL;
    g_strstrip(buf);
    if (!*buf) {
        g_free(buf);
        *why = g_strdup_printf("%s: empty", path);
        return NULL;
    }
    return buf;
}

bool
tg_read_u64_file(const char *path, guint64 *out, char **why)
{
    g_autofree char *line = tg_read_line(path, why);

    if (!line)
        return false;
    if (!tg_parse_u64(line, out)) {
        g_autofree char *esc = tg_escape_untrusted(line);

        *why = g_strdup_printf("%s: not a number: %s", path, esc);
        return false;
    }
    return true;
}

void
tg_read_u64_fact(TgU64Fact *fact, const char *path, const char *missing_hint)
{
    g_autofree char *why = NULL;
    guint64 v;

    if (tg_read_u64_file(path, &v, &why)) {
        tg_u64_fact_set(fact, v, path);
    } else if (missing_hint && !g_file_test(path, G_FILE_TEST_EXISTS)) {
        tg_fact_set_unknown(&fact->note, "%s (%s)", why, missing_hint);
    } else {
        tg_fact_set_unknown(&fact->note, "%s", why);
    }
}

/* ------------------------------------------------------------------ */
/* /proc/cpuinfo                                                       */
/* ------------------------------------------------------------------ */

/* The lines of the first processor block of /proc/cpuinfo `text` (one
 * block describes every CPU's vendor and flags on x86): split once for
 * every field read from it, not the whole file per field. */
static GStrv
tg_cpuinfo_first_block(const char *text)
{
    const char *end = strstr(text, "\n\n");
    g_autofree char *block = g_strndup(text, end ? (gsize)(end - text) : strlen(text));

    return g_strsplit(block, "\n", -1);
}

/* Value of "key<TAB...>: value" in the first processor block's `lines`,
 * or NULL. */
static char *
tg_cpuinfo_field(char **lines, const char *key)
{
    for (char **l = lines; *l; l++) {
        const char *colon;
        g_autofree char *name = NULL;

        if (!**l)
            break; /* end of the first processor block */
        colon = strchr(*l, ':');
        if (!colon)
            continue;
        name = g_strndup(*l, (gsize)(colon - *l));
        g_strstrip(name);
        if (strcmp(name, key) == 0) {
            char *v = g_strdup(colon + 1);

            return g_strstrip(v);
        }
    }
    return NULL;
}

/* Whether a space separated word list contains `word`. */
static bool
tg_words_contain(const char *list, const char *word)
{
    g_auto(GStrv) words = NULL;

    if (!list)
        return false;
    words = g_strsplit_set(list, " \t\n", -1);
    for (char **w = words; *w; w++)
        if (strcmp(*w, word) == 0)
            return true;
    return false;
}

/* What tsc_unstable needs to know about the CPU flags. */
typedef struct {
    bool has_tsc;     /* "tsc" in flags */
    char *flags_why;  /* NULL when the flags line was read, else why not */
} TgCpuFlags;

static void
tg_probe_cpuinfo(TgHostFacts *f, const char *proc_root, TgCpuFlags *cpu)
{
    g_autofree char *path = g_build_filename(proc_root, "cpuinfo", NULL);
    g_autofree char *why = NULL;
    g_autofree char *text = tg_read_text(path, &why);
    g_autofree char *vendor = NULL;
    g_autofree char *flags = NULL;
    g_autofree char *vmx = NULL;
    g_autofree char *src_flags = NULL;
    g_auto(GStrv) block = NULL;

    cpu->has_tsc = false;
    if (!text) {
        cpu->flags_why = g_strdup(why);
        tg_fact_set_unknown(&f->cpu_vendor.note, "%s", why);
        tg_fact_set_unknown(&f->constant_tsc.note, "%s", why);
        tg_fact_set_unknown(&f->nonstop_tsc.note, "%s", why);
        tg_fact_set_unknown(&f->tsc_known_freq.note, "%s", why);
        tg_fact_set_unknown(&f->cpu_tsc_scaling_flag.note, "%s", why);
        return;
    }

    block = tg_cpuinfo_first_block(text);
    vendor = tg_cpuinfo_field(block, "vendor_id");
    flags = tg_cpuinfo_field(block, "flags");
    vmx = tg_cpuinfo_field(block, "vmx flags");

    if (vendor && *vendor) {
        g_autofree char *src = g_strdup_printf("%s vendor_id", path);

        tg_str_fact_set(&f->cpu_vendor, vendor, src);
    } else {
        tg_fact_set_unknown(&f->cpu_vendor.note, "no vendor_id in %s (not x86?)", path);
    }

    if (!flags) {
        cpu->flags_why = g_strdup_printf("no flags line in %s", path);
        tg_fact_set_unknown(&f->constant_tsc.note, "no flags line in %s", path);
        tg_fact_set_unknown(&f->nonstop_tsc.note, "no flags line in %s", path);
        tg_fact_set_unknown(&f->tsc_known_freq.note, "no flags line in %s", path);
    } else {
        /* Flag names from arch/x86/include/asm/cpufeatures.h:
         * X86_FEATURE_CONSTANT_TSC, _NONSTOP_TSC, _TSC_KNOWN_FREQ. */
        src_flags = g_strdup_printf("%s flags", path);
        cpu->has_tsc = tg_words_contain(flags, "tsc");
        tg_bool_fact_set(&f->constant_tsc, tg_words_contain(flags, "constant_tsc"), src_flags);
        tg_bool_fact_set(&f->nonstop_tsc, tg_words_contain(flags, "nonstop_tsc"), src_flags);
        tg_bool_fact_set(&f->tsc_known_freq, tg_words_contain(flags, "tsc_known_freq"),
                         src_flags);
    }

    /* The CPU's own TSC scaling feature: AMD SVM "tsc_scale" (CPUID
     * 8000000A EDX bit 4, X86_FEATURE_TSCRATEMSR) in flags; Intel VMX
     * "tsc_scaling" (secondary exec control, VMX_FEATURE_TSC_SCALING) in the
     * "vmx flags" line that Linux >= 5.8 prints (arch/x86/kernel/cpu/proc.c). */
    if (!vendor) {
        tg_fact_set_unknown(&f->cpu_tsc_scaling_flag.note, "no vendor_id in %s", path);
    } else if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
        if (!flags) {
            tg_fact_set_unknown(&f->cpu_tsc_scaling_flag.note, "no flags line in %s", path);
        } else {
            g_autofree char *src = g_strdup_printf("%s flags (tsc_scale)", path);

            tg_bool_fact_set(&f->cpu_tsc_scaling_flag, tg_words_contain(flags, "tsc_scale"),
                             src);
        }
    } else if (strcmp(vendor, "GenuineIntel") == 0) {
        if (!vmx) {
            tg_fact_set_unknown(&f->cpu_tsc_scaling_flag.note,
                                "no \"vmx flags\" line in %s (VMX not available, or kernel older than 5.8)",
                                path);
        } else {
            g_autofree char *src = g_strdup_printf("%s vmx flags (tsc_scaling)", path);

            tg_bool_fact_set(&f->cpu_tsc_scaling_flag, tg_words_contain(vmx, "tsc_scaling"),
                             src);
        }
    } else {
        g_autofree char *esc = tg_escape_untrusted(vendor);

        tg_fact_set_unknown(&f->cpu_tsc_scaling_flag.note,
                            "CPU vendor %s: no known TSC scaling flag", esc);
    }
}

/* ------------------------------------------------------------------ */
/* /proc/cmdline                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
    bool tsc_unstable;        /* tsc=unstable */
    char *max_cstate;         /* last processor.max_cstate= value */
    char *intel_idle_cstate;  /* last intel_idle.max_cstate= value */
} TgCmdline;

static void
tg_cmdline_clear(TgCmdline *c)
{
    g_clear_pointer(&c->max_cstate, g_free);
    g_clear_pointer(&c->intel_idle_cstate, g_free);
}

/* Parse kernel parameters. Everything after a lone "--" goes to init, not to
 * the kernel (Documentation/admin-guide/kernel-parameters.rst), so stop
 * there. A parameter given twice: the last one wins (parse_args applies them
 * in order). */
static void
tg_parse_cmdline(const char *text, TgCmdline *out)
{
    g_auto(GStrv) words = g_strsplit_set(text, " \t\n", -1);

    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        if (strcmp(*w, "--") == 0)
            break;
        /* tsc=unstable: arch/x86/kernel/tsc.c tsc_setup() marks it unstable */
        if (strcmp(*w, "tsc=unstable") == 0)
            out->tsc_unstable = true;
        else if (g_str_has_prefix(*w, "processor.max_cstate=")) {
            g_free(out->max_cstate);
            out->max_cstate = g_strdup(*w + strlen("processor.max_cstate="));
        } else if (g_str_has_prefix(*w, "intel_idle.max_cstate=")) {
            g_free(out->intel_idle_cstate);
            out->intel_idle_cstate = g_strdup(*w + strlen("intel_idle.max_cstate="));
        }
    }
}

/* ------------------------------------------------------------------ */
/* tg_probe_host                                                       */
/* ------------------------------------------------------------------ */

static void
tg_probe_clocksource(TgHostFacts *f, const char *sys_root)
{
    g_autofree char *dir = g_build_filename(sys_root, "devices", "system", "clocksource",
                                            "clocksource0", NULL);
    g_autofree char *cur_path = g_build_filename(dir, "current_clocksource", NULL);
    g_autofree char *avail_path = g_build_filename(dir, "available_clocksource", NULL);
    g_autofree char *why_cur = NULL;
    g_autofree char *why_avail = NULL;
    g_autofree char *cur = tg_read_line(cur_path, &why_cur);
    g_autofree char *avail = tg_read_line(avail_path, &why_avail);

    if (cur)
        tg_str_fact_set(&f->clocksource_current, cur, cur_path);
    else
        tg_fact_set_unknown(&f->clocksource_current.note, "%s", why_cur);
    if (avail)
        tg_str_fact_set(&f->clocksource_available, avail, avail_path);
    else
        tg_fact_set_unknown(&f->clocksource_available.note, "%s", why_avail);
}

/* Decide tsc_unstable from the command line and the clocksources.
 * Linux marks an unstable TSC with __clocksource_unstable()
 * (kernel/time/clocksource.c), which clears CLOCK_SOURCE_VALID_FOR_HRES;
 * available_clocksource_show() hides such a clocksource whenever the tick
 * runs in oneshot mode (NOHZ or high-res timers, i.e. practically always), so
 * "tsc" disappears from available_clocksource. A current clocksource other
 * than tsc with tsc still listed means the kernel merely prefers another one
 * (e.g. kvm-clock in a guest): not marked unstable. "tsc" missing from the
 * list only means "unstable" on a CPU known to have a TSC (cpuinfo flags). */
static void
tg_decide_tsc_unstable(TgHostFacts *f, const char *cmdline_path, const char *cmdline_why,
                       const TgCmdline *cmd, const TgCpuFlags *cpu)
{
    const TgStrFact *cur = &f->clocksource_current;
    const TgStrFact *avail = &f->clocksource_available;
    g_autofree char *esc = NULL;
    g_autofree char *src = NULL;
    /* appended to a "known false" source when /proc/cmdline could not be read */
    const char *sep = cmdline_why ? "; " : "";
    const char *cw = cmdline_why ? cmdline_why : "";

    if (!cmdline_why && cmd->tsc_unstable) {
        src = g_strdup_printf("%s tsc=unstable", cmdline_path);
        tg_bool_fact_set(&f->tsc_unstable, true, src);
        return;
    }
    if (!cur->note.known || !avail->note.known) {
        tg_fact_set_unknown(&f->tsc_unstable.note, "%s",
                            !cur->note.known ? cur->note.reason : avail->note.reason);
        return;
    }
    esc = tg_escape_untrusted(cur->value);
    if (strcmp(cur->value, "tsc") == 0) {
        src = g_strdup_printf("current clocksource is tsc%s%s", sep, cw);
        tg_bool_fact_set(&f->tsc_unstable, false, src);
    } else if (tg_words_contain(avail->value, "tsc")) {
        src = g_strdup_printf("current clocksource is %s but tsc is still in "
                              "available_clocksource%s%s", esc, sep, cw);
        tg_bool_fact_set(&f->tsc_unstable, false, src);
    } else if (cpu->flags_why) {
        tg_fact_set_unknown(&f->tsc_unstable.note,
                            "tsc not in available_clocksource and %s: cannot tell whether "
                            "the CPU has a TSC", cpu->flags_why);
    } else if (!cpu->has_tsc) {
        tg_fact_set_unknown(&f->tsc_unstable.note, "CPU has no tsc flag");
    } else {
        src = g_strdup_printf("current clocksource is %s and tsc is gone from "
                              "available_clocksource", esc);
        tg_bool_fact_set(&f->tsc_unstable, true, src);
    }
}

static void
tg_probe_cmdline(TgHostFacts *f, const char *proc_root, const TgCpuFlags *cpu)
{
    g_autofree char *path = g_build_filename(proc_root, "cmdline", NULL);
    g_autofree char *why = NULL;
    g_autofree char *text = tg_read_text(path, &why);
    TgCmdline cmd = { 0 };

    if (text) {
        g_autofree char *src = NULL;
        g_autofree char *ii_src = NULL;

        tg_parse_cmdline(text, &cmd);
        if (cmd.max_cstate)
            src = g_strdup_printf("%s processor.max_cstate", path);
        else
            src = g_strdup_printf("%s (processor.max_cstate not set)", path);
        tg_str_fact_set(&f->max_cstate, cmd.max_cstate, src);
        if (cmd.intel_idle_cstate)
            ii_src = g_strdup_printf("%s intel_idle.max_cstate", path);
        else
            ii_src = g_strdup_printf("%s (intel_idle.max_cstate not set)", path);
        tg_str_fact_set(&f->intel_idle_max_cstate, cmd.intel_idle_cstate, ii_src);
    } else {
        tg_fact_set_unknown(&f->max_cstate.note, "%s", why);
        tg_fact_set_unknown(&f->intel_idle_max_cstate.note, "%s", why);
    }
    tg_decide_tsc_unstable(f, path, why, &cmd, cpu);
    tg_cmdline_clear(&cmd);
}

static void
tg_probe_hostname(TgHostFacts *f)
{
    struct utsname u;

    if (uname(&u) < 0) {
        tg_fact_set_unknown(&f->hostname.note, "uname: %s", g_strerror(errno));
        return;
    }
    tg_str_fact_set(&f->hostname, u.nodename, "uname(2)");
}

#ifdef TG_TEST_SEAMS
/* configure --enable-test-seams (the end-to-end tests' staging build,
 * never a package): SYSCONFDIR/tscgate/test-seam-adjtimex, when it holds
 * "synchronized" or "unsynchronized", is what adjtimex(2) reports, so a
 * test can change a host's clock state between two runs. */
# define TG_TEST_SEAM_ADJTIMEX SYSCONFDIR "/tscgate/test-seam-adjtimex"
static int
tg_adjtimex(struct timex *tx)
{
    g_autofree char *buf = NULL;

    if (g_file_get_contents(TG_TEST_SEAM_ADJTIMEX, &buf, NULL, NULL)) {
        g_strstrip(buf);
        if (strcmp(buf, "synchronized") == 0) {
            tx->status = 0;
            tx->esterror = 1000;
            tx->maxerror = 10000;
            return TIME_OK;
        }
        if (strcmp(buf, "unsynchronized") == 0) {
            tx->status = STA_UNSYNC;
            tx->esterror = 16000000;
            tx->maxerror = 16000000;
            return TIME_ERROR;
        }
    }
    return adjtimex(tx);
}
#else
# define tg_adjtimex adjtimex
#endif

/* adjtimex(2) with modes = 0 only reads the kernel's NTP state, so it works
 * unprivileged. Synchronised = return value is not TIME_ERROR and STA_UNSYNC
 * is clear (the same test as ntp_adjtime-based tools such as chronyc and
 * timedatectl's NTPSynchronized). esterror/maxerror are in microseconds. */
static void
tg_probe_adjtimex(TgHostFacts *f)
{
    struct timex tx;
    int rc;

    memset(&tx, 0, sizeof(tx));
    tx.modes = 0;
    rc = tg_adjtimex(&tx);
    if (rc < 0) {
        int err = errno;

        tg_fact_set_unknown(&f->clock_synchronized.note, "adjtimex: %s", g_strerror(err));
        tg_fact_set_unknown(&f->clock_est_error_us.note, "adjtimex: %s", g_strerror(err));
        tg_fact_set_unknown(&f->clock_max_error_us.note, "adjtimex: %s", g_strerror(err));
        return;
    }
    if (rc == TIME_ERROR)
        tg_bool_fact_set(&f->clock_synchronized, false, "adjtimex(2): TIME_ERROR");
    else if (tx.status & STA_UNSYNC)
        tg_bool_fact_set(&f->clock_synchronized, false, "adjtimex(2): STA_UNSYNC set");
    else
        tg_bool_fact_set(&f->clock_synchronized, true, "adjtimex(2)");
    if (tx.esterror >= 0)
        tg_u64_fact_set(&f->clock_est_error_us, (guint64)tx.esterror, "adjtimex(2) esterror");
    else
        tg_fact_set_unknown(&f->clock_est_error_us.note, "adjtimex: negative esterror %ld",
                            (long)tx.esterror);
    if (tx.maxerror >= 0)
        tg_u64_fact_set(&f->clock_max_error_us, (guint64)tx.maxerror, "adjtimex(2) maxerror");
    else
        tg_fact_set_unknown(&f->clock_max_error_us.note, "adjtimex: negative maxerror %ld",
                            (long)tx.maxerror);
}

/* The clock state, from adjtimex(2) or, where a test says so, from
 * opts->clock_state. */
static void
tg_probe_clock(TgHostFacts *f, const TgProbeOptions *opts)
{
    if (opts->skip_adjtimex) {
        tg_fact_set_unknown(&f->clock_synchronized.note, TG_PROBE_NOT_PROBED);
        tg_fact_set_unknown(&f->clock_est_error_us.note, TG_PROBE_NOT_PROBED);
        tg_fact_set_unknown(&f->clock_max_error_us.note, TG_PROBE_NOT_PROBED);
    } else {
        tg_probe_adjtimex(f);
    }
}

void
tg_probe_per_run(TgHostFacts *facts, const TgProbeOptions *opts)
{
    TgProbeOptions defaults = { 0 };
    g_autoptr(TgHostFacts) f = tg_host_facts_new();
    const char *proc_root, *sys_root;
    TgCpuFlags cpu = { 0 };

    if (!opts)
        opts = &defaults;
    proc_root = opts->proc_root ? opts->proc_root : "/proc";
    sys_root = opts->sys_root ? opts->sys_root : "/sys";
    /* The CPU flags only say whether there is a TSC to be marked: a CPU
     * the cached facts know to have constant_tsc has one (the flags do not
     * change during a boot), so /proc/cpuinfo, one block per CPU, is read
     * again only when they do not say. */
    if (facts->constant_tsc.note.known && facts->constant_tsc.value)
        cpu.has_tsc = true;
    else
        tg_probe_cpuinfo(f, proc_root, &cpu);
    tg_probe_clocksource(f, sys_root);
    tg_probe_cmdline(f, proc_root, &cpu);
    g_free(cpu.flags_why);
    /* The power-management checklist speaks only for a TSC that is not
     * invariant (doc/tsc-model.md): on every other host the per-CPU cpufreq
     * files (five per CPU) are not read on every run. */
    if (facts->constant_tsc.note.known && facts->constant_tsc.value &&
        facts->nonstop_tsc.note.known && facts->nonstop_tsc.value) {
        tg_fact_set_unknown(&f->cpufreq_pinned.note,
                            "not read on a cached run: the TSC is invariant (constant_tsc, nonstop_tsc)");
        tg_fact_set_unknown(&f->cpufreq_highest_khz.note,
                            "not read on a cached run: the TSC is invariant (constant_tsc, nonstop_tsc)");
    } else {
        tg_probe_cpufreq_policy(f, sys_root);
    }
    tg_probe_clock(f, opts);
    tg_host_facts_take_per_run(facts, f);
}

TgHostFacts *
tg_probe_host(const TgProbeOptions *opts)
{
    TgProbeOptions defaults = { 0 };
    const char *kvm_device, *proc_root, *sys_root;
    TgHostFacts *f = tg_host_facts_new();
    g_autofree char *tol_path = NULL;
    TgCpuFlags cpu = { 0 };

    if (!opts)
        opts = &defaults;
    kvm_device = opts->kvm_device ? opts->kvm_device : "/dev/kvm";
    proc_root = opts->proc_root ? opts->proc_root : "/proc";
    sys_root = opts->sys_root ? opts->sys_root : "/sys";

    tg_probe_hostname(f);

    if (opts->skip_kvm) {
        tg_fact_set_unknown(&f->tsc_hz.note, TG_PROBE_NOT_PROBED);
        tg_fact_set_unknown(&f->tsc_scaling.note, TG_PROBE_NOT_PROBED);
    } else {
        tg_probe_kvm(f, kvm_device);
    }

    /* arch/x86/kvm/x86.c: module_param(tsc_tolerance_ppm, uint, 0644) */
    tol_path = g_build_filename(sys_root, "module", "kvm", "parameters", "tsc_tolerance_ppm",
                                NULL);
    tg_read_u64_fact(&f->kvm_tolerance_ppm, tol_path, "kvm module not loaded");

    tg_probe_cpuinfo(f, proc_root, &cpu);
    tg_probe_clocksource(f, sys_root);
    tg_probe_cmdline(f, proc_root, &cpu);
    g_free(cpu.flags_why);
    tg_probe_cpufreq(f, sys_root);
    tg_probe_cpufreq_policy(f, sys_root);
    tg_probe_clock(f, opts);
    return f;
}
