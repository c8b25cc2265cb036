/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: a guest's clock profile, parsed from domain XML as `virsh dumpxml`
 * or libvirt's migratable XML gives it, plus tscgate's lineage record
 * (tg-lineage.h) and orchestration tags from <metadata>.
 */
#ifndef TG_GUEST_H
#define TG_GUEST_H

#include "tg-lineage.h"

G_BEGIN_DECLS

/* Orchestration labels: <tags xmlns="urn:tscgate:tags:1"><tag>db</tag></tags> */
#define TG_TAGS_NS "urn:tscgate:tags:1"

/* One <clock><timer>. */
typedef struct {
    char *name;         /* "tsc", "kvmclock", "hypervclock", "hpet", "rtc", "pit", ... */
    TgTri present;      /* present='yes|no'; UNKNOWN when the attribute is absent */
    bool has_frequency;
    guint64 frequency;  /* Hz, tsc only */
    char *mode;         /* tsc mode: auto|native|emulate|paravirt|smpsafe, or NULL */
    char *tickpolicy;   /* or NULL */
    int line;           /* source line of the element */
} TgTimer;

/* How the guest depends on the host TSC rate (derived). */
typedef enum {
    TG_DEP_EXPLICIT_FREQUENCY = 0, /* <timer name='tsc' frequency=F>: QEMU pins the rate */
    TG_DEP_REENLIGHTENMENT,        /* Hyper-V re-enlightenment on, no explicit frequency */
    TG_DEP_TSC_SENSITIVE,          /* invtsc exposed or kvmclock disabled: reads the TSC directly */
    TG_DEP_PARAVIRT,               /* kvm-clock, or Hyper-V reference TSC page without re-enlightenment */
} TgDependence;

/* Spellings of TgDependence: "explicit-frequency", "reenlightenment",
 * "tsc-sensitive", "paravirt-clock" (the policy's <match class> and
 * <treat-as> read them too). */
extern const TgEnumTable tg_dependence_table;

/* Returns a stable name: "explicit-frequency", "reenlightenment",
 * "tsc-sensitive", "paravirt-clock" (static string; "unknown" when out of
 * range). */
const char *tg_dependence_to_string(TgDependence d);
/* Parse those names; returns false for anything else. */
bool tg_dependence_from_string(const char *s, TgDependence *out);

/* What runs the guest, as QEMU will see it (derived from <domain type>
 * and <os><type arch machine>). */
typedef enum {
    TG_GUEST_KVM = 0,   /* KVM: kvm-clock, TSC scaling, tsc-frequency apply */
    TG_GUEST_TCG,       /* <domain type='qemu'>: QEMU's TCG, no KVM: the TSC is the host's raw
                           TSC plus an offset (QEMU cpu_get_ticks), no kvm-clock, no scaling */
    TG_GUEST_NO_TSC,    /* not x86 (<os><type arch> not x86_64/i686, or a non-x86 machine
                           type): no TSC at all, nothing of tscgate applies */
} TgGuestKind;

/* Spellings of TgGuestKind: "kvm", "tcg", "no-tsc". */
extern const TgEnumTable tg_guest_kind_table;
/* Returns the spelling of `k` (static; "kvm" when out of range). */
const char *tg_guest_kind_to_string(TgGuestKind k);

typedef struct _TgGuestProfile {
    char *name;            /* <name>, NULL if absent */
    char *uuid;            /* <uuid>, NULL if absent */
    char *clock_offset;    /* <clock offset=...>, NULL if absent */
    char *virt_type;       /* <domain type=...>, NULL if absent */
    char *arch;            /* <os><type arch=...>, NULL if absent */
    char *machine;         /* <os><type machine=...>, NULL if absent */
    TgGuestKind kind;      /* derived from the three above */
    bool kvm_hidden;       /* <features><kvm><hidden state='on'/>: -cpu ...,kvm=off, no KVM
                              CPUID leaves, so no kvm-clock (kvmclock_disabled is set too) */
    GPtrArray *timers;     /* TgTimer*, document order */
    bool kvmclock_disabled;   /* <timer name='kvmclock' present='no'/> */
    TgTri hypervclock;        /* <timer name='hypervclock' present=...>; UNKNOWN = no such timer */
    char *cpu_mode;           /* <cpu mode=...>; NULL = no mode attribute ("custom" semantics) */
    TgTri cpu_migratable;     /* <cpu migratable='on|off'> */
    bool invtsc_exposed;      /* invtsc given to the guest: <feature policy='require|force' name='invtsc'/>,
                                 or host-passthrough/maximum with migratable='off' and invtsc not disabled/forbidden */
    char *invtsc_policy;      /* policy attribute of <feature name='invtsc'>, NULL if none */
    bool hyperv_enabled;      /* <features><hyperv> present (and mode != "passthrough" counts as enabled too) */
    TgTri hv_frequencies;     /* <hyperv><frequencies state=...> */
    TgTri hv_reenlightenment; /* <hyperv><reenlightenment state=...> */
    bool has_explicit_hz;
    guint64 explicit_hz;      /* the pinned rate: the LAST <timer name='tsc'> that has a
                                 frequency (QEMU applies the last tsc-frequency= it is given) */
    guint64 first_explicit_hz; /* the FIRST one, which libvirt checks
                                  (qemuProcessStartValidateTSC); = explicit_hz for one timer */
    TgLineage *lineage;       /* parsed record or NULL */
    char *lineage_ignored;    /* why the record in <metadata> was not used ("FILE:LINE: what is
                                 wrong"), or NULL; `lineage` is then NULL: a record this tscgate
                                 cannot read counts as absent, never as unreadable input */
    GPtrArray *tags;          /* char*, from <metadata><tags xmlns=TG_TAGS_NS><tag>..</tag></tags> */
    TgDependence dependence;  /* derived */
} TgGuestProfile;

/* Parse a domain XML document from memory. `filename` names the input in
 * errors. Not XML, wrong root (not <domain>), DOCTYPE/entities, a tsc
 * frequency that is missing-but-attribute-present/non-numeric/overflowing
 * give NULL and set `error` (TG_ERROR_PARSE or TG_ERROR_INVALID) naming
 * filename:line. A lineage record that cannot be read (a newer version, a
 * bad value) is not an error: anyone who may set the domain's metadata
 * writes it, so it is ignored with the problem in g->lineage_ignored.
 * Returns a new profile (tg_guest_profile_free). */
TgGuestProfile *tg_guest_profile_parse_xml(const char *buf, gsize len,
                                           const char *filename, GError **error);
/* The same from a document tg_xml_parse made (read only; the profile keeps
 * no reference to it), so that a caller that also rewrites the domain
 * (tg_lineage_rewrite_doc) parses it once. */
TgGuestProfile *tg_guest_profile_from_doc(const xmlDoc *doc, GError **error);
void tg_guest_profile_free(TgGuestProfile *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgGuestProfile, tg_guest_profile_free)

/* What runs a guest of <domain type=`virt_type`> with <os><type
 * arch=`arch` machine=`machine`> (each nullable): not x86 (an arch other
 * than x86_64/i686, or without an arch a machine type of another
 * architecture: pseries, virt, s390-ccw, ...) is TG_GUEST_NO_TSC, else
 * type 'qemu' is TG_GUEST_TCG, else TG_GUEST_KVM. */
TgGuestKind tg_guest_derive_kind(const char *virt_type, const char *arch, const char *machine);

/* Returns the dependence class the parsed fields give (the parser stores it
 * in g->dependence; tg-pin asks it again for the guest as it would be
 * pinned). */
TgDependence tg_guest_derive_dependence(const TgGuestProfile *g);

/* The guest's nominal TSC rate as far as the domain XML tells it
 * (doc/tsc-model.md): the pinned rate (origin explicit); else the rate its
 * lineage or boot record carries (origin lineage); else unknown (returns
 * 0). No host's rate stands in for it. `origin` (nullable) receives where
 * it came from. */
guint64 tg_guest_nominal_hz(const TgGuestProfile *g, TgNominalOrigin *origin);

G_END_DECLS

#endif /* TG_GUEST_H */
