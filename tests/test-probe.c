/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: unit tests for the host probe (tg-probe.c).
 *
 * - Fixture trees under tests/fixtures/sysroots/<case>/{proc,sys} stand in for
 *   /proc and /sys (skip_kvm, skip_adjtimex): every fact and the human
 *   checklist lines are asserted.
 * - The KVM and adjtimex paths run against fakes: this program is linked with
 *   -Wl,--wrap=open,--wrap=ioctl,--wrap=adjtimex. A fake KVM device path is
 *   answered by the wrappers (fds are real /dev/null fds, so closing and fd
 *   leaks are observable); every other path passes through to the real calls.
 * - One test probes the real /dev/kvm (skipped when it is not usable).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "tg-probe.h"
#include "tg-checklist.h"
#include "test-table.h"

/* ------------------------------------------------------------------ */
/* Fakes behind the link-time wrappers                                 */
/* ------------------------------------------------------------------ */

#define FAKE_KVM "/nonexistent/tscgate-test/kvm"

/* Request numbers as in Linux include/uapi/linux/kvm.h. */
#define T_KVM_CREATE_VM 0xAE01UL
#define T_KVM_CHECK_EXTENSION 0xAE03UL
#define T_KVM_CREATE_VCPU 0xAE41UL
#define T_KVM_GET_TSC_KHZ 0xAEA3UL
#define T_KVM_CAP_TSC_CONTROL 60UL

typedef struct {
    const char *name;
    int open_errno;       /* != 0: open fails */
    int cap_ret;          /* KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) result */
    int cap_errno;        /* != 0: that ioctl fails */
    int create_vm_errno;
    int create_vcpu_errno;
    int tsc_khz;          /* KVM_GET_TSC_KHZ result when tsc_errno == 0 */
    int tsc_errno;
    const char *expect_hz;
    const char *expect_scaling;
    const char *expect_human_freq;    /* "label : rest" */
    const char *expect_human_scaling;
    int expect_fds_opened;            /* sys + vm + vcpu fds handed out */
} KvmCase;

typedef struct {
    const char *name;
    int rc;           /* adjtimex return; -1 = fail with err */
    int err;
    int status;
    long esterror;
    long maxerror;
    const char *expect_sync;
    const char *expect_est;
    const char *expect_max;
    const char *expect_human;
    TgCheckLevel expect_level;
} AdjCase;

static struct {
    const KvmCase *kvm;
    const AdjCase *adj;
    int sysfd, vmfd, vcpufd;
    int handed_out[3];
    int n_handed;
    int open_flags;
    int n_open, n_check, n_create_vm, n_create_vcpu, n_get_khz, n_adj;
    bool bad_call;
    bool adj_modes_nonzero;
} fake;

static void
fake_reset(void)
{
    memset(&fake, 0, sizeof(fake));
    fake.sysfd = fake.vmfd = fake.vcpufd = -1;
}

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);
int __real_adjtimex(struct timex *tx);
int __wrap_adjtimex(struct timex *tx);

static int
fake_new_fd(void)
{
    int fd = __real_open("/dev/null", O_RDONLY | O_CLOEXEC);

    if (fd >= 0 && fake.n_handed < 3)
        fake.handed_out[fake.n_handed++] = fd;
    return fd;
}

/* Shared by open and open64: the fake device, or NULL to pass through. */
static bool
fake_open(const char *path, int flags, int *ret)
{
    if (!fake.kvm || strcmp(path, FAKE_KVM) != 0)
        return false;
    fake.n_open++;
    fake.open_flags = flags;
    if (fake.kvm->open_errno) {
        errno = fake.kvm->open_errno;
        *ret = -1;
    } else {
        fake.sysfd = fake_new_fd();
        *ret = fake.sysfd;
    }
    return true;
}

static mode_t
open_mode(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int
__wrap_open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;
    int ret;

    if (fake_open(path, flags, &ret))
        return ret;
    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return __real_open(path, flags, mode);
}

int
__wrap_open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;
    int ret;

    if (fake_open(path, flags, &ret))
        return ret;
    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return __real_open64(path, flags, mode);
}

int
__wrap_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    unsigned long arg;

    va_start(ap, req);
    arg = va_arg(ap, unsigned long);
    va_end(ap);

    if (!fake.kvm || fd < 0 || (fd != fake.sysfd && fd != fake.vmfd && fd != fake.vcpufd))
        return __real_ioctl(fd, req, arg);

    switch (req) {
    case T_KVM_CHECK_EXTENSION:
        fake.n_check++;
        if (fd != fake.sysfd || arg != T_KVM_CAP_TSC_CONTROL)
            fake.bad_call = true;
        if (fake.kvm->cap_errno) {
            errno = fake.kvm->cap_errno;
            return -1;
        }
        return fake.kvm->cap_ret;
    case T_KVM_CREATE_VM:
        fake.n_create_vm++;
        if (fd != fake.sysfd || arg != 0)
            fake.bad_call = true;
        if (fake.kvm->create_vm_errno) {
            errno = fake.kvm->create_vm_errno;
            return -1;
        }
        fake.vmfd = fake_new_fd();
        return fake.vmfd;
    case T_KVM_CREATE_VCPU:
        fake.n_create_vcpu++;
        if (fd != fake.vmfd || arg != 0)
            fake.bad_call = true;
        if (fake.kvm->create_vcpu_errno) {
            errno = fake.kvm->create_vcpu_errno;
            return -1;
        }
        fake.vcpufd = fake_new_fd();
        return fake.vcpufd;
    case T_KVM_GET_TSC_KHZ:
        fake.n_get_khz++;
        if (fd != fake.vcpufd)
            fake.bad_call = true;
        if (fake.kvm->tsc_errno) {
            errno = fake.kvm->tsc_errno;
            return -1;
        }
        return fake.kvm->tsc_khz;
    default:
        fake.bad_call = true;
        errno = ENOTTY;
        return -1;
    }
}

int
__wrap_adjtimex(struct timex *tx)
{
    if (!fake.adj)
        return __real_adjtimex(tx);
    fake.n_adj++;
    if (tx->modes != 0)
        fake.adj_modes_nonzero = true;
    if (fake.adj->rc < 0) {
        errno = fake.adj->err;
        return -1;
    }
    tx->status = fake.adj->status;
    tx->esterror = fake.adj->esterror;
    tx->maxerror = fake.adj->maxerror;
    return fake.adj->rc;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static int
count_fds(void)
{
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    int n = 0;

    assert_non_null(d);
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}

static char *
fixture_dir(const char *name, const char *sub)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top ? top : ".", "tests", "fixtures", "sysroots", name, sub, NULL);
}

typedef enum { K_U64, K_BOOL, K_STR } FieldKind;

static const struct {
    const char *name;
    FieldKind kind;
    size_t off;
} fields[] = {
    { "hostname", K_STR, offsetof(TgHostFacts, hostname) },
    { "cpu_vendor", K_STR, offsetof(TgHostFacts, cpu_vendor) },
    { "tsc_hz", K_U64, offsetof(TgHostFacts, tsc_hz) },
    { "tsc_scaling", K_BOOL, offsetof(TgHostFacts, tsc_scaling) },
    { "kvm_tolerance_ppm", K_U64, offsetof(TgHostFacts, kvm_tolerance_ppm) },
    { "constant_tsc", K_BOOL, offsetof(TgHostFacts, constant_tsc) },
    { "nonstop_tsc", K_BOOL, offsetof(TgHostFacts, nonstop_tsc) },
    { "tsc_known_freq", K_BOOL, offsetof(TgHostFacts, tsc_known_freq) },
    { "cpu_tsc_scaling_flag", K_BOOL, offsetof(TgHostFacts, cpu_tsc_scaling_flag) },
    { "clocksource_current", K_STR, offsetof(TgHostFacts, clocksource_current) },
    { "clocksource_available", K_STR, offsetof(TgHostFacts, clocksource_available) },
    { "tsc_unstable", K_BOOL, offsetof(TgHostFacts, tsc_unstable) },
    { "max_cstate", K_STR, offsetof(TgHostFacts, max_cstate) },
    { "intel_idle_max_cstate", K_STR, offsetof(TgHostFacts, intel_idle_max_cstate) },
    { "cpufreq_min_khz", K_U64, offsetof(TgHostFacts, cpufreq_min_khz) },
    { "cpufreq_max_khz", K_U64, offsetof(TgHostFacts, cpufreq_max_khz) },
    { "cpufreq_pinned", K_BOOL, offsetof(TgHostFacts, cpufreq_pinned) },
    { "cpufreq_highest_khz", K_U64, offsetof(TgHostFacts, cpufreq_highest_khz) },
    { "clock_synchronized", K_BOOL, offsetof(TgHostFacts, clock_synchronized) },
    { "clock_est_error_us", K_U64, offsetof(TgHostFacts, clock_est_error_us) },
    { "clock_max_error_us", K_U64, offsetof(TgHostFacts, clock_max_error_us) },
};

/* "VALUE [SOURCE]" for a known fact, "unknown: REASON" otherwise. */
static char *
fact_repr(const TgHostFacts *f, const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        const char *base = (const char *)f + fields[i].off;
        const TgFactNote *n = (const TgFactNote *)base; /* first member of every fact */

        if (strcmp(fields[i].name, name) != 0)
            continue;
        if (!n->known)
            return g_strdup_printf("unknown: %s", n->reason ? n->reason : "(no reason)");
        switch (fields[i].kind) {
        case K_U64:
            return g_strdup_printf("%" G_GUINT64_FORMAT " [%s]",
                                   ((const TgU64Fact *)base)->value, n->source);
        case K_BOOL:
            return g_strdup_printf("%s [%s]", ((const TgBoolFact *)base)->value ? "yes" : "no",
                                   n->source);
        case K_STR: {
            const char *v = ((const TgStrFact *)base)->value;

            return g_strdup_printf("%s [%s]", v ? v : "(null)", n->source);
        }
        }
    }
    fail_msg("no such field %s", name);
    return NULL;
}

/* Replace @P@ and @S@ by the proc and sys roots. */
static char *
expand(const char *tmpl, const char *proc_root, const char *sys_root)
{
    GString *s = g_string_new(tmpl);

    g_string_replace(s, "@P@", proc_root, 0);
    g_string_replace(s, "@S@", sys_root, 0);
    return g_string_free(s, FALSE);
}

static void
assert_fact(const TgHostFacts *f, const char *name, const char *tmpl, const char *proc_root,
            const char *sys_root)
{
    g_autofree char *want = expand(tmpl, proc_root, sys_root);
    g_autofree char *got = fact_repr(f, name);

    if (strcmp(want, got) != 0)
        fail_msg("%s:\n  want: %s\n  got:  %s", name, want, got);
}

/* Column of " : " in every checklist line: "  " + 52-wide label/dots. */
#define HUMAN_COLON_COL 54

/* Every line is "  LABEL .... : REST" with the colon at HUMAN_COLON_COL;
 * `want` ("LABEL : REST") must be one of them. */
static void
assert_human_line(const char *human, const char *want)
{
    g_auto(GStrv) lines = g_strsplit(human, "\n", -1);
    g_autoptr(GRegex) re = g_regex_new("^  (.+?) \\.{3,} : (.*)$", 0, 0, NULL);

    assert_non_null(re);
    for (char **l = lines; *l; l++) {
        g_autoptr(GMatchInfo) m = NULL;
        g_autofree char *label = NULL;
        g_autofree char *rest = NULL;
        g_autofree char *norm = NULL;

        if (!**l)
            continue;
        if (!g_regex_match(re, *l, 0, &m))
            fail_msg("malformed checklist line: '%s'", *l);
        if ((int)(strstr(*l, " : ") - *l) != HUMAN_COLON_COL)
            fail_msg("misaligned checklist line: '%s'", *l);
        label = g_match_info_fetch(m, 1);
        rest = g_match_info_fetch(m, 2);
        norm = g_strdup_printf("%s : %s", label, rest);
        if (strcmp(norm, want) == 0)
            return;
    }
    fail_msg("no checklist line '%s' in:\n%s", want, human);
}

/* ------------------------------------------------------------------ */
/* Fixture cases                                                       */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *field;
    const char *expect;
} FactExpect;

typedef struct {
    const char *name;
    FactExpect facts[16];
    const char *lines[20];
    TgCheckLevel worst;
} FixtureCase;

#define CPUINFO "@P@/cpuinfo"
#define CMDLINE "@P@/cmdline"
#define CS "@S@/devices/system/clocksource/clocksource0/"
#define CUR CS "current_clocksource"
#define AVAIL CS "available_clocksource"
#define TOL "@S@/module/kvm/parameters/tsc_tolerance_ppm"
#define FREQ "@S@/devices/system/cpu/cpu0/cpufreq"
#define NOT_PROBED_LINES \
    "TSC frequency : unknown (not probed) WARN (guests with an explicit or TSC-dependent " \
    "clock will be refused here)", \
    "TSC scaling (KVM_CAP_TSC_CONTROL) : unknown (not probed) WARN", \
    "Host clock synchronised (NTP) : unknown (not probed) WARN"
#define HINT_INVARIANT "TSC not invariant: guests reading the TSC directly will drift"
#define HINT_KNOWN_FREQ "TSC rate calibrated at boot: it may differ by a few kHz after a " \
    "reboot; pin guests with <timer name='tsc' frequency=...>"
#define HINT_NOT_TSC "the host kernel does not keep time with the TSC"
#define CPUS "@S@/devices/system/cpu"
#define PINNED_LABEL "cpufreq pinned at the highest frequency"
#define HINT_REMEDIATED "TSC not invariant, but processor.max_cstate=1 and cpufreq pinned " \
    "at the highest frequency keep its rate"
#define HINT_CSTATE_FAIL "no constant_tsc: add processor.max_cstate=1 to the kernel command " \
    "line (deep C-states stop the TSC)"
#define REVF_PINNED_SRC "every online CPU (4): scaling_min_freq = scaling_max_freq = the " \
    "highest available frequency; cpu0: governor performance, 2600000 kHz (" CPUS "/cpu0/cpufreq)"

static const FixtureCase fixture_cases[] = {
    {
        .name = "intel-vmx-scaling",
        .facts = {
            { "cpu_vendor", "GenuineIntel [" CPUINFO " vendor_id]" },
            { "kvm_tolerance_ppm", "250 [" TOL "]" },
            { "constant_tsc", "yes [" CPUINFO " flags]" },
            { "nonstop_tsc", "yes [" CPUINFO " flags]" },
            { "tsc_known_freq", "yes [" CPUINFO " flags]" },
            { "cpu_tsc_scaling_flag", "yes [" CPUINFO " vmx flags (tsc_scaling)]" },
            { "clocksource_current", "tsc [" CUR "]" },
            { "clocksource_available", "tsc hpet acpi_pm [" AVAIL "]" },
            { "tsc_unstable", "no [current clocksource is tsc]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "800000 [" FREQ "/cpuinfo_min_freq]" },
            { "cpufreq_max_khz", "3200000 [" FREQ "/cpuinfo_max_freq]" },
        },
        .lines = {
            NOT_PROBED_LINES,
            "CPU vendor : GenuineIntel",
            "CPU TSC scaling flag (vmx flags: tsc_scaling) : yes",
            "constant_tsc : PASS",
            "nonstop_tsc : PASS",
            "tsc_known_freq : PASS",
            "Current clocksource : tsc PASS",
            "Available clocksources : tsc hpet acpi_pm",
            "TSC not marked unstable : PASS",
            "processor.max_cstate : not set",
            "cpufreq range : 800.000 MHz - 3200.000 MHz",
            "KVM tsc_tolerance_ppm : 250",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        .name = "amd-epyc-tsc-scale",
        .facts = {
            /* only the hardware range: the policy in force is not readable */
            { "cpufreq_pinned", "unknown: " FREQ "/scaling_min_freq: No such file or directory" },
            { "cpu_vendor", "AuthenticAMD [" CPUINFO " vendor_id]" },
            { "kvm_tolerance_ppm", "250 [" TOL "]" },
            { "constant_tsc", "yes [" CPUINFO " flags]" },
            { "nonstop_tsc", "yes [" CPUINFO " flags]" },
            { "tsc_known_freq", "no [" CPUINFO " flags]" },
            { "cpu_tsc_scaling_flag", "yes [" CPUINFO " flags (tsc_scale)]" },
            { "clocksource_current", "tsc [" CUR "]" },
            { "clocksource_available", "tsc hpet acpi_pm [" AVAIL "]" },
            { "tsc_unstable", "no [current clocksource is tsc]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "1500000 [" FREQ "/cpuinfo_min_freq]" },
            { "cpufreq_max_khz", "2450000 [" FREQ "/cpuinfo_max_freq]" },
        },
        .lines = {
            NOT_PROBED_LINES,
            "CPU vendor : AuthenticAMD",
            "CPU TSC scaling flag (flags: tsc_scale) : yes",
            "constant_tsc : PASS",
            "nonstop_tsc : PASS",
            "tsc_known_freq : WARN (" HINT_KNOWN_FREQ ")",
            "Current clocksource : tsc PASS",
            "TSC not marked unstable : PASS",
            "cpufreq range : 1500.000 MHz - 2450.000 MHz",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        .name = "hpet-unstable",
        .facts = {
            { "cpu_vendor", "GenuineIntel [" CPUINFO " vendor_id]" },
            { "constant_tsc", "yes [" CPUINFO " flags]" },
            { "nonstop_tsc", "yes [" CPUINFO " flags]" },
            { "tsc_known_freq", "no [" CPUINFO " flags]" },
            { "cpu_tsc_scaling_flag", "no [" CPUINFO " vmx flags (tsc_scaling)]" },
            { "clocksource_current", "hpet [" CUR "]" },
            { "clocksource_available", "hpet acpi_pm [" AVAIL "]" },
            { "tsc_unstable", "yes [current clocksource is hpet and tsc is gone from "
                              "available_clocksource]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "1000000 [" FREQ "/cpuinfo_min_freq]" },
            { "cpufreq_max_khz", "3000000 [" FREQ "/cpuinfo_max_freq]" },
        },
        .lines = {
            "CPU TSC scaling flag (vmx flags: tsc_scaling) : no",
            "Current clocksource : hpet WARN (" HINT_NOT_TSC ")",
            "Available clocksources : hpet acpi_pm",
            "TSC not marked unstable : FAIL (current clocksource is hpet and tsc is gone "
            "from available_clocksource: TSC-dependent guests will be refused here)",
            "tsc_known_freq : WARN (" HINT_KNOWN_FREQ ")",
        },
        .worst = TG_CHECK_FAIL,
    },
    {
        .name = "cmdline-tsc-unstable",
        .facts = {
            { "clocksource_current", "hpet [" CUR "]" },
            { "tsc_unstable", "yes [" CMDLINE " tsc=unstable]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpu_tsc_scaling_flag", "no [" CPUINFO " vmx flags (tsc_scaling)]" },
        },
        .lines = {
            "TSC not marked unstable : FAIL (" CMDLINE " tsc=unstable: TSC-dependent guests "
            "will be refused here)",
            "cpufreq range : 1200.000 MHz - 3900.000 MHz",
        },
        .worst = TG_CHECK_FAIL,
    },
    {
        .name = "max-cstate",
        .facts = {
            { "cpu_vendor", "GenuineIntel [" CPUINFO " vendor_id]" },
            { "tsc_known_freq", "no [" CPUINFO " flags]" },
            { "cpu_tsc_scaling_flag", "unknown: no \"vmx flags\" line in " CPUINFO
                                      " (VMX not available, or kernel older than 5.8)" },
            /* given twice: the last one wins; intel_idle's limit is a fact of its own */
            { "max_cstate", "1 [" CMDLINE " processor.max_cstate]" },
            { "intel_idle_max_cstate", "0 [" CMDLINE " intel_idle.max_cstate]" },
            { "tsc_unstable", "no [current clocksource is tsc]" },
            { "cpufreq_min_khz", "1200000 [" FREQ "/cpuinfo_min_freq]" },
            { "cpufreq_max_khz", "2600000 [" FREQ "/cpuinfo_max_freq]" },
        },
        .lines = {
            "processor.max_cstate : 1 (intel_idle.max_cstate=0)",
            "CPU TSC scaling flag (vmx flags: tsc_scaling) : unknown (no \"vmx flags\" line in "
            CPUINFO " (VMX not available, or kernel older than 5.8))",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        .name = "no-cpufreq",
        .facts = {
            { "cpu_vendor", "GenuineIntel [" CPUINFO " vendor_id]" },
            { "kvm_tolerance_ppm", "unknown: " TOL ": No such file or directory "
                                   "(kvm module not loaded)" },
            { "constant_tsc", "yes [" CPUINFO " flags]" },
            { "nonstop_tsc", "no [" CPUINFO " flags]" },
            { "tsc_known_freq", "yes [" CPUINFO " flags]" },
            { "cpu_tsc_scaling_flag", "unknown: no \"vmx flags\" line in " CPUINFO
                                      " (VMX not available, or kernel older than 5.8)" },
            { "clocksource_current", "kvm-clock [" CUR "]" },
            { "clocksource_available", "kvm-clock tsc acpi_pm [" AVAIL "]" },
            { "tsc_unstable", "no [current clocksource is kvm-clock but tsc is still in "
                              "available_clocksource]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "unknown: no cpufreq driver (" FREQ " absent)" },
            { "cpufreq_max_khz", "unknown: no cpufreq driver (" FREQ " absent)" },
        },
        .lines = {
            "nonstop_tsc : FAIL (" HINT_INVARIANT ")",
            "constant_tsc : PASS",
            "Current clocksource : kvm-clock WARN (" HINT_NOT_TSC ")",
            "TSC not marked unstable : PASS",
            "cpufreq range : unknown (no cpufreq driver (" FREQ " absent))",
            "KVM tsc_tolerance_ppm : unknown (" TOL ": No such file or directory "
            "(kvm module not loaded))",
        },
        .worst = TG_CHECK_FAIL,
    },
    {
        .name = "missing-cpuinfo",
        .facts = {
            { "cpu_vendor", "unknown: " CPUINFO ": No such file or directory" },
            { "constant_tsc", "unknown: " CPUINFO ": No such file or directory" },
            { "nonstop_tsc", "unknown: " CPUINFO ": No such file or directory" },
            { "tsc_known_freq", "unknown: " CPUINFO ": No such file or directory" },
            { "cpu_tsc_scaling_flag", "unknown: " CPUINFO ": No such file or directory" },
            { "kvm_tolerance_ppm", "250 [" TOL "]" },
            { "clocksource_current", "tsc [" CUR "]" },
            { "tsc_unstable", "no [current clocksource is tsc]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "unknown: no cpufreq driver (" FREQ " absent)" },
        },
        .lines = {
            "CPU vendor : unknown (" CPUINFO ": No such file or directory)",
            "constant_tsc : unknown (" CPUINFO ": No such file or directory) WARN",
            "nonstop_tsc : unknown (" CPUINFO ": No such file or directory) WARN",
            "tsc_known_freq : unknown (" CPUINFO ": No such file or directory) WARN",
            "CPU TSC scaling flag : unknown (" CPUINFO ": No such file or directory)",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        .name = "arm64-broken",
        .facts = {
            { "cpu_vendor", "unknown: no vendor_id in " CPUINFO " (not x86?)" },
            { "kvm_tolerance_ppm", "unknown: " TOL ": empty" },
            { "constant_tsc", "unknown: no flags line in " CPUINFO },
            { "nonstop_tsc", "unknown: no flags line in " CPUINFO },
            { "tsc_known_freq", "unknown: no flags line in " CPUINFO },
            { "cpu_tsc_scaling_flag", "unknown: no vendor_id in " CPUINFO },
            { "clocksource_current", "arch_sys_counter [" CUR "]" },
            { "clocksource_available", "arch_sys_counter [" AVAIL "]" },
            { "tsc_unstable", "unknown: tsc not in available_clocksource and no flags line in "
                              CPUINFO ": cannot tell whether the CPU has a TSC" },
            /* words after "--" are init's, not the kernel's */
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "600000 [" FREQ "/cpuinfo_min_freq]" },
            { "cpufreq_max_khz", "unknown: " FREQ "/cpuinfo_max_freq: not a number: garbage" },
        },
        .lines = {
            "cpufreq range : unknown (" FREQ "/cpuinfo_max_freq: not a number: garbage)",
            "KVM tsc_tolerance_ppm : unknown (" TOL ": empty)",
            "Current clocksource : arch_sys_counter WARN (" HINT_NOT_TSC ")",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        /* copied from this machine (an AMD EPYC KVM guest with nested KVM) */
        .name = "this-machine",
        .facts = {
            { "cpu_vendor", "AuthenticAMD [" CPUINFO " vendor_id]" },
            { "kvm_tolerance_ppm", "250 [" TOL "]" },
            { "constant_tsc", "yes [" CPUINFO " flags]" },
            { "nonstop_tsc", "yes [" CPUINFO " flags]" },
            { "tsc_known_freq", "yes [" CPUINFO " flags]" },
            { "cpu_tsc_scaling_flag", "no [" CPUINFO " flags (tsc_scale)]" },
            { "clocksource_current", "tsc [" CUR "]" },
            { "clocksource_available", "tsc kvm-clock [" AVAIL "]" },
            { "tsc_unstable", "no [current clocksource is tsc]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "intel_idle_max_cstate", "(null) [" CMDLINE " (intel_idle.max_cstate not set)]" },
            { "cpufreq_min_khz", "unknown: no cpufreq driver (" FREQ " absent)" },
            { "cpufreq_max_khz", "unknown: no cpufreq driver (" FREQ " absent)" },
        },
        .lines = {
            NOT_PROBED_LINES,
            "CPU vendor : AuthenticAMD",
            "CPU TSC scaling flag (flags: tsc_scale) : no",
            "constant_tsc : PASS",
            "nonstop_tsc : PASS",
            "tsc_known_freq : PASS",
            "Current clocksource : tsc PASS",
            "Available clocksources : tsc kvm-clock",
            "TSC not marked unstable : PASS",
            "processor.max_cstate : not set",
            "cpufreq range : unknown (no cpufreq driver (" FREQ " absent))",
            PINNED_LABEL " : unknown (no cpufreq driver (" FREQ " absent))",
            "KVM tsc_tolerance_ppm : 250",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        /* a dual-socket Opteron 2218 (K8 revision F, no constant_tsc nor
         * nonstop_tsc) set up as the RHEL guide asks: deep C-states off,
         * powernow-k8 pinned at the top frequency on every CPU */
        .name = "amd-opteron-revf-pinned",
        .facts = {
            { "cpu_vendor", "AuthenticAMD [" CPUINFO " vendor_id]" },
            { "constant_tsc", "no [" CPUINFO " flags]" },
            { "nonstop_tsc", "no [" CPUINFO " flags]" },
            { "max_cstate", "1 [" CMDLINE " processor.max_cstate]" },
            { "tsc_unstable", "no [current clocksource is tsc]" },
            { "cpufreq_min_khz", "1000000 [" FREQ "/cpuinfo_min_freq]" },
            { "cpufreq_max_khz", "2600000 [" FREQ "/cpuinfo_max_freq]" },
            { "cpufreq_pinned", "yes [" REVF_PINNED_SRC "]" },
            { "cpufreq_highest_khz", "2600000 [" FREQ "/scaling_available_frequencies]" },
        },
        .lines = {
            NOT_PROBED_LINES,
            "constant_tsc : WARN (" HINT_REMEDIATED ")",
            "nonstop_tsc : WARN (" HINT_REMEDIATED ")",
            "processor.max_cstate : 1 PASS",
            PINNED_LABEL " : yes PASS (" REVF_PINNED_SRC ")",
            "cpufreq range : 1000.000 MHz - 2600.000 MHz",
            "TSC not marked unstable : PASS",
        },
        .worst = TG_CHECK_WARN,
    },
    {
        /* the same host as shipped: ondemand moved cpu2's frequency, so
         * the kernel marked the TSC unstable (arch/x86/kernel/tsc.c
         * time_cpufreq_notifier, "cpufreq changes") and left it */
        .name = "amd-opteron-revf-unpinned",
        .facts = {
            { "constant_tsc", "no [" CPUINFO " flags]" },
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "tsc_unstable", "yes [current clocksource is hpet and tsc is gone from "
                              "available_clocksource]" },
            { "cpufreq_pinned", "no [cpu2: governor ondemand, scaling_min_freq 1000000 kHz, "
                                "scaling_max_freq 2600000 kHz, highest available 2600000 kHz ("
                                CPUS "/cpu2/cpufreq)]" },
            { "cpufreq_highest_khz", "2600000 [" CPUS "/cpu2/cpufreq/scaling_available_frequencies]" },
        },
        .lines = {
            "constant_tsc : FAIL (" HINT_INVARIANT ")",
            "nonstop_tsc : FAIL (" HINT_INVARIANT ")",
            "processor.max_cstate : not set FAIL (" HINT_CSTATE_FAIL ")",
            PINNED_LABEL " : no FAIL (cpu2: governor ondemand, scaling_min_freq 1000000 kHz, "
            "scaling_max_freq 2600000 kHz, highest available 2600000 kHz (" CPUS "/cpu2/cpufreq); "
            "no constant_tsc: pin every CPU at its highest available frequency, scaling_min_freq "
            "= scaling_max_freq = 2600000 kHz, e.g. cpupower -c all frequency-set -g performance "
            "-d 2600000 -u 2600000)",
        },
        .worst = TG_CHECK_FAIL,
    },
    {
        /* cpufreq pinned, deep C-states still allowed */
        .name = "amd-opteron-revf-cstates",
        .facts = {
            { "max_cstate", "(null) [" CMDLINE " (processor.max_cstate not set)]" },
            { "cpufreq_pinned", "yes [" REVF_PINNED_SRC "]" },
        },
        .lines = {
            "constant_tsc : FAIL (" HINT_INVARIANT ")",
            "processor.max_cstate : not set FAIL (" HINT_CSTATE_FAIL ")",
            PINNED_LABEL " : yes PASS (" REVF_PINNED_SRC ")",
        },
        .worst = TG_CHECK_FAIL,
    },
    {
        /* intel_pstate has no scaling_available_frequencies: the highest
         * is cpuinfo_max_freq; with an invariant TSC the lines inform */
        .name = "intel-pstate-pinned",
        .facts = {
            { "constant_tsc", "yes [" CPUINFO " flags]" },
            { "cpufreq_pinned", "yes [every online CPU (2): scaling_min_freq = scaling_max_freq "
                                "= the highest available frequency; cpu0: governor performance, "
                                "3900000 kHz (" CPUS "/cpu0/cpufreq)]" },
            { "cpufreq_highest_khz", "3900000 [" FREQ "/cpuinfo_max_freq]" },
        },
        .lines = {
            "constant_tsc : PASS",
            "processor.max_cstate : not set",
            PINNED_LABEL " : yes (every online CPU (2): scaling_min_freq = scaling_max_freq = the "
            "highest available frequency; cpu0: governor performance, 3900000 kHz (" CPUS
            "/cpu0/cpufreq))",
        },
        .worst = TG_CHECK_WARN,
    },
};

static void
test_fixture(void **state)
{
    const FixtureCase *c = *state;
    g_autofree char *proc_root = fixture_dir(c->name, "proc");
    g_autofree char *sys_root = fixture_dir(c->name, "sys");
    TgProbeOptions opts = {
        .kvm_device = FAKE_KVM,
        .proc_root = proc_root,
        .sys_root = sys_root,
        .skip_kvm = true,
        .skip_adjtimex = true,
    };
    g_autoptr(TgHostFacts) f = NULL;
    g_autofree char *human = NULL;
    TgCheckLevel worst = TG_CHECK_INFO;
    struct utsname u;
    g_autofree char *host = NULL;
    int fds_before;

    fake_reset();
    fds_before = count_fds();
    f = tg_probe_host(&opts);
    assert_non_null(f);
    assert_int_equal(count_fds(), fds_before);
    assert_int_equal(fake.n_open, 0); /* skip_kvm: the device is not opened */

    for (const FactExpect *e = c->facts; e->field; e++)
        assert_fact(f, e->field, e->expect, proc_root, sys_root);
    assert_fact(f, "tsc_hz", "unknown: not probed", proc_root, sys_root);
    assert_fact(f, "tsc_scaling", "unknown: not probed", proc_root, sys_root);
    assert_fact(f, "clock_synchronized", "unknown: not probed", proc_root, sys_root);
    assert_fact(f, "clock_est_error_us", "unknown: not probed", proc_root, sys_root);
    assert_fact(f, "clock_max_error_us", "unknown: not probed", proc_root, sys_root);
    assert_int_equal(uname(&u), 0);
    host = g_strdup_printf("%s [uname(2)]", u.nodename);
    assert_fact(f, "hostname", host, proc_root, sys_root);

    human = tg_probe_format_human(f, &worst);
    for (const char *const *l = c->lines; *l; l++) {
        g_autofree char *want = expand(*l, proc_root, sys_root);

        assert_human_line(human, want);
    }
    assert_int_equal(worst, c->worst);
}

/* ------------------------------------------------------------------ */
/* KVM through the fake device                                         */
/* ------------------------------------------------------------------ */

#define KVM_SRC " [KVM_GET_TSC_KHZ on " FAKE_KVM "]"
#define CAP_SRC " [KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) on " FAKE_KVM "]"
#define HUMAN_NO_SCALING \
    "TSC scaling (KVM_CAP_TSC_CONTROL) : no WARN (guests can only migrate here from hosts " \
    "within 250 ppm of 2596.120 MHz unless they use kvm-clock)"

static const KvmCase kvm_cases[] = {
    { .name = "enoent", .open_errno = ENOENT,
      .expect_hz = "unknown: " FAKE_KVM ": No such file or directory",
      .expect_scaling = "unknown: " FAKE_KVM ": No such file or directory",
      .expect_human_freq = "TSC frequency : unknown (" FAKE_KVM ": No such file or directory) "
                           "WARN (guests with an explicit or TSC-dependent clock will be "
                           "refused here)",
      .expect_human_scaling = "TSC scaling (KVM_CAP_TSC_CONTROL) : unknown (" FAKE_KVM ": No "
                              "such file or directory) WARN",
      .expect_fds_opened = 0 },
    { .name = "eacces", .open_errno = EACCES,
      .expect_hz = "unknown: " FAKE_KVM ": Permission denied",
      .expect_scaling = "unknown: " FAKE_KVM ": Permission denied",
      .expect_fds_opened = 0 },
    { .name = "create-vm-fails", .create_vm_errno = ENOMEM,
      .expect_hz = "unknown: KVM_CREATE_VM failed: Cannot allocate memory",
      .expect_scaling = "no" CAP_SRC,
      /* the frequency is unknown: the hint cannot name it */
      .expect_human_scaling = "TSC scaling (KVM_CAP_TSC_CONTROL) : no WARN (guests can only "
                              "migrate here from hosts within 250 ppm of this host's TSC "
                              "frequency unless they use kvm-clock)",
      .expect_fds_opened = 1 },
    { .name = "create-vcpu-fails", .cap_ret = 1, .create_vcpu_errno = EINVAL,
      .expect_hz = "unknown: KVM_CREATE_VCPU failed: Invalid argument",
      .expect_scaling = "yes" CAP_SRC,
      .expect_human_scaling = "TSC scaling (KVM_CAP_TSC_CONTROL) : yes PASS",
      .expect_fds_opened = 2 },
    { .name = "get-tsc-khz-enotty", .tsc_errno = ENOTTY,
      .expect_hz = "unknown: KVM_GET_TSC_KHZ unsupported: Inappropriate ioctl for device",
      .expect_scaling = "no" CAP_SRC, .expect_fds_opened = 3 },
    { .name = "get-tsc-khz-zero", .tsc_khz = 0,
      .expect_hz = "unknown: KVM_GET_TSC_KHZ unsupported: returned 0 kHz",
      .expect_scaling = "no" CAP_SRC, .expect_fds_opened = 3 },
    { .name = "get-tsc-khz-eintr", .tsc_errno = EINTR,
      .expect_hz = "unknown: KVM_GET_TSC_KHZ failed: Interrupted system call",
      .expect_scaling = "no" CAP_SRC, .expect_fds_opened = 3 },
    { .name = "cap-tsc-control-0", .tsc_khz = 2596120,
      .expect_hz = "2596120000" KVM_SRC, .expect_scaling = "no" CAP_SRC,
      .expect_human_freq = "TSC frequency : 2596.120 MHz",
      .expect_human_scaling = HUMAN_NO_SCALING, .expect_fds_opened = 3 },
    { .name = "cap-tsc-control-1", .cap_ret = 1, .tsc_khz = 2100000,
      .expect_hz = "2100000000" KVM_SRC, .expect_scaling = "yes" CAP_SRC,
      .expect_human_freq = "TSC frequency : 2100.000 MHz",
      .expect_human_scaling = "TSC scaling (KVM_CAP_TSC_CONTROL) : yes PASS",
      .expect_fds_opened = 3 },
    { .name = "cap-check-fails", .cap_errno = EINVAL, .tsc_khz = 2596120,
      .expect_hz = "2596120000" KVM_SRC,
      .expect_scaling = "unknown: KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL) failed: Invalid "
                        "argument",
      .expect_human_scaling = "TSC scaling (KVM_CAP_TSC_CONTROL) : unknown (KVM_CHECK_EXTENSION("
                              "KVM_CAP_TSC_CONTROL) failed: Invalid argument) WARN",
      .expect_fds_opened = 3 },
};

static void
test_kvm(void **state)
{
    const KvmCase *c = *state;
    g_autofree char *proc_root = fixture_dir("this-machine", "proc");
    g_autofree char *sys_root = fixture_dir("this-machine", "sys");
    TgProbeOptions opts = {
        .kvm_device = FAKE_KVM,
        .proc_root = proc_root,
        .sys_root = sys_root,
        .skip_adjtimex = true,
    };
    g_autoptr(TgHostFacts) f = NULL;
    g_autofree char *human = NULL;
    int fds_before;

    fake_reset();
    fake.kvm = c;
    fds_before = count_fds();
    f = tg_probe_host(&opts);
    fake.kvm = NULL;
    assert_non_null(f);

    /* every fd closed on every path */
    assert_int_equal(count_fds(), fds_before);
    assert_int_equal(fake.n_handed, c->expect_fds_opened);
    for (int i = 0; i < fake.n_handed; i++) {
        errno = 0;
        assert_int_equal(fcntl(fake.handed_out[i], F_GETFD), -1);
        assert_int_equal(errno, EBADF);
    }

    /* the call sequence libvirt's virHostCPUGetTscInfo makes */
    assert_int_equal(fake.n_open, 1);
    assert_int_equal(fake.open_flags, O_RDWR | O_CLOEXEC);
    assert_false(fake.bad_call);
    assert_int_equal(fake.n_check, c->open_errno ? 0 : 1);
    assert_int_equal(fake.n_create_vm, c->open_errno ? 0 : 1);
    assert_int_equal(fake.n_create_vcpu, (c->open_errno || c->create_vm_errno) ? 0 : 1);
    assert_int_equal(fake.n_get_khz, c->expect_fds_opened == 3 ? 1 : 0);

    assert_fact(f, "tsc_hz", c->expect_hz, proc_root, sys_root);
    assert_fact(f, "tsc_scaling", c->expect_scaling, proc_root, sys_root);

    human = tg_probe_format_human(f, NULL);
    if (c->expect_human_freq)
        assert_human_line(human, c->expect_human_freq);
    if (c->expect_human_scaling)
        assert_human_line(human, c->expect_human_scaling);
}

/* ------------------------------------------------------------------ */
/* adjtimex through the fake                                           */
/* ------------------------------------------------------------------ */

#define SYNC_HINT "run chronyd or systemd-timesyncd; QEMU carries kvm-clock across " \
    "migration using host wall-clock time, so an unsynchronised destination shifts guest clocks"

static const AdjCase adj_cases[] = {
    { .name = "synchronised", .rc = TIME_OK, .status = STA_PLL, .esterror = 1234,
      .maxerror = 56789,
      .expect_sync = "yes [adjtimex(2)]", .expect_est = "1234 [adjtimex(2) esterror]",
      .expect_max = "56789 [adjtimex(2) maxerror]",
      .expect_human = "Host clock synchronised (NTP) : PASS (estimated error 1234 us, "
                      "maximum error 56789 us)",
      .expect_level = TG_CHECK_PASS },
    { .name = "leap-insert-still-synchronised", .rc = TIME_INS, .status = STA_PLL | STA_INS,
      .esterror = 0, .maxerror = 16000,
      .expect_sync = "yes [adjtimex(2)]", .expect_est = "0 [adjtimex(2) esterror]",
      .expect_max = "16000 [adjtimex(2) maxerror]",
      .expect_human = "Host clock synchronised (NTP) : PASS (estimated error 0 us, "
                      "maximum error 16000 us)",
      .expect_level = TG_CHECK_PASS },
    { .name = "time-error", .rc = TIME_ERROR, .status = 0, .esterror = 0, .maxerror = 16000000,
      .expect_sync = "no [adjtimex(2): TIME_ERROR]", .expect_est = "0 [adjtimex(2) esterror]",
      .expect_max = "16000000 [adjtimex(2) maxerror]",
      .expect_human = "Host clock synchronised (NTP) : FAIL (" SYNC_HINT ")",
      .expect_level = TG_CHECK_FAIL },
    /* STA_UNSYNC alone decides, even when the return value is TIME_OK */
    { .name = "sta-unsync", .rc = TIME_OK, .status = STA_UNSYNC | STA_PLL, .esterror = 500,
      .maxerror = 1000,
      .expect_sync = "no [adjtimex(2): STA_UNSYNC set]", .expect_est = "500 [adjtimex(2) esterror]",
      .expect_max = "1000 [adjtimex(2) maxerror]",
      .expect_human = "Host clock synchronised (NTP) : FAIL (" SYNC_HINT ")",
      .expect_level = TG_CHECK_FAIL },
    { .name = "negative-errors", .rc = TIME_OK, .status = 0, .esterror = -1, .maxerror = -5,
      .expect_sync = "yes [adjtimex(2)]", .expect_est = "unknown: adjtimex: negative esterror -1",
      .expect_max = "unknown: adjtimex: negative maxerror -5",
      .expect_human = "Host clock synchronised (NTP) : PASS", .expect_level = TG_CHECK_PASS },
    { .name = "eperm", .rc = -1, .err = EPERM,
      .expect_sync = "unknown: adjtimex: Operation not permitted",
      .expect_est = "unknown: adjtimex: Operation not permitted",
      .expect_max = "unknown: adjtimex: Operation not permitted",
      .expect_human = "Host clock synchronised (NTP) : unknown (adjtimex: Operation not "
                      "permitted) WARN",
      .expect_level = TG_CHECK_WARN },
};

static void
test_adjtimex(void **state)
{
    const AdjCase *c = *state;
    /* the Intel host with scaling, fully PASS otherwise, so the worst level
     * is the clock line's (or PASS) */
    g_autofree char *proc_root = fixture_dir("intel-vmx-scaling", "proc");
    g_autofree char *sys_root = fixture_dir("intel-vmx-scaling", "sys");
    static const KvmCase good_kvm = { .name = "good", .cap_ret = 1, .tsc_khz = 2000000,
                                      .expect_fds_opened = 3 };
    TgProbeOptions opts = { .kvm_device = FAKE_KVM, .proc_root = proc_root,
                            .sys_root = sys_root };
    g_autoptr(TgHostFacts) f = NULL;
    g_autofree char *human = NULL;
    TgCheckLevel worst = TG_CHECK_INFO;

    fake_reset();
    fake.kvm = &good_kvm;
    fake.adj = c;
    f = tg_probe_host(&opts);
    fake.kvm = NULL;
    fake.adj = NULL;

    assert_int_equal(fake.n_adj, 1);
    assert_false(fake.adj_modes_nonzero); /* read-only call */
    assert_fact(f, "clock_synchronized", c->expect_sync, proc_root, sys_root);
    assert_fact(f, "clock_est_error_us", c->expect_est, proc_root, sys_root);
    assert_fact(f, "clock_max_error_us", c->expect_max, proc_root, sys_root);
    human = tg_probe_format_human(f, &worst);
    assert_human_line(human, c->expect_human);
    assert_int_equal(worst, c->expect_level);
}

/* ------------------------------------------------------------------ */
/* Formatting details                                                  */
/* ------------------------------------------------------------------ */

static void
test_human_literal_alignment(void **state)
{
    g_autoptr(TgHostFacts) f = tg_host_facts_new();
    g_autofree char *human = NULL;
    TgCheckLevel worst = TG_CHECK_FAIL;

    (void)state;
    tg_u64_fact_set(&f->tsc_hz, 2596120000ULL, "test");
    human = tg_probe_format_human(f, &worst);
    /* literally: two spaces, label, a run of dots, " : ", value */
    assert_non_null(strstr(human, "\n  TSC frequency ...................................... "
                                  ": 2596.120 MHz\n"));
    /* all-unknown facts (no reasons) still print and count as WARN */
    assert_non_null(strstr(human, "unknown (no reason given)"));
    assert_int_equal(worst, TG_CHECK_WARN);
    /* worst may be NULL */
    g_free(tg_probe_format_human(f, NULL));
}

/* The checklist shows intel_idle.max_cstate from its own fact, never from
 * another fact's source note. */
static void
test_human_intel_idle_fact(void **state)
{
    g_autoptr(TgHostFacts) f = tg_host_facts_new();
    g_autoptr(TgHostFacts) g = tg_host_facts_new();
    g_autofree char *human = NULL;
    g_autofree char *human2 = NULL;

    (void)state;
    tg_str_fact_set(&f->max_cstate, NULL, "test");
    tg_str_fact_set(&f->intel_idle_max_cstate, "2", "test");
    human = tg_probe_format_human(f, NULL);
    assert_human_line(human, "processor.max_cstate : not set (intel_idle.max_cstate=2)");

    tg_str_fact_set(&g->max_cstate, "1", "/proc/cmdline processor.max_cstate; "
                    "intel_idle.max_cstate=0");
    tg_str_fact_set(&g->intel_idle_max_cstate, NULL, "test");
    human2 = tg_probe_format_human(g, NULL);
    assert_human_line(human2, "processor.max_cstate : 1");
}

static void
test_check_level_names(void **state)
{
    (void)state;
    assert_string_equal(tg_check_level_to_string(TG_CHECK_INFO), "INFO");
    assert_string_equal(tg_check_level_to_string(TG_CHECK_PASS), "PASS");
    assert_string_equal(tg_check_level_to_string(TG_CHECK_WARN), "WARN");
    assert_string_equal(tg_check_level_to_string(TG_CHECK_FAIL), "FAIL");
}

static void
test_human_escapes_untrusted(void **state)
{
    g_autoptr(TgHostFacts) f = tg_host_facts_new();
    g_autofree char *human = NULL;

    (void)state;
    tg_str_fact_set(&f->hostname, "evil\nFAKE LINE", "test");
    tg_str_fact_set(&f->clocksource_current, "hpet\x1b[0m", "test");
    human = tg_probe_format_human(f, NULL);
    assert_null(strstr(human, "\nFAKE LINE"));
    assert_human_line(human, "Host name : evil\\nFAKE LINE");
    assert_human_line(human, "Current clocksource : hpet\\x1b[0m WARN (" HINT_NOT_TSC ")");
}

/* ------------------------------------------------------------------ */
/* The real host                                                       */
/* ------------------------------------------------------------------ */

static void
test_real_host(void **state)
{
    g_autoptr(TgHostFacts) f = NULL;
    g_autofree char *human = NULL;
    g_autofree char *cur = NULL;
    struct utsname u;
    int fds_before;

    (void)state;
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        print_message("skipped: /dev/kvm not usable: %s\n", g_strerror(errno));
        skip();
    }
    fake_reset();
    fds_before = count_fds();
    f = tg_probe_host(NULL);
    assert_int_equal(count_fds(), fds_before);

    if (!f->tsc_hz.note.known)
        fail_msg("tsc_hz unknown: %s", f->tsc_hz.note.reason);
    assert_string_equal(f->tsc_hz.note.source, "KVM_GET_TSC_KHZ on /dev/kvm");
    assert_true(f->tsc_hz.value > 100000000ULL);
    assert_true(f->tsc_hz.value < 10000000000ULL);
    assert_int_equal(f->tsc_hz.value % 1000, 0); /* kHz * 1000 */
    if (!f->tsc_scaling.note.known)
        fail_msg("tsc_scaling unknown: %s", f->tsc_scaling.note.reason);

    assert_int_equal(uname(&u), 0);
    assert_true(f->hostname.note.known);
    assert_string_equal(f->hostname.value, u.nodename);
    /* adjtimex with modes=0 works unprivileged too */
    assert_true(f->clock_synchronized.note.known);
    if (g_file_get_contents("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                            &cur, NULL, NULL)) {
        assert_true(f->clocksource_current.note.known);
        assert_string_equal(f->clocksource_current.value, g_strstrip(cur));
    }
    human = tg_probe_format_human(f, NULL);
    assert_non_null(strstr(human, "TSC frequency"));
}

int
main(void)
{
    GArray *tests = tg_test_new();

    for (size_t i = 0; i < G_N_ELEMENTS(fixture_cases); i++)
        tg_test_add(tests, fixture_cases[i].name, test_fixture, &fixture_cases[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(kvm_cases); i++)
        tg_test_add(tests, kvm_cases[i].name, test_kvm, &kvm_cases[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(adj_cases); i++)
        tg_test_add(tests, adj_cases[i].name, test_adjtimex, &adj_cases[i]);
    tg_test_add(tests, "human literal alignment", test_human_literal_alignment, NULL);
    tg_test_add(tests, "human escapes untrusted", test_human_escapes_untrusted, NULL);
    tg_test_add(tests, "human intel_idle.max_cstate from its fact", test_human_intel_idle_fact,
                NULL);
    tg_test_add(tests, "check level names", test_check_level_names, NULL);
    tg_test_add(tests, "real host", test_real_host, NULL);
    return tg_test_run("tg-probe", tests);
}
