// xapian.hh - what the C++ files of libtrialsearch share: the database
// handle and the one place where Xapian exceptions become status codes.
//
// Every extern "C" function written in C++ wraps its body in ts_guard(),
// so no exception ever reaches a C caller.
#ifndef TS_XAPIAN_HH
#define TS_XAPIAN_HH

#include <xapian.h>

#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "ts_internal.h"

struct ts_db {
    Xapian::Database db;          // what searches read (== wdb for a writer)
    Xapian::WritableDatabase wdb; // valid when writer
    bool writer = false;
    std::string path;             // first path given
    // Ids put since open (for prune), each with the segment that holds
    // its version (0 unless segmented).
    std::unordered_map<std::string, unsigned> seen;
    // Reader: a stub file opened lists a remote shard (xapian-tcpsrv),
    // where a value stream is read a record per round trip.
    bool remote = false;
    Xapian::TermGenerator tg;     // writer's term generator
    Xapian::TermGenerator tg_stems; // the same stemmer, stems only (long fields)
    // Writer: the index held no document when opened, so an id that no
    // put on this handle has named is known to be absent (ts_db_put adds
    // it without looking it up).
    bool fresh = false;
    // Vocabulary counted since the last commit (mine.cc): metadata key ->
    // text -> count.
    std::unordered_map<std::string, std::unordered_map<std::string, unsigned>> mined;
    // A segmented build (TS_DB_SEGMENTS, db.cc): path is a stub file
    // listing the segments, separate indexes; wdb writes the last one.
    struct segment {
        std::string path;
        std::unique_ptr<Xapian::Database> reader; // opened when first needed
        // Unique terms of the versions that a later segment replaced,
        // deleted at close.
        std::vector<std::string> dead;
    };
    uint64_t seg_limit = 0;               // documents per segment; 0: no more
    std::vector<segment> segs;            // empty unless segmented
    // Replaced in the open transaction: id and the segment of the version
    // replaced (to its dead at commit, back into seen at cancel).
    std::vector<std::pair<std::string, unsigned>> seg_replacing;
    // The query parsers of this handle's searches (search.cc), set up at
    // the first one: a handle serves one thread at a time.
    std::shared_ptr<void> parsers;
};

// An Enquire on db with the weighting of every search (db.cc): BM25 whose
// per-record part was stored in the terms' wdf when the records were
// indexed (to_impacts), without record lengths, and expansion terms
// (feedback, --similar) weighed the same way.
Xapian::Enquire _ts_enquire(const Xapian::Database &db);

// Map the exception being handled to a status and record its message.
// Call only from inside a catch block.
ts_status_t _ts_status_from_exception(const char *what_doing);

// Run f (returning ts_status_t) and turn any exception into a status.
template <class F>
static inline ts_status_t ts_guard(const char *what_doing, F f) noexcept
{
    try {
        return f();
    } catch (...) {
        return _ts_status_from_exception(what_doing);
    }
}

// Boolean term for a filter value: prefix + the value normalized like
// indexed text (_ts_normalize: case folded, marks removed), white space
// kept: "XST" + "ACTIVE_NOT_RECRUITING" -> "XSTactive_not_recruiting",
// "XCO" + "United States" -> "XCOunited states".  A term longer than
// Xapian's limit is cut to a prefix of 200 bytes plus a hash of the rest.
std::string _ts_filter_term(const char *prefix, const std::string &value);

// Value for the date slots: "YYYYMMDD" with missing month/day as 01, or
// "" for NULL/unreadable.
std::string _ts_date_value(const char *iso);

// What ts_db_put would do with rec against db, without writing: TS_PUT_NEW
// (no version stored), TS_PUT_UNCHANGED, TS_PUT_OLDER or TS_PUT_UPDATED.
// *hash gets the record's content hash, and *json (unless NULL) the JSON
// hashed: the record without its source.  rec must have an id.  Throws
// Xapian errors (call inside ts_guard).
ts_put_result_t _ts_put_check(const Xapian::Database &db, const ts_record_t *rec,
                              std::string *hash, std::string *json = nullptr);

// Bytes on disk of the index at path: the files of a directory, and for a
// sharded index its stub and local shards (shard.cc).
uint64_t _ts_index_bytes(const std::string &path);

// The local shards listed by the stub file of path (a stub file, or a
// directory holding one), remote ones and lines of other kinds left out
// (a remote one sets *remote when remote is not NULL); none when path has
// no readable stub (shard.cc).
std::vector<std::string> _ts_stub_local_shards(const char *path, bool *remote = nullptr);

// ---- mined vocabulary (mine.cc) ----------------------------------------
// A word or phrase as a vocabulary key (_ts_syn_fold: normalized like
// indexed text, runs of anything but letters and digits made one space).
std::string _ts_vocab_key(const char *s, size_t len);
// A stored vocabulary value as (text, count) pairs, most frequent first.
std::vector<std::pair<std::string, unsigned>> _ts_vocab_parse(const std::string &v);
// Two stored values of one key merged (counts added): for compaction.
std::string _ts_vocab_merge(const std::string &a, const std::string &b);
// Count the abbreviations and condition-MeSH pairs of a record being put.
void _ts_mine_record(ts_db_t *db, const ts_record_t *r);
// Add the counts gathered since the last commit to the index metadata
// (inside the open transaction) and forget them.
void _ts_mine_flush(ts_db_t *db);

// ---- expansions (vocab.cc) ---------------------------------------------
enum { _TS_EXP_TEXT = 0, _TS_EXP_MESH = 1 };
struct _ts_expansion {
    std::string text;   // a word or phrase, _ts_vocab_key form
    double weight;      // 0..1: 1 for curated, else the share of its key
    const char *kind;   // "synonym", "abbreviation", "MeSH"
    int field;          // _TS_EXP_TEXT: where the word was; _TS_EXP_MESH: mesh
};
// What key (a _ts_vocab_key) may also be written as, most trusted first.
// typed_upper: the word was typed in capitals (so a short form that is
// also an English word, like "ALL", is taken as an abbreviation).
std::vector<_ts_expansion> _ts_expansions(const Xapian::Database &db, const std::string &key,
                                          bool typed_upper);
#endif
