/* patient.h - reading a free-text patient description.
 *
 * `trialsearch --patient FILE` takes a case description written like an
 * admission note or a TREC Clinical Trials topic ("A 58-year-old man with
 * a history of ...") and looks for trials the patient may be eligible
 * for.  _ts_patient_parse does the text side: it reads the patient's age
 * and sex, and picks out the clinical words and short phrases of the note
 * with a salience from the text alone.  The search side (search.cc) turns
 * them into a query and weighs them further with index statistics.
 *
 * Internal to the library (names _ts_patient_*).
 */
#ifndef TS_PATIENT_H
#define TS_PATIENT_H

#include "trialsearch.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One term of the description: a word or a phrase of 2 to 6 words.
 * - text: lower-case, Unicode-normalized like the index (_ts_normalize),
 *   words as written (not stemmed) and separated by single spaces; a
 *   possessive 's is removed ("parkinson disease").
 * - weight: salience in 0..1 from the text alone.  Base 0.35; +0.25 in
 *   the first sentence (or the one that names the patient's age); +0.25
 *   after a diagnosis cue ("diagnosed with", "history of", "h/o", "known
 *   case of", "consistent with", "significant for", "X was confirmed");
 *   +0.1 for a clinical-looking word (disease nouns, -itis -oma -ectomy
 *   ... suffixes, drug stems, note acronyms); +0.05 for a phrase.
 *   Halved when negated, times 0.3 when said of someone else.  The best
 *   mention counts, plus 0.1 for each further sentence that repeats it
 *   (at most +0.3); capped at 1.
 * - negated: every mention follows a negation cue in its clause ("no",
 *   "denies", "without", "negative for", "free of", ...).
 * - other: every mention is about someone else (family history, "Her
 *   husband was diagnosed with ...").
 * - acronym: typed in capitals in the note ("HTN", "CLL").
 * - expansion: not in the text: the spelled-out form of a note
 *   abbreviation that is ("htn" gives "hypertension"), with the
 *   abbreviation's weight and flags. */
typedef struct _ts_pterm {
    char *text;
    double weight;
    int negated;
    int other;
    int acronym;
    int expansion;
} _ts_pterm_t;

/* What the description says about the patient.
 * - age: years (a fraction below one year: "2-month-old" is 0.1667), or
 *   TS_AGE_NONE (< 0) when the text gives none.  age_min..age_max is the
 *   range the text allows: equal to age for "45-year-old"; 60..69 for "in
 *   her 60s" (age 65); 13..19 for "teenage girl" (age 16); 0..1 for a
 *   bare "infant".  Both TS_AGE_NONE when age is.
 * - sex: 'M', 'F' or 0 when unknown.
 * - terms: n_terms terms, highest weight first (ties: first mentioned
 *   first).  Owned by the struct. */
typedef struct _ts_patient {
    double age;
    double age_min, age_max;
    int sex;
    _ts_pterm_t *terms;
    size_t n_terms;
} _ts_patient_t;

/* Parse the NUL-terminated description text into *out (which needs no
 * initialisation; it is overwritten).  Returns TS_OK, TS_ERR_INVALID for
 * a NULL argument, TS_ERR_NOMEM when out of memory (with a message via
 * _ts_error).  On failure *out is left empty and need not be freed; on
 * success free it with _ts_patient_free.  Invalid UTF-8 is tolerated. */
ts_status_t _ts_patient_parse(const char *text, _ts_patient_t *out);

/* Free what _ts_patient_parse stored in *p and empty it.  NULL and an
 * emptied struct are fine. */
void _ts_patient_free(_ts_patient_t *p);

#ifdef __cplusplus
}
#endif

#endif /* TS_PATIENT_H */
