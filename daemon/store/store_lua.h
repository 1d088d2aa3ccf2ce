/* SPDX-License-Identifier: Apache-2.0 */
/* store_lua.h -- the Lua scripts recutd runs in Redis.  Every script
 * touches keys of one hash slot only, so all are valid on Redis Cluster. */
#ifndef RECUT_STORE_LUA_H
#define RECUT_STORE_LUA_H

/* Erase a viewer: every key in KEYS and what the publisher's index (the
 * last key) lists.  KEYS: state meta nb seen hist ids scenes emo keys (the
 * state of viewer_blob.h, the emotion sums, and the keys of the layout
 * before it, which a viewer not written since an upgrade still has). */
static const char store_lua_forget[] =
    "local n = 0\n"
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[#KEYS])) do n = n + redis.call('DEL', k) end\n"
    "return n + redis.call('DEL', unpack(KEYS))\n";

/* Markers are deleted once their fold is (store_outbox.c); a recutd killed
 * between the two leaves some behind.  When a marker hash holds more than
 * 64 (normally it holds the folds in flight), those older than a day go:
 * a fold is retried within a minute while any instance runs. */
#define STORE_LUA_MARKER_GC                                                                        \
    "if redis.call('HLEN', KEYS[2]) > 64 then\n"                                                   \
    "  local h = redis.call('HGETALL', KEYS[2])\n"                                                 \
    "  for i = 1, #h, 2 do\n"                                                                      \
    "    if tonumber(h[i + 1]) < tonumber(ARGV[2]) - 86400 then\n"                                 \
    "      redis.call('HDEL', KEYS[2], h[i]) end end end\n"

/* Popularity, one fold's increments for one shard (store_outbox.c):
 * KEYS = the shard (PREFIX:{pop:K}), its marker hash (PREFIX:{pop:K}:mk);
 * ARGV = fold id, unix time, movie count ...  A fold is added once: its id
 * goes into the marker hash with the increments, and a second call with
 * the same id changes nothing (returns -1). */
static const char store_lua_zincr[] =
    "if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return -1 "
    "end\n" STORE_LUA_MARKER_GC
    "for i = 3, #ARGV, 2 do redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i]) end\n"
    "return (#ARGV - 2) / 2\n";

/* Co-occurrence, one fold's records for one movie's log, once (as above):
 * KEYS = log (PREFIX:{i:M}:col), marker hash (PREFIX:{i:M}:mk); ARGV = fold
 * id, unix time, records.  Returns the log's length either way. */
static const char store_lua_gcooc[] =
    "if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then\n"
    "  redis.call('APPEND', KEYS[1], ARGV[3])\n" STORE_LUA_MARKER_GC "end\n"
    "return redis.call('STRLEN', KEYS[1])\n";

/* Take a slot's outbox for folding (store_outbox.c): KEYS = the outbox
 * (PREFIX:{gdN}:gd), the fold (PREFIX:{gdN}:gf); ARGV = a new fold id, this
 * instance's id, seconds after which another instance's fold is taken
 * over.  A fold is "ID OWNER UNIXTIME\n" and the outbox's bytes.  Returns
 * the fold to apply: a pending one of this instance (or a stale one,
 * now ours), else the outbox renamed under the new id; nil if there is
 * nothing, or another live instance is folding this slot. */
static const char store_lua_fold_take[] =
    "local now = tonumber(redis.call('TIME')[1])\n"
    "for _, k in ipairs(KEYS) do\n"
    "  local t = redis.call('TYPE', k).ok\n"
    "  if t ~= 'string' and t ~= 'none' then redis.call('RENAME', k, k .. ':damaged') end\n"
    "end\n"
    "local f = redis.call('GET', KEYS[2])\n"
    "if f then\n"
    "  local nl = string.find(f, '\\n', 1, true)\n"
    "  local id, owner, ts\n"
    "  if nl then id, owner, ts = string.match(string.sub(f, 1, nl - 1), "
    "'^(%S+) (%S+) (%d+)$') end\n"
    "  if not id then\n"
    "    redis.call('RENAME', KEYS[2], KEYS[2] .. ':damaged')\n"
    "  else\n"
    "    if owner == ARGV[2] then return f end\n"
    "    if now - tonumber(ts) < tonumber(ARGV[3]) then return 0 end\n"
    "    f = id .. ' ' .. ARGV[2] .. ' ' .. now .. string.sub(f, nl)\n"
    "    redis.call('SET', KEYS[2], f)\n"
    "    return f\n"
    "  end\n"
    "end\n"
    "local d = redis.call('GET', KEYS[1])\n"
    "if not d then return false end\n"
    "f = ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. now .. '\\n' .. d\n"
    "redis.call('SET', KEYS[2], f)\n"
    "redis.call('DEL', KEYS[1])\n"
    "return f\n";

/* Append to a slot's outbox in a viewer's transaction: KEYS = the outbox;
 * ARGV = the records.  A key of another type there (not recutd's) is set
 * aside as KEY:damaged, so it cannot stop the viewers of that slot. */
static const char store_lua_outbox_append[] =
    "local t = redis.call('TYPE', KEYS[1]).ok\n"
    "if t ~= 'string' and t ~= 'none' then redis.call('RENAME', KEYS[1], KEYS[1] .. ':damaged') "
    "end\n"
    "return redis.call('APPEND', KEYS[1], ARGV[1])\n";

/* A fold was applied everywhere: KEYS = the fold; ARGV = its id.  Deletes
 * it only if it is still that fold. */
static const char store_lua_fold_done[] =
    "local h = redis.call('GETRANGE', KEYS[1], 0, #ARGV[1])\n"
    "if h == ARGV[1] .. ' ' then return redis.call('DEL', KEYS[1]) end\n"
    "return 0\n";

/* Co-occurrence (store_cooc.c).  Read a movie's row and log at once:
 * KEYS = row log; returns {row, log}, the row as a flat array if it is a
 * hash written by an earlier version. */
static const char store_lua_cooc_read[] =
    "local t = redis.call('TYPE', KEYS[1]).ok\n"
    "local row = false\n"
    "if t == 'hash' then row = redis.call('HGETALL', KEYS[1])\n"
    "elseif t == 'string' then row = redis.call('GET', KEYS[1]) end\n"
    "return {row, redis.call('GET', KEYS[2])}\n";
/* Compact: KEYS = row log; ARGV = new row, the first 24 bytes of the row it
 * was merged from, corrupt or not ("" if there was none or a hash), log
 * bytes merged.  Refuses (0) if the row changed since: another instance
 * compacted it, and the log bytes merged are no longer the log's first. */
static const char store_lua_cooc_compact[] =
    "local cur = ''\n"
    "if redis.call('TYPE', KEYS[1]).ok == 'string' then\n"
    "  cur = redis.call('GETRANGE', KEYS[1], 0, 23) end\n"
    "if cur ~= ARGV[2] then return 0 end\n"
    "local used = tonumber(ARGV[3])\n"
    "local ll = redis.call('STRLEN', KEYS[2])\n"
    "if ll < used then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1])\n"
    "if ll == used then redis.call('DEL', KEYS[2])\n"
    "else redis.call('SET', KEYS[2], redis.call('GETRANGE', KEYS[2], used, -1)) end\n"
    "return 1\n";

/* The viewer's keys, in KEYS order ("keys", the index, last). */
static const char *const store_viewer_keys[] = { "state", "meta",   "nb",  "seen", "hist",
                                                 "ids",   "scenes", "emo", "keys" };
#define STORE_N_VIEWER_KEYS 9
/* The keys of the layout before the state blob, deleted at the first
 * write of a viewer read from them: store_viewer_keys[1..6]. */
#define STORE_LEGACY_KEY0 1
#define STORE_N_LEGACY_KEYS 6

/* Every script, loaded at start and on every connection (its SHA1 in
 * struct store's shas[], same index: STORE_LUA_* in store-internal.h). */
static const char *const store_lua_scripts[] = {
    store_lua_forget, store_lua_zincr,     store_lua_cooc_read, store_lua_cooc_compact,
    store_lua_gcooc,  store_lua_fold_take, store_lua_fold_done, store_lua_outbox_append,
};
_Static_assert(sizeof store_lua_scripts / sizeof *store_lua_scripts == STORE_N_LUA,
               "a script for every STORE_LUA_* index");

#endif
