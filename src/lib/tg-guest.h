/* tscgate: a guest's clock profile, parsed from domain XML as `virsh dumpxml`
 * or libvirt's migratable XML gives it, plus tscgate's lineage record and
 * orchestration tags from <metadata>.
 */
#ifndef TG_GUEST_H
#define TG_GUEST_H

#include "tg-common.h"

G_BEGIN_DECLS

/* Namespace of tscgate's lineage record inside <metadata> (one element,
 * <tscgate:lineage>, schema xml/lineage.rng). libvirt keeps only the first
 * metadata element per namespace (virXMLNodeSanitizeNamespaces), so tags
 * live in a namespace of their own. */
#define TG_LINEAGE_NS "urn:tscgate:lineage:1"
#define TG_LINEAGE_NS_PREFIX "tscgate"
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

/* Returns a stable name: "explicit-frequency", "reenlightenment",
 * "tsc-sensitive", "paravirt-clock" (static string). */
const char *tg_dependence_to_string(TgDependence d);
/* Parse those names; returns false for anything else. */
bool tg_dependence_from_string(const char *s, TgDependence *out);

/* Where a nominal TSC frequency came from. */
typedef enum {
    TG_NOMINAL_UNKNOWN = 0,
    TG_NOMINAL_EXPLICIT,     /* first <timer name='tsc' frequency=...> */
    TG_NOMINAL_LINEAGE,      /* tscgate's lineage record */
    TG_NOMINAL_SOURCE_HOST,  /* the source host's TSC frequency (caller knows the source) */
    TG_NOMINAL_ASSUMED,      /* (lineage records only) assumed = the first host tscgate saw it on */
} TgNominalOrigin;

/* Returns "unknown", "explicit", "lineage", "source-host", "assumed" (static). */
const char *tg_nominal_origin_to_string(TgNominalOrigin o);
bool tg_nominal_origin_from_string(const char *s, TgNominalOrigin *out);

/* One hop of the lineage record. Strings owned. */
typedef struct {
    char *op;            /* "migrate" | "restore" */
    char *host;          /* destination host name, or NULL */
    guint64 host_hz;     /* destination TSC Hz, 0 = unknown */
    TgTri scaling;       /* destination scaling */
    gint64 time;         /* UTC seconds since the epoch */
    char *verdict;       /* "allow" | "allow-with-warning" | "deny" (audit) */
    char *reason_code;   /* engine reason code */
} TgHop;

/* tscgate's lineage record (<tscgate:lineage> in <metadata>). */
typedef struct {
    guint version;             /* record format version (1) */
    guint64 nominal_hz;        /* 0 = unknown */
    TgNominalOrigin nominal_origin; /* as stored: explicit | source-host | assumed | unknown */
    guint64 effective_hz;      /* rate the guest's TSC runs at on its current host, 0 = unknown */
    bool effective_changed;    /* a hop changed the guest's effective rate (allowed w/o scaling outside tolerance) */
    GPtrArray *hops;           /* TgHop*, oldest first, newest last */
} TgLineage;

/* Returns a new, empty lineage (version 1, no hops). Free with tg_lineage_free. */
TgLineage *tg_lineage_new(void);
void tg_lineage_free(TgLineage *l);
TgLineage *tg_lineage_copy(const TgLineage *l);
/* The newest hop or NULL (borrowed). */
const TgHop *tg_lineage_last_hop(const TgLineage *l);
void tg_hop_free(TgHop *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgLineage, tg_lineage_free)

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
    GPtrArray *tags;          /* char*, from <metadata><tags xmlns=TG_TAGS_NS><tag>..</tag></tags> */
    TgDependence dependence;  /* derived */
} TgGuestProfile;

/* Parse a domain XML document from memory. `filename` names the input in
 * errors. Not XML, wrong root (not <domain>), DOCTYPE/entities, a tsc
 * frequency that is missing-but-attribute-present/non-numeric/overflowing,
 * or a malformed lineage record give NULL and set `error` (TG_ERROR_PARSE or
 * TG_ERROR_INVALID) naming filename:line. Returns a new profile
 * (tg_guest_profile_free). */
TgGuestProfile *tg_guest_profile_parse_xml(const char *buf, gsize len,
                                           const char *filename, GError **error);
void tg_guest_profile_free(TgGuestProfile *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgGuestProfile, tg_guest_profile_free)

/* Derive the dependence class from the parsed fields (exported for tests;
 * the parser already stores it in g->dependence). */
TgDependence tg_guest_derive_dependence(const TgGuestProfile *g);

/* The guest's nominal TSC frequency: explicit timer; else lineage nominal;
 * else `source_hz` when non-zero (source host facts known to the caller);
 * else unknown (returns 0). `origin` receives where it came from. */
guint64 tg_guest_nominal_hz(const TgGuestProfile *g, guint64 source_hz,
                            TgNominalOrigin *origin);

G_END_DECLS

#endif /* TG_GUEST_H */
