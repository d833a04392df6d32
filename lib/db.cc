// db.cc - the index: opening, writing records, deleting, statistics.
//
// Layout of a document (one per trial), driven by the schema table
// (schema.c):
// - unique term "Q" + NCT id; data: the record as JSON (ts_record_to_json
//   with provenance);
// - free-text fields: normalized text (analyze.c) through a TermGenerator
//   (English stemmer, STEM_SOME, positions) under the field's first prefix
//   with wdf 1 (for a long field, one without positions in the schema,
//   only its stems: STEM_ALL_Z, "ZXBtrial"), and, for a field with a
//   non-zero schema weight, also
//   unprefixed with wdf 1 (the words of the default search); the words
//   of titles and conditions (weight TS_WEIGHT_TWICE) once more under
//   "XW" (TS_PREFIX_WEIGHTED) with wdf 1 and no positions, the one term a
//   default-search word adds for the field weights (search.cc); term
//   positions jump by 100 between fields and 10 between items of a
//   field, so a phrase never spans two of them; once the record's terms
//   are all there, each counted term's wdf is replaced by its count over
//   BM25's length factor for the record (to_impacts); then each MeSH
//   heading whole under "XMH" (TS_PREFIX_HEADING), weighted as a word
//   named once and left out of the length to_impacts uses (Xapian's
//   stored length, read only by feedback and --similar, counts it);
// - filters: boolean terms from _ts_filter_term;
// - value slots: see TS_SLOT_* in ts_internal.h.
// Metadata keys: "ts:schema" (TS_SCHEMA_VERSION), "ts:analyzer"
// (_TS_ANALYZER), "ts:updated" (ISO time of the last commit), and the
// mined vocabulary, "ab:", "al:" and "mc:" (mine.cc).
//
// A writer keeps one open transaction: ts_db_commit commits it and opens
// the next, ts_db_cancel throws it away, so what is on disk is always the
// state of the last commit.
#include "xapian.hh"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static const char *const META_SCHEMA = "ts:schema";
static const char *const META_ANALYZER = "ts:analyzer";
static const char *const META_UPDATED = "ts:updated";

// Xapian's limit on a term, in bytes.
static const size_t MAX_TERM = 245;

// ---- exceptions ----------------------------------------------------------

ts_status_t _ts_status_from_exception(const char *doing)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return _ts_error(TS_ERR_LOCKED, "%s: index is locked by another indexer", doing);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return _ts_error(TS_ERR_MODIFIED, "%s: the index changed while it was read; try again", doing);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return _ts_error(TS_ERR_CORRUPT, "%s: index is corrupt: %s", doing, e.get_msg().c_str());
    } catch (const Xapian::DatabaseVersionError &e) {
        return _ts_error(TS_ERR_VERSION, "%s: unsupported index format: %s; re-index", doing,
                         e.get_msg().c_str());
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return _ts_error(TS_ERR_NOT_FOUND, "%s: no index found: %s", doing, e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return _ts_error(TS_ERR_IO, "%s: cannot open the index: %s", doing, e.get_msg().c_str());
    } catch (const Xapian::QueryParserError &e) {
        return _ts_error(TS_ERR_BAD_QUERY, "%s", e.get_msg().c_str());
    } catch (const Xapian::WildcardError &e) {
        return _ts_error(TS_ERR_BAD_QUERY, "%s", e.get_msg().c_str());
    } catch (const Xapian::DatabaseError &e) {
        const char *why = e.get_error_string();
        return _ts_error(TS_ERR_IO, "%s: %s%s%s", doing, e.get_msg().c_str(),
                         why ? ": " : "", why ? why : "");
    } catch (const Xapian::NetworkError &e) {
        return _ts_error(TS_ERR_IO, "%s: network: %s", doing, e.get_msg().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return _ts_error(TS_ERR_INVALID, "%s: %s", doing, e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        return _ts_error(TS_ERR_INTERNAL, "%s: %s", doing, e.get_description().c_str());
    } catch (const std::bad_alloc &) {
        return _ts_error(TS_ERR_NOMEM, "%s: out of memory", doing);
    } catch (const std::exception &e) {
        return _ts_error(TS_ERR_INTERNAL, "%s: %s", doing, e.what());
    } catch (...) {
        return _ts_error(TS_ERR_INTERNAL, "%s: unexpected failure", doing);
    }
}

// ---- helpers ---------------------------------------------------------------

// English stemming with a memory of the words already stemmed: the term
// generator stems every word it meets (twice per field: with and without
// the field's prefix), and most are met again and again.
class MemoStem : public Xapian::StemImplementation {
    Xapian::Stem english{"english"};
    std::unordered_map<std::string, std::string> memo;
    static const size_t MAX_WORDS = 1 << 18; // forget all beyond (~30 MB)

  public:
    std::string operator()(const std::string &word) override
    {
        auto it = memo.find(word);
        if (it != memo.end())
            return it->second;
        if (memo.size() >= MAX_WORDS)
            memo.clear();
        return memo.emplace(word, english(word)).first->second;
    }
    std::string get_description() const override { return english.get_description(); }
};

// Cut a term that would exceed Xapian's limit: keep 200 bytes (not
// splitting a UTF-8 sequence) and add a hash of the whole term.
static std::string fit_term(std::string t)
{
    if (t.size() <= MAX_TERM)
        return t;
    uint64_t h = _ts_hash64(t.data(), t.size(), _TS_HASH_INIT);
    size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80)
        cut--;
    char hex[20];
    snprintf(hex, sizeof hex, "#%016llx", (unsigned long long)h);
    return t.substr(0, cut) + hex;
}

std::string _ts_filter_term(const char *prefix, const std::string &value)
{
    char *norm = _ts_normalize(value.data(), value.size());
    if (!norm)
        throw std::bad_alloc();
    std::string t = std::string(prefix) + norm;
    free(norm);
    return fit_term(t);
}

std::string _ts_date_value(const char *iso)
{
    if (!iso || strlen(iso) < 4)
        return std::string();
    std::string v(iso, 4);
    v += (strlen(iso) >= 7) ? std::string(iso + 5, 2) : "01";
    v += (strlen(iso) >= 10) ? std::string(iso + 8, 2) : "01";
    return v;
}

static std::string unique_term(const char *id)
{
    return fit_term(std::string("Q") + id);
}

// Preference between formats for two versions with the same last update
// date: the richer format wins.
static int format_rank(ts_format_t f)
{
    switch (f) {
    case TS_FORMAT_V2JSON: return 4;
    case TS_FORMAT_XML: return 3;
    case TS_FORMAT_CLASSIC_JSON: return 2;
    case TS_FORMAT_TEXT: return 1;
    default: return 0;
    }
}

// Check an index's metadata against this library's.  A missing schema key
// is accepted only for an empty index (a new one).
static ts_status_t check_meta(const Xapian::Database &db, const char *path)
{
    std::string schema = db.get_metadata(META_SCHEMA);
    if (schema.empty()) {
        if (db.get_doccount() == 0)
            return TS_OK;
        return _ts_error(TS_ERR_VERSION,
                         "%s: not a trialsearch index (no schema version); re-index into a new directory",
                         path);
    }
    if (schema != std::to_string(TS_SCHEMA_VERSION))
        return _ts_error(TS_ERR_VERSION,
                         "%s: index has schema version %s, this trialsearch uses %d; re-index "
                         "(trialsearch-index --db NEWDIR ...)",
                         path, schema.c_str(), TS_SCHEMA_VERSION);
    std::string an = db.get_metadata(META_ANALYZER);
    if (an != _TS_ANALYZER)
        return _ts_error(TS_ERR_VERSION,
                         "%s: index was built with analyzer \"%s\", this trialsearch uses \"%s\"; re-index",
                         path, an.c_str(), _TS_ANALYZER);
    return TS_OK;
}

// Open the index at path for reading, checked as check_meta does, and
// each local shard its stub lists too (and theirs, a stub listing
// stubs): Xapian reads metadata from a stub's first shard only, so a
// shard left at an older schema would be searched with this one's
// weighting.  Remote shards are not checked (that would cost a connection
// per shard per process); *remote is set when a stub lists one.  A writer
// committing meanwhile can outdate what was just opened: opened again, as
// a search would.
static ts_status_t open_checked(const char *path, Xapian::Database *out, bool *remote)
{
    for (int attempt = 0;; attempt++) {
        try {
            *out = Xapian::Database(path);
            ts_status_t s = check_meta(*out, path);
            if (s != TS_OK)
                return s;
            std::vector<std::string> todo = _ts_stub_local_shards(path, remote), seen;
            while (!todo.empty()) {
                std::string shard = todo.back();
                todo.pop_back();
                if (std::find(seen.begin(), seen.end(), shard) != seen.end() || seen.size() > 4096)
                    continue; // a stub that lists itself, or too many
                seen.push_back(shard);
                Xapian::Database one(shard);
                if ((s = check_meta(one, shard.c_str())) != TS_OK)
                    return s;
                for (const std::string &inner : _ts_stub_local_shards(shard.c_str(), remote))
                    todo.push_back(inner);
            }
            return TS_OK;
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= 5)
                throw;
        }
    }
}

static std::string now_iso()
{
    char buf[32];
    time_t t = time(nullptr);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// ---- opening and closing -----------------------------------------------

extern "C" char *ts_db_default_path(void)
{
    const char *env = getenv("TRIALSEARCH_DB");
    if (env && *env)
        return strdup(env);
    std::string base;
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        base = xdg;
    else if (home && *home)
        base = std::string(home) + "/.local/share";
    else {
        _ts_error(TS_ERR_NOT_FOUND, "no index location: set --db, TRIALSEARCH_DB or HOME");
        return nullptr;
    }
    return strdup((base + "/trialsearch/index").c_str());
}

// mkdir -p for the parents of path (the index directory itself is made by
// Xapian).
static void make_parents(const std::string &path)
{
    for (size_t i = 1; i < path.size(); i++) {
        if (path[i] == '/') {
            std::string dir = path.substr(0, i);
            mkdir(dir.c_str(), 0777);
        }
    }
}

// Open db->wdb on the index at path with action (Xapian::DB_*), check it
// and give a new one the schema's metadata.
static ts_status_t open_writable(ts_db_t *db, const std::string &path, int action)
{
    db->wdb = Xapian::WritableDatabase(path, action);
    db->writer = true;
    db->db = db->wdb;
    ts_status_t s = check_meta(db->wdb, path.c_str());
    if (s != TS_OK)
        return s;
    if (db->wdb.get_metadata(META_SCHEMA).empty()) {
        db->wdb.set_metadata(META_SCHEMA, std::to_string(TS_SCHEMA_VERSION));
        db->wdb.set_metadata(META_ANALYZER, _TS_ANALYZER);
        db->wdb.commit();
    }
    return TS_OK;
}

// ---- segments ---------------------------------------------------------------
//
// A segmented build keeps every index it writes small: Xapian updates a
// posting list by rewriting its last chunk, so a commit into a large index
// rewrites blocks all over its B-trees, and each commit costs more as the
// index grows.  Segments are merged at the end by compaction, which
// streams each posting list once.

// Path of segment i of the segmented index at path.
static std::string segment_path(const std::string &path, size_t i)
{
    char sfx[32];
    snprintf(sfx, sizeof sfx, ".seg-%04zu", i);
    return path + sfx;
}

// Write the stub listing the segments so far (names relative to it).
static ts_status_t write_segment_stub(ts_db_t *db)
{
    std::vector<std::string> names;
    for (const auto &g : db->segs)
        names.push_back(g.path.substr(g.path.rfind('/') + 1));
    std::vector<const char *> v;
    for (const auto &n : names)
        v.push_back(n.c_str());
    return ts_stub_write(db->path.c_str(), v.data(), v.size());
}

// After a commit: the versions it replaced are to be deleted.
static void settle_replaced(ts_db_t *db)
{
    for (const auto &r : db->seg_replacing)
        db->segs[r.second].dead.push_back(unique_term(r.first.c_str()));
    db->seg_replacing.clear();
}

// After a commit: start the next segment when the current one is full.
static ts_status_t next_segment_if_full(ts_db_t *db)
{
    settle_replaced(db);
    // A segment's documents are the ones added to it: replaced versions
    // in earlier segments are deleted only at close.
    if (!db->seg_limit || db->wdb.get_doccount() < db->seg_limit)
        return TS_OK;
    db->wdb.close();
    std::string p = segment_path(db->path, db->segs.size());
    ts_status_t s = open_writable(db, p, Xapian::DB_CREATE | Xapian::DB_NO_SYNC);
    if (s != TS_OK)
        return s;
    db->segs.push_back({p, nullptr, {}});
    return write_segment_stub(db);
}

// The earlier segment i, opened for reading.
static Xapian::Database &segment_reader(ts_db_t *db, unsigned i)
{
    ts_db::segment &g = db->segs[i];
    if (!g.reader)
        g.reader.reset(new Xapian::Database(g.path));
    return *g.reader;
}

// At close, after the last commit: delete from the earlier segments the
// versions that later ones replaced.
static void finish_segments(ts_db_t *db)
{
    for (auto &g : db->segs) {
        g.reader.reset();
        if (g.dead.empty())
            continue;
        Xapian::WritableDatabase w(g.path, Xapian::DB_OPEN | Xapian::DB_NO_SYNC);
        for (const auto &t : g.dead)
            w.delete_document(t);
        w.commit();
        w.close();
        g.dead.clear();
    }
}

extern "C" ts_status_t ts_db_open(const char *path, int flags, ts_db_t **out)
{
    if (!path || !out)
        return _ts_error(TS_ERR_INVALID, "ts_db_open: no path");
    _ts_error_clear();
    ts_db_t *db = nullptr;
    ts_status_t st = ts_guard("opening the index", [&]() -> ts_status_t {
        db = new ts_db();
        db->path = path;
        if (flags & TS_DB_WRITE) {
            make_parents(path);
            int action = Xapian::DB_CREATE_OR_OPEN;
            if (flags & TS_DB_SCRATCH) // no fdatasync at each commit
                action |= Xapian::DB_NO_SYNC;
            std::string first = path;
            if (flags & TS_DB_SEGMENTS) {
                struct stat sb;
                if (!(flags & TS_DB_SCRATCH))
                    return _ts_error(TS_ERR_INVALID, "%s: segments are for a scratch index", path);
                if (lstat(path, &sb) == 0)
                    return _ts_error(TS_ERR_INVALID, "%s: exists; segments make a new index", path);
                db->seg_limit = TS_DB_SEGMENT_DOCS;
                first = segment_path(path, 0);
                action = Xapian::DB_CREATE | Xapian::DB_NO_SYNC;
            }
            ts_status_t s = open_writable(db, first, action);
            if (s != TS_OK)
                return s;
            if (flags & TS_DB_SEGMENTS) {
                db->segs.push_back({first, nullptr, {}});
                if ((s = write_segment_stub(db)) != TS_OK)
                    return s;
            }
            db->fresh = db->wdb.get_doccount() == 0;
            Xapian::Stem memo(new MemoStem());
            db->tg.set_stemmer(memo);
            db->tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
            db->tg_stems.set_stemmer(memo);
            db->tg_stems.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
            db->wdb.begin_transaction(true);
            return TS_OK;
        }
        struct stat sb;
        if (stat(path, &sb) != 0)
            return _ts_error(TS_ERR_NOT_FOUND,
                             "no index at %s (build one with: trialsearch-index --db %s FILES...)",
                             path, path);
        return open_checked(path, &db->db, &db->remote);
    });
    if (st != TS_OK) {
        // Nothing was changed: the destructors release the lock.
        ts_guard("closing", [&]() -> ts_status_t { delete db; return TS_OK; });
        return st;
    }
    *out = db;
    return TS_OK;
}

extern "C" ts_status_t ts_db_open_many(const char *const *paths, size_t n, ts_db_t **out)
{
    if (!paths || n == 0 || !out)
        return _ts_error(TS_ERR_INVALID, "ts_db_open_many: no paths");
    if (n == 1)
        return ts_db_open(paths[0], TS_DB_READ, out);
    _ts_error_clear();
    ts_db_t *db = nullptr;
    ts_status_t st = ts_guard("opening the indexes", [&]() -> ts_status_t {
        db = new ts_db();
        db->path = paths[0];
        for (size_t i = 0; i < n; i++) {
            struct stat sb;
            if (stat(paths[i], &sb) != 0)
                return _ts_error(TS_ERR_NOT_FOUND, "no index at %s", paths[i]);
            Xapian::Database one;
            ts_status_t s = open_checked(paths[i], &one, &db->remote);
            if (s != TS_OK)
                return s;
            db->db.add_database(one);
        }
        return TS_OK;
    });
    if (st != TS_OK) {
        delete db;
        return st;
    }
    *out = db;
    return TS_OK;
}

// Commit the open transaction (writer); does not start another.
static void commit_now(ts_db_t *db)
{
    _ts_mine_flush(db);
    db->wdb.set_metadata(META_UPDATED, now_iso());
    db->wdb.commit_transaction();
}

extern "C" ts_status_t ts_db_close(ts_db_t *db)
{
    if (!db)
        return TS_OK;
    ts_status_t st = ts_guard("closing the index", [&]() -> ts_status_t {
        if (db->writer) {
            commit_now(db);
            db->wdb.close();
            if (!db->segs.empty()) {
                settle_replaced(db);
                finish_segments(db);
            }
        } else {
            db->db.close();
        }
        return TS_OK;
    });
    // After a failed commit the destructor cancels the open transaction:
    // the last commit stays on disk.
    ts_guard("closing", [&]() -> ts_status_t { delete db; return TS_OK; });
    return st;
}

extern "C" ts_status_t ts_db_commit(ts_db_t *db)
{
    if (!db || !db->writer)
        return _ts_error(TS_ERR_INVALID, "commit: index not open for writing");
    return ts_guard("committing", [&]() -> ts_status_t {
        commit_now(db);
        if (!db->segs.empty()) {
            ts_status_t s = next_segment_if_full(db);
            if (s != TS_OK)
                return s;
        }
        db->wdb.begin_transaction(true);
        return TS_OK;
    });
}

extern "C" ts_status_t ts_db_set_segment_size(ts_db_t *db, uint64_t docs)
{
    if (!db || !db->writer || db->segs.empty())
        return _ts_error(TS_ERR_INVALID, "segment size: not a segmented index open for writing");
    db->seg_limit = docs;
    return TS_OK;
}

extern "C" ts_status_t ts_db_cancel(ts_db_t *db)
{
    if (!db || !db->writer)
        return _ts_error(TS_ERR_INVALID, "cancel: index not open for writing");
    return ts_guard("discarding changes", [&]() -> ts_status_t {
        db->mined.clear();
        for (const auto &r : db->seg_replacing) // back to the versions replaced
            db->seen[r.first] = r.second;
        db->seg_replacing.clear();
        db->wdb.cancel_transaction();
        db->wdb.begin_transaction(true);
        return TS_OK;
    });
}

extern "C" ts_status_t ts_db_reopen(ts_db_t *db)
{
    if (!db)
        return _ts_error(TS_ERR_INVALID, "reopen: no index");
    return ts_guard("reopening the index", [&]() -> ts_status_t {
        db->db.reopen();
        return TS_OK;
    });
}

// ---- writing ---------------------------------------------------------------

namespace {

// Texts of the record that feed a schema source, in order.  Each inner
// vector is one item (list element); items are separated by a smaller
// position gap than fields.
void collect(const ts_record_t *r, _ts_src_t src, std::vector<const char *> &out)
{
    auto add = [&](const char *s) { if (s && *s) out.push_back(s); };
    auto list = [&](const ts_strlist_t &l) { for (size_t i = 0; i < l.n; i++) add(l.v[i]); };
    switch (src) {
    case _TS_SRC_TITLE:
        add(r->brief_title); add(r->official_title); add(r->acronym);
        break;
    case _TS_SRC_CONDITION:
        list(r->conditions);
        break;
    case _TS_SRC_MESH:
        list(r->condition_mesh); list(r->condition_mesh_ancestors);
        list(r->intervention_mesh); list(r->intervention_mesh_ancestors);
        break;
    case _TS_SRC_KEYWORD:
        list(r->keywords);
        break;
    case _TS_SRC_INTERVENTION:
        for (size_t i = 0; i < r->n_interventions; i++) {
            add(r->interventions[i].name);
            list(r->interventions[i].other_names);
            add(r->interventions[i].description);
        }
        for (size_t i = 0; i < r->n_arms; i++) {
            add(r->arms[i].label);
            add(r->arms[i].description);
        }
        break;
    case _TS_SRC_PRIMARY:
    case _TS_SRC_SECONDARY: {
        const ts_outcome_t *o = src == _TS_SRC_PRIMARY ? r->primary_outcomes : r->secondary_outcomes;
        size_t n = src == _TS_SRC_PRIMARY ? r->n_primary_outcomes : r->n_secondary_outcomes;
        for (size_t i = 0; i < n; i++) {
            add(o[i].measure);
            add(o[i].description);
        }
        break;
    }
    case _TS_SRC_SUMMARY:
        add(r->brief_summary); add(r->detailed_description);
        break;
    case _TS_SRC_ELIGIBILITY:
        if (!r->inclusion && !r->exclusion)
            add(r->eligibility);
        break;
    case _TS_SRC_INCLUSION:
        add(r->inclusion);
        break;
    case _TS_SRC_EXCLUSION:
        add(r->exclusion);
        break;
    case _TS_SRC_SPONSOR:
        add(r->lead_sponsor); list(r->collaborators);
        break;
    case _TS_SRC_LOCATION:
        for (size_t i = 0; i < r->n_locations; i++) {
            add(r->locations[i].facility); add(r->locations[i].city);
            add(r->locations[i].state); add(r->locations[i].country);
        }
        break;
    case _TS_SRC_OFFICIAL:
        for (size_t i = 0; i < r->n_officials; i++) {
            add(r->officials[i].name); add(r->officials[i].affiliation);
        }
        break;
    case _TS_SRC_OTHER:
        list(r->other_text);
        break;
    case _TS_SRC_ID:
        add(r->nct_id); list(r->secondary_ids);
        break;
    case _TS_SRC_STATUS: add(r->overall_status); break;
    case _TS_SRC_PHASE: list(r->phases); break;
    case _TS_SRC_TYPE: add(r->study_type); break;
    case _TS_SRC_SEX: add(r->sex); break;
    case _TS_SRC_HEALTHY:
        if (r->healthy_volunteers >= 0)
            add(r->healthy_volunteers ? "yes" : "no");
        break;
    case _TS_SRC_COUNTRY:
        for (size_t i = 0; i < r->n_locations; i++)
            add(r->locations[i].country);
        break;
    case _TS_SRC_NONE:
        break;
    }
}

// Join values with '\x1f' for a facet slot, without repeats.
std::string facet_value(const std::vector<const char *> &v)
{
    std::string out;
    std::vector<std::string> done;
    for (const char *s : v) {
        bool dup = false;
        for (const auto &d : done)
            dup = dup || d == s;
        if (dup)
            continue;
        done.push_back(s);
        if (!out.empty())
            out += '\x1f';
        out += s;
    }
    return out;
}

std::string normalized(const char *s)
{
    char *n = _ts_normalize(s, strlen(s));
    if (!n)
        throw std::bad_alloc();
    std::string out(n);
    free(n);
    return out;
}

// BM25 at indexing time.  BM25's weight of a term in a record is the
// term's idf times (k1 + 1) * tf / (tf + k1 * n), where tf is its count
// there and n = 1 - b + b * max(dl / AVG_LENGTH, MIN_NORMLEN) comes from
// the record's length dl (the sum of its counts); k1, b and MIN_NORMLEN
// are Xapian's defaults.  That part depends on the record alone, so the
// record stores as each term's wdf its count over the length factor,
// scaled: w = QUERY_K1 * tf / (k1 * n), and searches weigh terms with BM25
// whose k1 is QUERY_K1 and b 0 (_ts_enquire), which never reads a record's
// length: its (K + 1) * w / (K + w) is (K + 1) * tf / (tf + k1 * n), the
// same weight scaled by (K + 1) / (k1 + 1), 25.5.  A k1 of 50 rather than
// 1 keeps the rounding of w small (a term of a record of mean length found
// once gets 50), while Xapian's bound on a term's weight, (K + 1) times
// its idf, stays as tight as with BM25 over counts.  (With a k1 so large
// that w counted as it is, the bound grew with the term's collection
// frequency, the matcher could skip nothing, and p99 doubled.)
// Reading lengths was half the CPU of a short query at 407,900 records:
// the lengths are one list in record order, decoded from its start up to
// each candidate.  AVG_LENGTH is fixed, so that a record's terms do not
// depend on the rest of the index (shards, incremental runs): 2,432 is the
// mean over the 4,079 records of the shared sample of the registry, with
// the terms of schema version 7; measure it again when the schema changes
// what a record's length counts.  w is at most MAX_IMPACT.
static const double BM25_K1 = 1, BM25_B = 0.5, MIN_NORMLEN = 0.5;
static const double AVG_LENGTH = 2432, MAX_IMPACT = 16383, QUERY_K1 = 50;

// The impact of a count tf in a record whose length factor is n.
static Xapian::termcount impact_of(double tf, double n)
{
    double w = std::min(QUERY_K1 * tf / (BM25_K1 * n), MAX_IMPACT);
    return std::max<Xapian::termcount>(1, (Xapian::termcount)(w + 0.5));
}

// Replace each counted term's wdf in doc by its impact (above).  Positions
// are kept: a wdf is lowered (a term a record names more than its impact,
// rare) by removing the term's first position with the difference, then
// adding the position back with none.  Returns the impact of a term named
// once in this record.
static Xapian::termcount to_impacts(Xapian::Document &doc)
{
    std::vector<std::pair<std::string, Xapian::termcount>> terms; // term, count
    double dl = 0;
    for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        Xapian::termcount tf = t.get_wdf();
        if (!tf)
            continue; // a filter
        dl += tf;
        terms.emplace_back(*t, tf);
    }
    double n = 1 - BM25_B + BM25_B * std::max(dl / AVG_LENGTH, MIN_NORMLEN);
    for (const auto &c : terms) {
        const std::string &term = c.first;
        Xapian::termcount tf = c.second;
        Xapian::termcount impact = impact_of(tf, n);
        if (impact > tf) {
            doc.add_term(term, impact - tf);
        } else if (impact < tf) {
            Xapian::TermIterator t = doc.termlist_begin();
            t.skip_to(term);
            Xapian::PositionIterator p = t.positionlist_begin();
            if (p != t.positionlist_end()) {
                Xapian::termpos first = *p;
                doc.remove_posting(term, first, tf - impact);
                doc.add_posting(term, first, 0);
            } else {
                doc.remove_term(term);
                doc.add_term(term, impact);
            }
        }
    }
    return impact_of(1, n);
}

// Each MeSH heading of r (TS_PREFIX_HEADING), once, with wdf once: a
// derived term, left out of the length to_impacts uses.  A key too long
// for a term is skipped: no expansion searches it (mined values are at
// most 120 bytes, mine.cc).
static void add_headings(Xapian::Document &doc, const ts_record_t *r, Xapian::termcount once)
{
    std::vector<const char *> texts;
    collect(r, _TS_SRC_MESH, texts);
    std::vector<std::string> terms;
    for (const char *t : texts) {
        std::string key = _ts_vocab_key(t, strlen(t));
        if (!key.empty() && key.size() + strlen(TS_PREFIX_HEADING) <= MAX_TERM)
            terms.push_back(TS_PREFIX_HEADING + key);
    }
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    for (const std::string &t : terms)
        doc.add_term(t, once);
}

// Build the document of a record.
// json is the record's JSON without its source (as hashed).
Xapian::Document make_document(ts_db_t *db, const ts_record_t *r, const std::string &hash,
                               const std::string &json0)
{
    Xapian::Document doc;
    Xapian::TermGenerator &tg = db->tg;
    tg.set_document(doc);
    db->tg_stems.set_document(doc);

    char *json = _ts_record_json_add_source(json0.c_str(), r);
    if (!json)
        throw std::bad_alloc();
    doc.set_data(json);
    free(json);
    doc.add_boolean_term(unique_term(r->nct_id));

    std::vector<const char *> texts;
    for (size_t f = 0; f < _ts_schema_len; f++) {
        const _ts_field_t &fd = _ts_schema[f];
        if (fd.src == _TS_SRC_NONE)
            continue;
        texts.clear();
        collect(r, fd.src, texts);
        if (texts.empty())
            continue;
        std::string prefix(fd.prefixes, strcspn(fd.prefixes, " "));
        if (fd.info.kind == TS_FIELD_FILTER) {
            for (const char *t : texts)
                doc.add_boolean_term(_ts_filter_term(prefix.c_str(), t));
            if (fd.src == _TS_SRC_ID) // ids are words of the default search too
                for (const char *t : texts)
                    tg.index_text(normalized(t));
            continue;
        }
        for (const char *t : texts) {
            std::string norm = normalized(t);
            if (fd.positions)
                tg.index_text(norm, 1, prefix);
            else // stems only: words and phrases are in the unprefixed copy
                db->tg_stems.index_text_without_positions(norm, 1, prefix);
            tg.increase_termpos(10);
            if (fd.weight) { // in the default search
                tg.index_text(norm);
                tg.increase_termpos(10);
            }
            if (fd.weight >= TS_WEIGHT_TWICE) // counted twice in the default search
                tg.index_text_without_positions(norm, 1, TS_PREFIX_WEIGHTED);
        }
        tg.increase_termpos(100);
    }

    doc.add_value(TS_SLOT_START, _ts_date_value(r->start_date));
    doc.add_value(TS_SLOT_PRIMARY_COMPLETION, _ts_date_value(r->primary_completion_date));
    doc.add_value(TS_SLOT_COMPLETION, _ts_date_value(r->completion_date));
    doc.add_value(TS_SLOT_FIRST_POSTED, _ts_date_value(r->first_posted));
    doc.add_value(TS_SLOT_UPDATED, _ts_date_value(r->last_update));
    if (r->enrollment >= 0)
        doc.add_value(TS_SLOT_ENROLLMENT, Xapian::sortable_serialise((double)r->enrollment));
    doc.add_value(TS_SLOT_MIN_AGE, Xapian::sortable_serialise(r->min_age >= 0 ? r->min_age : 0));
    doc.add_value(TS_SLOT_MAX_AGE, Xapian::sortable_serialise(r->max_age >= 0 ? r->max_age : 1000));
    doc.add_value(TS_SLOT_HASH, hash);
    doc.add_value(TS_SLOT_ID, r->nct_id);
    doc.add_value(TS_SLOT_FORMAT, std::to_string(format_rank(r->format)));

    static const struct { int slot; _ts_src_t src; } facets[] = {
        { TS_SLOT_F_STATUS, _TS_SRC_STATUS }, { TS_SLOT_F_PHASE, _TS_SRC_PHASE },
        { TS_SLOT_F_CONDITION, _TS_SRC_CONDITION }, { TS_SLOT_F_COUNTRY, _TS_SRC_COUNTRY },
        { TS_SLOT_F_TYPE, _TS_SRC_TYPE },
    };
    for (const auto &fc : facets) {
        texts.clear();
        collect(r, fc.src, texts);
        if (!texts.empty())
            doc.add_value(fc.slot, facet_value(texts));
    }
    if (r->lead_sponsor)
        doc.add_value(TS_SLOT_F_SPONSOR, r->lead_sponsor);
    add_headings(doc, r, to_impacts(doc));
    return doc;
}

// The content hash of a record: every field but its provenance, and the
// schema version, so that a new schema re-indexes everything.  The JSON
// hashed is left in *json when json is not NULL.
std::string content_hash(const ts_record_t *r, std::string *json_out)
{
    char *json = ts_record_to_json(r, 0);
    if (!json)
        throw std::bad_alloc();
    uint64_t h = _ts_hash64(json, strlen(json), _TS_HASH_INIT);
    if (json_out)
        *json_out = json;
    free(json);
    h = _ts_hash64(_TS_ANALYZER, strlen(_TS_ANALYZER), h ^ TS_SCHEMA_VERSION);
    char hex[20];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
    return hex;
}

} // namespace

Xapian::Enquire _ts_enquire(const Xapian::Database &db)
{
    Xapian::Enquire e(db);
    e.set_weighting_scheme(Xapian::BM25Weight(QUERY_K1, 0, 1, 0, MIN_NORMLEN)); // b 0: no lengths
    // "trad"'s part for a record, (k + 1) * wdf / (k * length / average +
    // wdf), is then the search's own reading of the wdf; with k 1 it would
    // saturate w again, and a word a record names 13 times would count
    // about as one it names once.
    e.set_expansion_scheme("trad", QUERY_K1);
    return e;
}

// See xapian.hh: the newest version wins; on equal dates the richer format.
ts_put_result_t _ts_put_check(const Xapian::Database &db, const ts_record_t *rec,
                              std::string *hash, std::string *json)
{
    std::string qterm = unique_term(rec->nct_id);
    *hash = content_hash(rec, json);
    Xapian::PostingIterator p = db.postlist_begin(qterm);
    if (p == db.postlist_end(qterm))
        return TS_PUT_NEW;
    Xapian::Document old = db.get_document(*p);
    if (old.get_value(TS_SLOT_HASH) == *hash)
        return TS_PUT_UNCHANGED;
    std::string old_date = old.get_value(TS_SLOT_UPDATED);
    std::string new_date = _ts_date_value(rec->last_update);
    int old_rank = atoi(old.get_value(TS_SLOT_FORMAT).c_str());
    if (old_date > new_date || (old_date == new_date && old_rank > format_rank(rec->format)))
        return TS_PUT_OLDER;
    return TS_PUT_UPDATED;
}

extern "C" ts_status_t ts_db_put(ts_db_t *db, const ts_record_t *rec, ts_put_result_t *result)
{
    if (!db || !db->writer || !rec)
        return _ts_error(TS_ERR_INVALID, "put: index not open for writing");
    if (!rec->nct_id || !*rec->nct_id)
        return _ts_error(TS_ERR_BAD_RECORD, "%s: record has no NCT id",
                         rec->source ? rec->source : "record");
    return ts_guard("indexing a record", [&]() -> ts_status_t {
        std::string hash, json;
        // In an index that was empty when opened, an id not put before on
        // this handle cannot be there: no look-up, and add_document.
        // In a segmented index, the version already put may be in an
        // earlier segment: it is compared there, and deleted at close when
        // this one replaces it.
        unsigned cur = db->segs.empty() ? 0 : (unsigned)db->segs.size() - 1;
        auto ins = db->seen.emplace(rec->nct_id, cur);
        auto it = ins.first;
        bool absent = db->fresh && ins.second;
        bool earlier = !ins.second && it->second != cur;
        ts_put_result_t res;
        if (absent)
            hash = content_hash(rec, &json), res = TS_PUT_NEW;
        else if (earlier)
            res = _ts_put_check(segment_reader(db, it->second), rec, &hash, &json);
        else
            res = _ts_put_check(db->wdb, rec, &hash, &json);
        if (res == TS_PUT_UNCHANGED || res == TS_PUT_OLDER) {
            if (result)
                *result = res;
            return TS_OK;
        }
        if (earlier) {
            db->seg_replacing.emplace_back(it->first, it->second);
            it->second = cur;
        }
        if (absent || earlier)
            db->wdb.add_document(make_document(db, rec, hash, json));
        else
            db->wdb.replace_document(unique_term(rec->nct_id),
                                     make_document(db, rec, hash, json));
        _ts_mine_record(db, rec);
        if (result)
            *result = res;
        return TS_OK;
    });
}

extern "C" ts_status_t ts_db_delete(ts_db_t *db, const char *id, int *removed)
{
    if (!db || !db->writer || !id)
        return _ts_error(TS_ERR_INVALID, "delete: index not open for writing");
    return ts_guard("deleting a record", [&]() -> ts_status_t {
        std::string up(id);
        for (auto &c : up)
            c = (char)toupper((unsigned char)c);
        std::string q = unique_term(up.c_str());
        bool there = db->wdb.term_exists(q);
        if (there)
            db->wdb.delete_document(q);
        if (removed)
            *removed = there;
        return TS_OK;
    });
}

extern "C" ts_status_t ts_db_prune(ts_db_t *db, uint64_t *removed)
{
    if (!db || !db->writer)
        return _ts_error(TS_ERR_INVALID, "prune: index not open for writing");
    return ts_guard("pruning", [&]() -> ts_status_t {
        std::vector<std::string> gone;
        for (auto t = db->wdb.allterms_begin("Q"); t != db->wdb.allterms_end("Q"); ++t) {
            std::string term = *t;
            // ids are at most 64 bytes (record.c), so never hashed
            if (!db->seen.count(term.substr(1)))
                gone.push_back(term);
        }
        for (const auto &t : gone)
            db->wdb.delete_document(t);
        if (removed)
            *removed = gone.size();
        return TS_OK;
    });
}

// ---- reading ----------------------------------------------------------------

extern "C" ts_status_t ts_db_get(ts_db_t *db, const char *id, ts_record_t **out)
{
    if (!db || !id || !out)
        return _ts_error(TS_ERR_INVALID, "get: no index or id");
    for (int attempt = 0;; attempt++) {
        ts_status_t st = ts_guard("reading a record", [&]() -> ts_status_t {
            std::string up(id);
            for (auto &c : up)
                c = (char)toupper((unsigned char)c);
            std::string terms[2] = { unique_term(up.c_str()), _ts_filter_term("XID", id) };
            for (const auto &t : terms) {
                Xapian::PostingIterator p = db->db.postlist_begin(t);
                if (p == db->db.postlist_end(t))
                    continue;
                std::string data = db->db.get_document(*p).get_data();
                *out = _ts_record_from_json(data.data(), data.size());
                return *out ? TS_OK : _ts_error(TS_ERR_CORRUPT, "record %s: stored data unreadable", id);
            }
            return _ts_error(TS_ERR_NOT_FOUND, "no record %s in the index", id);
        });
        if (st != TS_ERR_MODIFIED || attempt >= 3 || ts_db_reopen(db) != TS_OK)
            return st;
    }
}

extern "C" ts_status_t ts_db_stats(ts_db_t *db, ts_stats_t *out)
{
    if (!db || !out)
        return _ts_error(TS_ERR_INVALID, "stats: no index");
    memset(out, 0, sizeof *out);
    return ts_guard("reading statistics", [&]() -> ts_status_t {
        out->documents = db->db.get_doccount();
        uint64_t terms = 0;
        for (auto t = db->db.allterms_begin(); t != db->db.allterms_end(); ++t)
            terms++;
        out->terms = terms;
        out->size_bytes = _ts_index_bytes(db->path);
        std::string v = db->db.get_metadata(META_SCHEMA);
        out->schema_version = v.empty() ? 0 : atoi(v.c_str());
        snprintf(out->last_update, sizeof out->last_update, "%s",
                 db->db.get_metadata(META_UPDATED).c_str());
        snprintf(out->analyzer, sizeof out->analyzer, "%s",
                 db->db.get_metadata(META_ANALYZER).c_str());
        return TS_OK;
    });
}
