/* export.c - write the free text of trial records as an omega dump file.
 *
 * Usage: bench-export PATH... > DUMP
 *
 * Reads records with the trialsearch library (every format it reads) and
 * writes, for each record, the text of the fields trialsearch indexes, in
 * the "name=value" dump format of omega's scriptindex: one field per line,
 * a line break inside a value continued by a line starting with '=', a
 * blank line after each record.  The same file feeds the two alternative
 * indexers of the benchmark (scriptindex and bench-fts5), so all three
 * systems index the same text of the same records.
 *
 * The fields and what goes into them follow the schema sources of
 * lib/db.cc (collect()): id, title, condition, intervention, primary,
 * secondary, keyword, mesh, summary, eligibility (the whole criteria
 * text), sponsor, location, official, other.  Items of a list field are
 * separated by a line break.
 *
 * At the end it prints on stderr one line of JSON: records written and
 * the bytes of field text (values only, the measure of "text" in the
 * benchmark).  Exit status 0, 1 when a record was rejected, 2 usage.
 */
#include "trialsearch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct exporter {
    FILE *out;
    unsigned long long records, text_bytes, rejected;
    int first;          /* no item written yet in the current field */
} exporter_t;

/* Write one item of the current field: the separating line break (and
 * its '=' continuation) before every item but the first, then the text
 * with each inner line break continued by '='.  NULL and "" are
 * skipped. */
static void item(exporter_t *ex, const char *s)
{
    if (!s || !*s)
        return;
    if (!ex->first) {
        fputs("\n=", ex->out);
        ex->text_bytes++;
    }
    ex->first = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            fputs("\n=", ex->out);
        else
            fputc(*p, ex->out);
        ex->text_bytes++;
    }
}

/* Every string of a list as items of the current field. */
static void list(exporter_t *ex, const ts_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        item(ex, l->v[i]);
}

/* Start field name; end_field() closes it with a line break (a field
 * with no item leaves a harmless "name=" line). */
static void begin_field(exporter_t *ex, const char *name)
{
    fprintf(ex->out, "%s=", name);
    ex->first = 1;
}

static void end_field(exporter_t *ex)
{
    fputc('\n', ex->out);
}

/* The record callback: write one record's fields and a blank line; the
 * record is freed here (the scan gives it to us). */
static ts_status_t on_record(void *ctx, ts_record_t *r)
{
    exporter_t *ex = ctx;
    if (!r->nct_id) {
        ts_record_free(r);
        return TS_OK;
    }
    begin_field(ex, "id"); item(ex, r->nct_id); end_field(ex);

    begin_field(ex, "title");
    item(ex, r->brief_title); item(ex, r->official_title); item(ex, r->acronym);
    end_field(ex);

    begin_field(ex, "condition"); list(ex, &r->conditions); end_field(ex);

    begin_field(ex, "intervention");
    for (size_t i = 0; i < r->n_interventions; i++) {
        item(ex, r->interventions[i].name);
        list(ex, &r->interventions[i].other_names);
        item(ex, r->interventions[i].description);
    }
    for (size_t i = 0; i < r->n_arms; i++) {
        item(ex, r->arms[i].label);
        item(ex, r->arms[i].description);
    }
    end_field(ex);

    begin_field(ex, "primary");
    for (size_t i = 0; i < r->n_primary_outcomes; i++) {
        item(ex, r->primary_outcomes[i].measure);
        item(ex, r->primary_outcomes[i].description);
    }
    end_field(ex);

    begin_field(ex, "secondary");
    for (size_t i = 0; i < r->n_secondary_outcomes; i++) {
        item(ex, r->secondary_outcomes[i].measure);
        item(ex, r->secondary_outcomes[i].description);
    }
    end_field(ex);

    begin_field(ex, "keyword"); list(ex, &r->keywords); end_field(ex);

    begin_field(ex, "mesh");
    list(ex, &r->condition_mesh); list(ex, &r->condition_mesh_ancestors);
    list(ex, &r->intervention_mesh); list(ex, &r->intervention_mesh_ancestors);
    end_field(ex);

    begin_field(ex, "summary");
    item(ex, r->brief_summary); item(ex, r->detailed_description);
    end_field(ex);

    begin_field(ex, "eligibility");
    if (r->eligibility) {
        item(ex, r->eligibility);
    } else {
        item(ex, r->inclusion); item(ex, r->exclusion);
    }
    end_field(ex);

    begin_field(ex, "sponsor");
    item(ex, r->lead_sponsor); list(ex, &r->collaborators);
    end_field(ex);

    begin_field(ex, "location");
    for (size_t i = 0; i < r->n_locations; i++) {
        item(ex, r->locations[i].facility); item(ex, r->locations[i].city);
        item(ex, r->locations[i].state); item(ex, r->locations[i].country);
    }
    end_field(ex);

    begin_field(ex, "official");
    for (size_t i = 0; i < r->n_officials; i++) {
        item(ex, r->officials[i].name); item(ex, r->officials[i].affiliation);
    }
    end_field(ex);

    begin_field(ex, "other"); list(ex, &r->other_text); end_field(ex);

    fputc('\n', ex->out);
    ex->records++;
    ts_record_free(r);
    return TS_OK;
}

/* A record that could not be read: counted and reported, the scan goes on. */
static ts_status_t on_reject(void *ctx, const char *source, const char *where,
                             ts_status_t code, const char *reason)
{
    exporter_t *ex = ctx;
    ex->rejected++;
    fprintf(stderr, "bench-export: %s%s%s: %s: %s\n", source, where ? " " : "",
            where ? where : "", ts_status_name(code), reason);
    return TS_OK;
}

/* A file that is no record (README, manifest): passed over. */
static void on_skip(void *ctx, const char *source, const char *reason)
{
    (void)ctx; (void)source; (void)reason;
}

int main(int argc, char **argv)
{
    exporter_t ex = { .out = stdout };
    ts_scan_cbs_t cbs = { .record = on_record, .reject = on_reject,
                          .skip = on_skip, .ctx = &ex };
    static char buf[1 << 20];

    if (argc < 2) {
        fprintf(stderr, "usage: bench-export PATH... > DUMP\n");
        return 2;
    }
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (int i = 1; i < argc; i++) {
        ts_status_t st = ts_scan_path(argv[i], TS_FORMAT_AUTO, &cbs);
        if (st != TS_OK) {
            fprintf(stderr, "bench-export: %s: %s\n", argv[i], ts_last_error());
            return 3;
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("bench-export: write");
        return 3;
    }
    fprintf(stderr, "{\"records\": %llu, \"text_bytes\": %llu, \"rejected\": %llu}\n",
            ex.records, ex.text_bytes, ex.rejected);
    return ex.rejected ? 1 : 0;
}
