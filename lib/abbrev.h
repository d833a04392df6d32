/* abbrev.h - abbreviation definitions found in running text.
 *
 * Registry records define their abbreviations as they go: "amyotrophic
 * lateral sclerosis (ALS)", less often "ALS (amyotrophic lateral
 * sclerosis)".  _ts_abbrev_scan finds such pairs with the method of
 * Schwartz and Hearst (2003), written afresh from its description, plus a
 * few checks of our own that keep numbers, statistics and asides out.
 * The indexer collects the pairs with their counts in the index's synonym
 * table, so a query for one form also finds records that only use the
 * other.
 *
 * Rules (each one is tested in tests/unit/test_abbrev.c):
 * - A parenthesis is read up to its matching ')' (nested ones included),
 *   within 400 bytes and one paragraph.  Its text is cut at a nested '(',
 *   at ';' and at ", ": "(ALS; n = 20)" offers "ALS".
 * - A short form has 2 to 10 bytes and at most two words, starts with an
 *   ASCII letter or digit, has an upper-case ASCII letter, and holds only
 *   letters, digits, non-ASCII characters and - / . & + ' (one space at
 *   most).  So "(n = 20)", "(p < 0.05)", "(see above)", "(mg/kg)" and
 *   "(e.g., ...)" are never short forms.  Each of two words must look
 *   abbreviated itself (at most 2 bytes, a digit or two capitals): "IL 2"
 *   but not "T cells" or "Arm A".  These two rules are ours.
 * - "LONG FORM (SF)": the long form is looked for in at most
 *   min(|SF| + 5, 2 |SF|) words before the parenthesis, not crossing a
 *   sentence end (". " "? " "! " "; " ": "), another parenthesis or
 *   bracket, a blank line or the start of a list item.
 * - "SF (LONG FORM)" is tried when the parenthesis is no short form (or
 *   its long form was not found): SF is the word just before it.
 * - Matching: every letter and digit of the short form, right to left,
 *   must be found in the long form, in order, right to left (case
 *   ignored); the first one at the start of a word.  The long form begins
 *   with the white-space word holding that match, so it is the shortest
 *   one that explains the short form, except that it never starts with a
 *   function word ("and", "of", "the", "are" ...): the match is then
 *   looked for further back ("acceptance and commitment therapy (ACT)",
 *   not "and commitment therapy"); this rule is ours too.
 * - Rejected: a long form no longer than its short form, one that holds
 *   the short form as a word ("ALS patients (ALS)"), one of more words
 *   than the limit above.
 */
#ifndef TS_ABBREV_H
#define TS_ABBREV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest short form and long form handed to the callback, in bytes
 * (without the NUL). */
#define _TS_ABBREV_SF_MAX 10
#define _TS_ABBREV_LF_MAX 255

/* Told about one definition: short_form as written in the text ("MSCs",
 * "T2DM"), long_form with ASCII letters lower-cased, white space folded
 * to single spaces and surrounding punctuation trimmed ("mesenchymal
 * stromal cells").  Both strings live only during the call. */
typedef void (*_ts_abbrev_cb)(const char *short_form, const char *long_form,
                              void *ctx);

/* Call cb for every abbreviation definition in the NUL-terminated text, in
 * the order they appear (a definition given twice is reported twice).
 * Never allocates; NULL text is allowed and finds nothing. */
void _ts_abbrev_scan(const char *text, _ts_abbrev_cb cb, void *ctx);

/* The key a short form is stored under: ASCII letters lower-cased, and a
 * plural "s" written after capitals dropped ("MSCs" and "MSC" -> "msc",
 * "AEs" -> "ae"; "MS", "Ms", "COPS" and "pts" keep theirs).  out holds at
 * least _TS_ABBREV_SF_MAX + 1 bytes.  Returns the key's length. */
size_t _ts_abbrev_key(const char *short_form, char *out);

#ifdef __cplusplus
}
#endif

#endif /* TS_ABBREV_H */
