// mine.cc - vocabulary mined from the records as they are indexed.
//
// Two kinds of pairs are counted, and kept in the index's user metadata
// so that every reader of the index (local, sharded or remote) sees them:
// - abbreviations defined in the text ("amyotrophic lateral sclerosis
//   (ALS)", found by _ts_abbrev_scan): key "ab:" + short form -> long
//   forms, and "al:" + long form -> short forms;
// - MeSH concepts of the conditions: key "mc:" + condition -> the MeSH
//   terms of records that name that condition.
// Keys and values are in _ts_vocab_key form (normalized, punctuation to
// single spaces).  A value is lines of "text<TAB>count", most frequent
// first, at most MAX_PER_KEY of them.
//
// Counts are gathered in memory per transaction and added to the stored
// ones at commit (_ts_mine_flush).  A record that changes is counted again:
// the counts measure how often a definition is used, not an exact census.
#include "xapian.hh"
#include "abbrev.h"
#include "synonyms.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static const size_t MAX_PER_KEY = 24;
// Longest key kept; longer "long forms" are sentences, not names.
static const size_t MAX_KEY = 120;

std::string _ts_vocab_key(const char *s, size_t len)
{
    char *k = _ts_syn_fold(s, len);
    if (!k)
        throw std::bad_alloc();
    std::string out(k);
    free(k);
    return out;
}

std::vector<std::pair<std::string, unsigned>> _ts_vocab_parse(const std::string &v)
{
    std::vector<std::pair<std::string, unsigned>> out;
    size_t i = 0;
    while (i < v.size()) {
        size_t nl = v.find('\n', i);
        if (nl == std::string::npos)
            nl = v.size();
        size_t tab = v.find('\t', i);
        if (tab != std::string::npos && tab < nl)
            out.emplace_back(v.substr(i, tab - i),
                             (unsigned)strtoul(v.c_str() + tab + 1, NULL, 10));
        i = nl + 1;
    }
    return out;
}

// Merge counts and write the value: most frequent first, ties by text.
static std::string encode(std::vector<std::pair<std::string, unsigned>> &v)
{
    std::sort(v.begin(), v.end(), [](const std::pair<std::string, unsigned> &a,
                                     const std::pair<std::string, unsigned> &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::string out;
    for (size_t i = 0; i < v.size() && i < MAX_PER_KEY; i++)
        out += v[i].first + '\t' + std::to_string(v[i].second) + '\n';
    return out;
}

// Add n to the count of t in v.
static void add(std::vector<std::pair<std::string, unsigned>> &v, const std::string &t,
                unsigned n)
{
    for (auto &x : v)
        if (x.first == t) {
            x.second += n;
            return;
        }
    v.emplace_back(t, n);
}

std::string _ts_vocab_merge(const std::string &a, const std::string &b)
{
    std::vector<std::pair<std::string, unsigned>> all = _ts_vocab_parse(a);
    for (const auto &e : _ts_vocab_parse(b))
        add(all, e.first, e.second);
    return encode(all);
}

namespace {

// A short form as a key: _ts_abbrev_key's ("MSCs" -> "msc"), folded like
// every vocabulary key.
std::string short_key(const char *sf)
{
    char k[_TS_ABBREV_SF_MAX + 1];
    size_t n = _ts_abbrev_key(sf, k);
    return _ts_vocab_key(k, n);
}

void count(ts_db_t *db, const std::string &key, const std::string &val)
{
    if (key.size() < 4 || val.empty() || key.size() > MAX_KEY || val.size() > MAX_KEY)
        return;
    db->mined[key][val]++;
}

void on_pair(const char *sf, const char *lf, void *vctx)
{
    ts_db_t *db = static_cast<ts_db_t *>(vctx);
    std::string s = short_key(sf), l = _ts_vocab_key(lf, strlen(lf));
    if (s.empty() || l.empty() || s == l)
        return;
    count(db, "ab:" + s, l);
    count(db, "al:" + l, s);
}

void scan(ts_db_t *db, const char *text)
{
    if (!text || !*text)
        return;
    _ts_abbrev_scan(text, on_pair, db);
}

void scan_list(ts_db_t *db, const ts_strlist_t &l)
{
    for (size_t i = 0; i < l.n; i++)
        scan(db, l.v[i]);
}

} // namespace

void _ts_mine_record(ts_db_t *db, const ts_record_t *r)
{
    scan(db, r->brief_title);
    scan(db, r->official_title);
    scan(db, r->brief_summary);
    scan(db, r->detailed_description);
    scan(db, r->eligibility);
    scan_list(db, r->conditions);
    scan_list(db, r->keywords);
    for (size_t i = 0; i < r->n_interventions; i++)
        scan(db, r->interventions[i].name);

    // Condition -> MeSH: only from records with few conditions, where the
    // pairing is likely to be meant.
    if (r->conditions.n == 0 || r->conditions.n > 4 || r->condition_mesh.n == 0 ||
        r->condition_mesh.n > 6)
        return;
    for (size_t i = 0; i < r->conditions.n; i++) {
        const char *c = r->conditions.v[i];
        std::string ck = _ts_vocab_key(c, strlen(c));
        for (size_t j = 0; j < r->condition_mesh.n; j++) {
            const char *m = r->condition_mesh.v[j];
            std::string mk = _ts_vocab_key(m, strlen(m));
            if (ck != mk)
                count(db, "mc:" + ck, mk);
        }
    }
}

void _ts_mine_flush(ts_db_t *db)
{
    for (auto &kv : db->mined) {
        std::vector<std::pair<std::string, unsigned>> v =
            _ts_vocab_parse(db->wdb.get_metadata(kv.first));
        for (const auto &e : kv.second)
            add(v, e.first, e.second);
        db->wdb.set_metadata(kv.first, encode(v));
    }
    db->mined.clear();
}
