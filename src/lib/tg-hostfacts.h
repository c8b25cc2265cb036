/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: a host's TSC facts and timekeeping health.
 *
 * Filled either by probing this host (tg-probe.h) or by reading
 * capabilities-shaped XML: `virsh capabilities` output or `tscgate probe`
 * output (libvirt's <counter name='tsc'> plus tscgate's namespaced health
 * elements, schema xml/hostfacts.rng).
 */
#ifndef TG_HOSTFACTS_H
#define TG_HOSTFACTS_H

#include "tg-common.h"

G_BEGIN_DECLS

/* Namespace of tscgate's health elements inside <capabilities><host>. */
#define TG_HOSTFACTS_NS "urn:tscgate:hostfacts:1"
#define TG_HOSTFACTS_NS_PREFIX "tscgate"

typedef struct _TgHostFacts {
    TgStrFact hostname;          /* uname nodename / <tscgate:host name=...> */
    TgStrFact cpu_vendor;        /* "GenuineIntel"/"AuthenticAMD" or capabilities <vendor> "Intel"/"AMD" */
    TgU64Fact tsc_hz;            /* KVM_GET_TSC_KHZ * 1000 / <counter frequency=...> */
    TgBoolFact tsc_scaling;      /* KVM_CAP_TSC_CONTROL / <counter scaling=...> */
    TgU64Fact kvm_tolerance_ppm; /* /sys/module/kvm/parameters/tsc_tolerance_ppm */
    TgBoolFact constant_tsc;     /* /proc/cpuinfo flags */
    TgBoolFact nonstop_tsc;
    TgBoolFact tsc_known_freq;
    TgBoolFact cpu_tsc_scaling_flag; /* AMD "tsc_scale" in flags, Intel "tsc_scaling" in "vmx flags" */
    TgStrFact clocksource_current;   /* /sys/devices/system/clocksource/clocksource0/current_clocksource */
    TgStrFact clocksource_available; /* .../available_clocksource (space separated) */
    TgBoolFact tsc_unstable;     /* true: kernel marked TSC unstable (clocksource left tsc, or tsc=unstable) */
    TgStrFact max_cstate;        /* processor.max_cstate= value from /proc/cmdline; known + NULL value = not set */
    TgStrFact intel_idle_max_cstate; /* intel_idle.max_cstate= value from /proc/cmdline; known + NULL = not set */
    TgU64Fact cpufreq_min_khz;   /* cpu0 cpufreq/cpuinfo_min_freq */
    TgU64Fact cpufreq_max_khz;   /* cpu0 cpufreq/cpuinfo_max_freq */
    /* The cpufreq policy in force on every online CPU: true when each one's
     * scaling_min_freq = scaling_max_freq = its highest available frequency
     * (the largest of scaling_available_frequencies, else cpuinfo_max_freq).
     * The note names the first CPU that is not, with its governor and
     * values ("cpu2: governor ondemand, scaling_min_freq 1000000 kHz, ..."). */
    TgBoolFact cpufreq_pinned;
    TgU64Fact cpufreq_highest_khz; /* the highest available frequency of that CPU (or of cpu0) */
    TgBoolFact clock_synchronized; /* adjtimex: not TIME_ERROR and not STA_UNSYNC */
    TgU64Fact clock_est_error_us;  /* adjtimex esterror */
    TgU64Fact clock_max_error_us;  /* adjtimex maxerror */
    /* Written by `tscgate probe --publish` (unknown in plain probe output
     * and in `virsh capabilities`): */
    TgStrFact tscgate_version;   /* the publishing tscgate's PACKAGE_VERSION */
    TgStrFact policy_digest;     /* "sha256:HEX" of the policy.xml the hook reads, or "none" */
    TgStrFact published_at;      /* RFC 3339 UTC time of publication */
} TgHostFacts;

/* The type of one fact of TgHostFacts. */
typedef enum {
    TG_FACT_STR,  /* TgStrFact */
    TG_FACT_U64,  /* TgU64Fact */
    TG_FACT_BOOL, /* TgBoolFact */
} TgFactKind;

/* One member of TgHostFacts: its C name, its <tscgate:ELEMENT> in the
 * facts XML, its type and where it is ((char *)facts + offset; every fact
 * starts with its TgFactNote). */
typedef struct {
    const char *member;   /* "tsc_hz" */
    const char *element;  /* "tsc-frequency" */
    TgFactKind kind;
    gsize offset;
    /* Changes during a boot (clock synchronisation, clocksource, the
     * kernel's TSC-unstable mark, the cpufreq policy in force): read at
     * every gated run, never kept in the per-boot probe cache. */
    bool per_run;
} TgHostFactField;

/* Returns the table of every member of TgHostFacts in struct order (static),
 * the one list the parser, the formatter and the copy walk; `*n_fields`
 * receives its length. */
const TgHostFactField *tg_host_facts_fields(gsize *n_fields);

/* Returns the field whose member or element name is `name` (static), or
 * NULL. */
const TgHostFactField *tg_host_facts_field(const char *name);

/* Make every per-run fact (TgHostFactField.per_run) of `facts` unknown
 * with `reason`: what the per-boot probe cache stores. */
void tg_host_facts_drop_per_run(TgHostFacts *facts, const char *reason);

/* Copy every per-run fact of `src` (known or not, with its note) into
 * `dst`, replacing dst's. */
void tg_host_facts_take_per_run(TgHostFacts *dst, const TgHostFacts *src);

/* Returns a new host-facts object with every fact unknown (no reason).
 * Free with tg_host_facts_free(). */
TgHostFacts *tg_host_facts_new(void);
/* Free all facts and the object. NULL is fine. */
void tg_host_facts_free(TgHostFacts *facts);
/* Returns a deep copy (caller frees with tg_host_facts_free). */
TgHostFacts *tg_host_facts_copy(const TgHostFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgHostFacts, tg_host_facts_free)

/* TSC is invariant: constant_tsc and nonstop_tsc both known true. Returns
 * TG_TRI_NO when either is known false, UNKNOWN otherwise. */
TgTri tg_host_facts_tsc_invariant(const TgHostFacts *facts);

/* Whether a host whose TSC is not constant (no constant_tsc) has the power
 * management that changes or stops its TSC turned off, as Red Hat's "KVM
 * Guest Timing Management" checklist asks: deep C-states off
 * (processor.max_cstate=1) and cpufreq pinned at the highest frequency on
 * every CPU (cpufreq_pinned). Returns TG_TRI_YES when constant_tsc is known
 * false and both are known in place, TG_TRI_NO when constant_tsc is known
 * false and either is known missing, TG_TRI_UNKNOWN otherwise (constant_tsc
 * true or unknown: the checklist does not apply). */
TgTri tg_host_facts_pm_remediated(const TgHostFacts *facts);

/* Returns true when the facts' processor.max_cstate is known and set to 1
 * (deep C-states off). */
bool tg_host_facts_cstates_off(const TgHostFacts *facts);

/* The policy-digest of a host whose hook enforces no policy.xml (the
 * default rules). */
#define TG_POLICY_DIGEST_NONE "none"

/* Returns the identity of a policy file's bytes as the hook reads them,
 * "sha256:" and 64 lowercase hex digits (newly allocated, g_free). */
char *tg_host_facts_policy_digest(const char *buf, gsize len);

/* Copy every fact `src` knows into `dst`, replacing dst's; the copy's
 * source becomes "LABEL: SOURCE" (or LABEL when src has none). Unknown facts
 * of src leave dst's as they are. */
void tg_host_facts_overlay(TgHostFacts *dst, const TgHostFacts *src, const char *label);

/* Parse capabilities-shaped XML from memory (`virsh capabilities` or
 * `tscgate probe` output). `filename` names the input in errors. Does not
 * require the document to validate against libvirt's schema. A missing
 * <counter name='tsc'> leaves tsc_hz unknown ("no <counter name='tsc'> in
 * capabilities: host CPU lacks invtsc or libvirt could not probe it");
 * a missing scaling attribute leaves tsc_scaling unknown. Broken input
 * (not XML, wrong root, DOCTYPE, bad number) returns NULL and sets `error`
 * naming filename:line. Returns a new object (tg_host_facts_free). */
TgHostFacts *tg_host_facts_parse_xml(const char *buf, gsize len,
                                     const char *filename, GError **error);

/* Format facts as capabilities-shaped XML, the form `tscgate probe` prints:
 * <capabilities><host><cpu><vendor/>?<counter name='tsc' frequency scaling?/></cpu>
 * <tscgate:facts xmlns:tscgate=TG_HOSTFACTS_NS>...</tscgate:facts></host></capabilities>
 * Every fact is present with known='yes|no', source or reason, so that
 * tg_host_facts_parse_xml(tg_host_facts_format_xml(f)) reproduces f.
 * Returns a newly allocated NUL-terminated string (g_free). */
char *tg_host_facts_format_xml(const TgHostFacts *facts);

G_END_DECLS

#endif /* TG_HOSTFACTS_H */
