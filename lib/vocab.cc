// vocab.cc - what a query word or phrase may also be written as.
//
// Three sources, in order of trust:
// - the curated lists: share/synonyms.txt, compiled into the library, then
//   the user's own list ($TRIALSEARCH_SYNONYMS, else
//   $XDG_CONFIG_HOME/trialsearch/synonyms.txt or
//   ~/.config/trialsearch/synonyms.txt), read once per process;
// - abbreviations defined in the indexed records (mine.cc): a short form's
//   long forms, weighted by the share of definitions each has, and a long
//   form's short forms;
// - MeSH concepts of the records that name a condition (mine.cc).
// Mined pairs seen fewer than MIN_COUNT times, or with a share under
// MIN_SHARE of their key's definitions, are ignored: an ambiguous short
// form expands to its frequent meanings only, each by its share.
#include "xapian.hh"
#include "synonyms.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace {

const unsigned MIN_COUNT = 2;
const double MIN_SHARE = 0.15;
const size_t MAX_PER_SOURCE = 3;
// A short form of one word typed in lower case is searched as an
// abbreviation only when the records define it at least once per
// MIN_DEFINED_PER records that hold the word.  In the shared records
// "hiv" is defined once in 10 records that hold it and "nci" once in 92;
// "life" (the LIFE study) once in 1,619 and "ml" (twice machine learning,
// once something else) once in 280, where the word is everyday English or
// a unit.  Typed in capitals, a short form is always an abbreviation.  A
// short form of several words ("b all") is not checked: the index has no
// count of the records that hold a phrase.
const double MIN_DEFINED_PER = 100;

// Short forms that are also everyday English words: expanded from the
// mined definitions only when typed in capitals.
const char *const COMMON_WORDS[] = {
    "all", "am", "an", "and", "are", "art", "as", "at", "be", "but", "by",
    "can", "cat", "cut", "did", "do", "for", "had", "has", "he", "her",
    "him", "his", "how", "if", "in", "is", "it", "its", "man", "may", "me",
    "men", "mid", "my", "no", "not", "of", "on", "or", "our", "pad", "pain",
    "per", "she", "so", "the", "to", "up", "us", "was", "we", "who", "yes",
};

bool common_word(const std::string &w)
{
    for (const char *c : COMMON_WORDS)
        if (w == c)
            return true;
    return false;
}

_ts_syn_table_t *curated_table;
std::once_flag curated_once;

// Path of the user's own list, or "".
std::string user_list_path()
{
    const char *env = getenv("TRIALSEARCH_SYNONYMS");
    if (env)
        return env;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg)
        return std::string(xdg) + "/trialsearch/synonyms.txt";
    const char *home = getenv("HOME");
    if (home && *home)
        return std::string(home) + "/.config/trialsearch/synonyms.txt";
    return "";
}

// Load the user's list (the built-in one is compiled in); a bad user list
// is reported on stderr once and the rest of it still used.
void load_curated()
{
    std::string path = user_list_path();
    if (path.empty())
        return;
    curated_table = _ts_syn_new();
    if (!curated_table)
        return;
    _ts_syn_load_file(curated_table, path.c_str());
    const char *errors = _ts_syn_errors(curated_table);
    if (errors)
        std::fprintf(stderr, "trialsearch: skipped lines of a synonym list:\n%s", errors);
}

// The mined expansions under key.  With word (a short form typed in lower
// case), none when it is one word and the records that hold it number
// more than MIN_DEFINED_PER times the definitions (MIN_DEFINED_PER says
// why several words are not checked).  The definitions are those of the
// first shard (Xapian reads metadata from the first), so over several
// shards the word's records are counted as a shard's share of them.
void add_mined(std::vector<_ts_expansion> &out, const Xapian::Database &db,
               const std::string &key, const char *kind, int field,
               const std::string &word = "")
{
    std::vector<std::pair<std::string, unsigned>> v = _ts_vocab_parse(db.get_metadata(key));
    unsigned total = 0;
    for (const auto &e : v)
        total += e.second;
    if (total && !word.empty() && word.find(' ') == std::string::npos) {
        double uses = (double)db.get_termfreq(word) / std::max<size_t>(db.size(), 1);
        if (total * MIN_DEFINED_PER < uses)
            return;
    }
    size_t n = 0;
    for (const auto &e : v) {
        double share = total ? (double)e.second / total : 0;
        if (e.second < MIN_COUNT || share < MIN_SHARE || n >= MAX_PER_SOURCE)
            continue;
        out.push_back({e.first, share, kind, field});
        n++;
    }
}

} // namespace

std::vector<_ts_expansion> _ts_expansions(const Xapian::Database &db, const std::string &key,
                                          bool typed_upper)
{
    std::vector<_ts_expansion> out;
    if (key.empty())
        return out;
    // The built-in list, then the user's: lines for the same term add up,
    // in the order of the lists (duplicates go below).
    const uint32_t *bx = NULL;
    size_t n = _ts_syn_lookup_builtin(key.c_str(), typed_upper, &bx);
    for (size_t i = 0; i < n; i++)
        out.push_back({_ts_builtin_str + bx[i], 1.0, "synonym", _TS_EXP_TEXT});
    const char *const *exp = NULL;
    std::call_once(curated_once, load_curated);
    n = _ts_syn_lookup(curated_table, key.c_str(), typed_upper, &exp);
    for (size_t i = 0; i < n; i++)
        out.push_back({exp[i], 1.0, "synonym", _TS_EXP_TEXT});
    if (typed_upper)
        add_mined(out, db, "ab:" + key, "abbreviation", _TS_EXP_TEXT);
    else if (!common_word(key))
        add_mined(out, db, "ab:" + key, "abbreviation", _TS_EXP_TEXT, key);
    add_mined(out, db, "al:" + key, "abbreviation", _TS_EXP_TEXT);
    add_mined(out, db, "mc:" + key, "MeSH", _TS_EXP_MESH);

    // One entry per text: the first (most trusted) source wins.  A short
    // form that is also an everyday word ("it" for intrathecal) would
    // match that word everywhere: never an expansion.
    std::vector<_ts_expansion> uniq;
    for (const auto &e : out) {
        bool dup = e.text == key || common_word(e.text);
        for (const auto &u : uniq)
            dup = dup || (u.text == e.text && u.field == e.field);
        if (!dup)
            uniq.push_back(e);
    }
    return uniq;
}
