/* store_lua.h -- the Lua scripts recutd runs in Redis.  Every script
 * touches keys of one hash slot only, so all are valid on Redis Cluster. */
#ifndef RECUT_STORE_LUA_H
#define RECUT_STORE_LUA_H

/* Erase a viewer: every key in KEYS and what the publisher's index (the
 * last key) lists.  KEYS: meta nb seen hist ids scenes emo keys. */
static const char store_lua_forget[] =
    "local n = 0\n"
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[8])) do n = n + redis.call('DEL', k) end\n"
    "return n + redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])\n";

/* Global counters, aggregated per batch: one call per co-occurrence hash
 * (KEYS[1] = PREFIX:{i:MOVIE}:co, ARGV = partner count ...) and one for
 * popularity (KEYS[1] = PREFIX:pop, ARGV = movie count ...). */
static const char store_lua_hincr[] =
"for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
"return #ARGV / 2\n";
static const char store_lua_zincr[] =
"for i = 1, #ARGV, 2 do redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i]) end\n"
"return #ARGV / 2\n";

/* The viewer's keys, in KEYS order. */
static const char *const store_viewer_keys[] = {
    "meta", "nb", "seen", "hist", "ids", "scenes", "emo", "keys"
};
#define STORE_N_VIEWER_KEYS 8

#endif
