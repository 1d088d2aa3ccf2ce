/* SPDX-License-Identifier: Apache-2.0 */
/* store_lua.h -- the Lua scripts recutd runs in Redis.  Every script
 * touches keys of one hash slot only, so all are valid on Redis Cluster. */
#ifndef RECUT_STORE_LUA_H
#define RECUT_STORE_LUA_H

/* Erase a viewer: every key in KEYS and what the publisher's index (the
 * last key) lists.  KEYS: meta nb seen hist ids scenes emo keys. */
static const char store_lua_forget[] =
    "local n = 0\n"
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[8])) do n = n + redis.call('DEL', k) end\n"
    "return n + redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], "
    "KEYS[8])\n";

/* Popularity, aggregated per flush: KEYS[1] = PREFIX:pop, ARGV = movie
 * count ... */
static const char store_lua_zincr[] =
    "for i = 1, #ARGV, 2 do redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i]) end\n"
    "return #ARGV / 2\n";

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

/* The viewer's keys, in KEYS order. */
static const char *const store_viewer_keys[] = { "meta", "nb",     "seen", "hist",
                                                 "ids",  "scenes", "emo",  "keys" };
#define STORE_N_VIEWER_KEYS 8

#endif
