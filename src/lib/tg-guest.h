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

typedef struct _TgGuestProfile {
    char *name;            /* <name>, NULL if absent */
    char *uuid;            /* <uuid>, NULL if absent */
    char *clock_offset;    /* <clock offset=...>, NULL if absent */
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
    guint64 explicit_hz;      /* first <timer name='tsc'> that has a frequency (libvirt's rule) */
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

/* Derive the dependence class from the parsed fields (exported for tests;
 * the parser already stores it in g->dependence). */
TgDependence tg_guest_derive_dependence(const TgGuestProfile *g);

/* The guest's nominal TSC rate as far as the domain XML tells it
 * (doc/tsc-model.md): the pinned rate (origin explicit); else the rate its
 * lineage or boot record carries (origin lineage); else unknown (returns
 * 0). No host's rate stands in for it. `origin` (nullable) receives where
 * it came from. */
guint64 tg_guest_nominal_hz(const TgGuestProfile *g, TgNominalOrigin *origin);

G_END_DECLS

#endif /* TG_GUEST_H */
