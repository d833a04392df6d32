// shard.cc - an index split in shards: routing ids to shards, stub files
// that open the shards as one index, merging shards by compaction, and the
// read-only checks that let parallel indexer workers skip unchanged
// records without analysing them.
//
// A sharded index is a directory holding a Xapian stub file named XAPIANDB
// ("auto shard-0" ... one line per shard, paths relative to the stub) and
// the shard directories.  Xapian opens such a directory (or a stub file
// given directly) as one database; its sub-databases may also be remote
// ("remote HOST:PORT", served by xapian-tcpsrv).  Every trial lives in the
// shard ts_shard_of(id, shards) names, so all versions of a trial meet in
// one writer and incremental runs find the stored version.
#include "xapian.hh"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// Name of the stub file inside a sharded index directory (Xapian's).
static const char STUB_NAME[] = "XAPIANDB";

extern "C" unsigned ts_shard_of(const char *id, unsigned n)
{
    if (!id || n <= 1)
        return 0;
    uint64_t h = _TS_HASH_INIT;
    for (const char *p = id; *p; p++) {
        unsigned char c = (unsigned char)toupper((unsigned char)*p);
        h = _ts_hash64(&c, 1, h);
    }
    return (unsigned)(h % n);
}

extern "C" ts_status_t ts_db_check(ts_db_t *db, const ts_record_t *rec, ts_put_result_t *result)
{
    if (!db || !rec || !result)
        return _ts_error(TS_ERR_INVALID, "check: no index or record");
    if (!rec->nct_id || !*rec->nct_id)
        return _ts_error(TS_ERR_BAD_RECORD, "%s: record has no NCT id",
                         rec->source ? rec->source : "record");
    for (int attempt = 0;; attempt++) {
        ts_status_t st = ts_guard("checking a record", [&]() -> ts_status_t {
            std::string hash;
            *result = _ts_put_check(db->db, rec, &hash);
            return TS_OK;
        });
        if (st != TS_ERR_MODIFIED || attempt >= 3 || ts_db_reopen(db) != TS_OK)
            return st;
    }
}

extern "C" ts_status_t ts_db_mark_seen(ts_db_t *db, const char *id)
{
    if (!db || !db->writer || !id)
        return _ts_error(TS_ERR_INVALID, "mark seen: index not open for writing");
    return ts_guard("noting a record", [&]() -> ts_status_t {
        db->seen.emplace(id, 0);
        return TS_OK;
    });
}

extern "C" ts_status_t ts_db_doccount(ts_db_t *db, uint64_t *count)
{
    if (!db || !count)
        return _ts_error(TS_ERR_INVALID, "doccount: no index");
    return ts_guard("counting records", [&]() -> ts_status_t {
        *count = db->db.get_doccount();
        return TS_OK;
    });
}

extern "C" ts_record_t *ts_record_from_json(const char *json, size_t len)
{
    if (!json)
        return nullptr;
    return _ts_record_from_json(json, len);
}

// ---- stub files ------------------------------------------------------------

// The stub file of path: path/XAPIANDB for a directory holding one, path
// itself for a regular file that is text (not a single-file database);
// "" when path is neither.
static std::string stub_file(const std::string &path)
{
    struct stat sb;
    if (stat(path.c_str(), &sb) != 0)
        return "";
    if (S_ISREG(sb.st_mode)) {
        char head[512];
        FILE *f = fopen(path.c_str(), "rb");
        size_t n = f ? fread(head, 1, sizeof head, f) : 0;
        if (f)
            fclose(f);
        return f && !memchr(head, '\0', n) ? path : "";
    }
    std::string f = path + "/" + STUB_NAME;
    if (S_ISDIR(sb.st_mode) && stat(f.c_str(), &sb) == 0 && S_ISREG(sb.st_mode))
        return f;
    return "";
}

// The directory part of a file path ("." when none).
static std::string dir_of(const std::string &file)
{
    size_t slash = file.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : file.substr(0, slash);
}

// The local shards listed by the stub file of path, as paths, into
// *local.  A remote line, or one of another kind, is an error when
// others_ok is false (an index to write), else passed over (an index to
// check), a remote one setting *remote if remote is not NULL.
// TS_ERR_NOT_FOUND when path has no stub file.
static ts_status_t stub_shards(const char *path, bool others_ok, std::vector<std::string> *local,
                               bool *remote = nullptr)
{
    std::string file = stub_file(path);
    if (file.empty())
        return _ts_error(TS_ERR_NOT_FOUND, "%s: not a sharded index", path);
    std::ifstream in(file);
    if (!in)
        return _ts_error(TS_ERR_IO, "%s: %s", file.c_str(), strerror(errno));
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        lineno++;
        std::istringstream words(line);
        std::string type, arg;
        words >> type;
        if (type.empty() || type[0] == '#')
            continue;
        std::getline(words >> std::ws, arg);
        bool local_line = (type == "auto" || type == "glass" || type == "chert") && !arg.empty();
        if (!local_line && others_ok) {
            if (remote && type == "remote")
                *remote = true;
            continue;
        }
        if (type == "remote")
            return _ts_error(TS_ERR_INVALID,
                             "%s: line %d: remote shard %s: index it on its own host", file.c_str(),
                             lineno, arg.c_str());
        if (!local_line)
            return _ts_error(TS_ERR_INVALID, "%s: line %d: not a local shard: %s", file.c_str(),
                             lineno, line.c_str());
        local->push_back(arg[0] == '/' ? arg : dir_of(file) + "/" + arg);
    }
    return TS_OK;
}

std::vector<std::string> _ts_stub_local_shards(const char *path, bool *remote)
{
    std::vector<std::string> local;
    if (stub_shards(path, true, &local, remote) != TS_OK) {
        _ts_error_clear();
        local.clear();
    }
    return local;
}

extern "C" ts_status_t ts_stub_read(const char *path, char ***shards, size_t *n)
{
    if (!path || !shards || !n)
        return _ts_error(TS_ERR_INVALID, "stub: no path");
    *shards = nullptr;
    *n = 0;
    std::vector<std::string> local;
    ts_status_t st = stub_shards(path, false, &local);
    if (st != TS_OK)
        return st;
    if (local.empty())
        return _ts_error(TS_ERR_INVALID, "%s: lists no shard", stub_file(path).c_str());
    char **v = static_cast<char **>(calloc(local.size(), sizeof *v));
    if (!v)
        return _ts_error(TS_ERR_NOMEM, "stub: out of memory");
    for (size_t i = 0; i < local.size(); i++) {
        v[i] = strdup(local[i].c_str());
        if (!v[i]) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return _ts_error(TS_ERR_NOMEM, "stub: out of memory");
        }
    }
    *shards = v;
    *n = local.size();
    return TS_OK;
}

extern "C" ts_status_t ts_stub_write(const char *path, const char *const *shards, size_t n)
{
    if (!path || !shards || n == 0)
        return _ts_error(TS_ERR_INVALID, "stub: nothing to write");
    std::string file = path, tmp;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        file += std::string("/") + STUB_NAME;
    tmp = file + ".tmp";
    FILE *f = fopen(tmp.c_str(), "w");
    if (!f)
        return _ts_error(TS_ERR_IO, "%s: %s", tmp.c_str(), strerror(errno));
    fputs("# trialsearch sharded index: one line per shard (see trialsearch-index(1))\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *s = shards[i];
        // A plain path is a local shard; "remote ..." and typed lines pass as written.
        if (strncmp(s, "remote ", 7) == 0 || strncmp(s, "auto ", 5) == 0)
            fprintf(f, "%s\n", s);
        else
            fprintf(f, "auto %s\n", s);
    }
    bool bad = ferror(f) != 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp.c_str(), file.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        return _ts_error(TS_ERR_IO, "%s: %s", file.c_str(), strerror(e));
    }
    return TS_OK;
}

uint64_t _ts_index_bytes(const std::string &path)
{
    uint64_t total = 0;
    struct stat sb;
    if (stat(path.c_str(), &sb) != 0)
        return 0;
    if (S_ISREG(sb.st_mode)) // a stub file
        total += (uint64_t)sb.st_size;
    else if (DIR *d = opendir(path.c_str())) {
        while (struct dirent *e = readdir(d)) {
            std::string p = path + "/" + e->d_name;
            if (stat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode))
                total += (uint64_t)sb.st_size;
        }
        closedir(d);
    }
    char **shards;
    size_t n;
    if (ts_stub_read(path.c_str(), &shards, &n) == TS_OK) {
        for (size_t i = 0; i < n; i++) {
            if (stat(shards[i], &sb) == 0 && S_ISDIR(sb.st_mode))
                total += _ts_index_bytes(shards[i]);
            free(shards[i]);
        }
        free(shards);
    }
    _ts_error_clear();
    return total;
}

// ---- compaction ---------------------------------------------------------------

namespace {

// Metadata met in several shards: the mined vocabulary's counts are added
// (mine.cc), the time of the last commit is the latest, anything else (the
// schema and analyzer, equal in every shard) is the first.
class MergeCompactor : public Xapian::Compactor {
  public:
    std::string resolve_duplicate_metadata(const std::string &table_key, size_t num_tags,
                                           const std::string tags[]) override
    {
        // Glass passes the key as stored: "\0\xc0" + the metadata key.
        std::string key = table_key;
        if (key.size() >= 2 && key[0] == '\0' && (unsigned char)key[1] == 0xc0)
            key.erase(0, 2);
        if (key.compare(0, 3, "ab:") == 0 || key.compare(0, 3, "al:") == 0 ||
            key.compare(0, 3, "mc:") == 0) {
            std::string v = tags[0];
            for (size_t i = 1; i < num_tags; i++)
                v = _ts_vocab_merge(v, tags[i]);
            return v;
        }
        if (key == "ts:updated") {
            std::string latest = tags[0];
            for (size_t i = 1; i < num_tags; i++)
                if (tags[i] > latest)
                    latest = tags[i];
            return latest;
        }
        return tags[0];
    }
};

// rm -rf of a directory tree made by us (index files, shard directories).
void remove_tree(const std::string &path)
{
    if (DIR *d = opendir(path.c_str())) {
        while (struct dirent *e = readdir(d)) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            std::string p = path + "/" + e->d_name;
            struct stat sb;
            if (lstat(p.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode))
                remove_tree(p);
            else
                unlink(p.c_str());
        }
        closedir(d);
    }
    rmdir(path.c_str());
}

} // namespace

extern "C" ts_status_t ts_db_compact(const char *const *srcs, size_t n, const char *dest)
{
    if (!srcs || n == 0 || !dest)
        return _ts_error(TS_ERR_INVALID, "compact: nothing to merge");
    _ts_error_clear();
    std::string out = std::string(dest) + ".compact-" + std::to_string(getpid());
    ts_status_t st = ts_guard("merging the shards", [&]() -> ts_status_t {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++)
            all.add_database(Xapian::Database(srcs[i]));
        struct stat sb;
        bool exists = stat(dest, &sb) == 0;
        // The target is replaced only while it holds nothing: take its
        // lock to be sure no writer is filling it.
        Xapian::WritableDatabase target;
        if (exists) {
            target = Xapian::WritableDatabase(dest, Xapian::DB_OPEN);
            if (target.get_doccount() != 0)
                return _ts_error(TS_ERR_INVALID,
                                 "%s: not empty: shards are merged only into a new index", dest);
        }
        remove_tree(out);
        MergeCompactor merge;
        // One pass over all the sources: with the 42 segments of a build
        // of 40,790 records, Xapian's multi-pass merge took 11.8 s and
        // this 5.7 s, for the same index.
        all.compact(out, Xapian::Compactor::FULL, 0, merge);
        if (!exists) {
            if (rename(out.c_str(), dest) != 0)
                return _ts_error(TS_ERR_IO, "%s: %s", dest, strerror(errno));
            return TS_OK;
        }
        // Swap the empty index for the merged one in one step: readers see
        // either; then the empty one goes.
        target.close();
        if (syscall(SYS_renameat2, AT_FDCWD, out.c_str(), AT_FDCWD, dest, 2 /* RENAME_EXCHANGE */) == 0)
            return TS_OK;
        // A file system without the exchange: two renames.
        std::string old = std::string(dest) + ".empty-" + std::to_string(getpid());
        if (rename(dest, old.c_str()) != 0 || rename(out.c_str(), dest) != 0)
            return _ts_error(TS_ERR_IO, "%s: replacing the empty index: %s", dest, strerror(errno));
        remove_tree(old);
        return TS_OK;
    });
    remove_tree(out);
    return st;
}
