/* store_lua.h -- the Lua script that applies one viewer's events of a batch
 * atomically (all keys share the viewer's hash tag, so it is valid on Redis
 * Cluster).
 *
 * KEYS: meta nb seen hist ids scenes emo keys
 * ARGV: ids_max history_max cooc_window n_events, then per event:
 *       id ts movie seenval positive n_ops (code field value){n_ops}
 * Reply: per event two elements: status and the co-occurrence partners
 *       (status 0 duplicate, 1 applied, 2 applied and a new positive item;
 *        +4 when emotion data was dropped for lack of consent). */
#ifndef RECUT_STORE_LUA_H
#define RECUT_STORE_LUA_H

static const char store_lua_apply[] =
"local ids_max = tonumber(ARGV[1])\n"
"local hist_max = tonumber(ARGV[2])\n"
"local win = tonumber(ARGV[3])\n"
"local n = tonumber(ARGV[4])\n"
"local i = 5\n"
"local out = {}\n"
"local nb, sc, emo = {}, {}, {}\n"
"local applied, last_ts, pushed, added_ids = 0, nil, false, false\n"
"local consent, forgot = nil, false\n"
"local function flush()\n"
"  for f, v in pairs(nb) do redis.call('HINCRBYFLOAT', KEYS[2], f, v) end\n"
"  for f, v in pairs(sc) do redis.call('HINCRBYFLOAT', KEYS[6], f, v) end\n"
"  for f, v in pairs(emo) do redis.call('HINCRBYFLOAT', KEYS[7], f, v) end\n"
"  nb, sc, emo = {}, {}, {}\n"
"end\n"
"local function add(t, f, v) t[f] = (t[f] or 0) + tonumber(v) end\n"
"for e = 1, n do\n"
"  local id, ts, movie, seenval, pos = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]\n"
"  local nops = tonumber(ARGV[i+5])\n"
"  i = i + 6\n"
"  local dup = false\n"
"  if id ~= '' and ids_max > 0 then\n"
"    if redis.call('ZADD', KEYS[5], 'NX', ts, id) == 0 then dup = true else added_ids = true end\n"
"  end\n"
"  if dup then\n"
"    out[#out + 1] = 0; out[#out + 1] = {}\n"
"    i = i + 3 * nops\n"
"  else\n"
"    local status, partners = 1, {}\n"
"    for k = 1, nops do\n"
"      local code, f, v = ARGV[i], ARGV[i+1], ARGV[i+2]\n"
"      i = i + 3\n"
"      if code == 'N' then add(nb, f, v)\n"
"      elseif code == 'S' then add(sc, f, v)\n"
"      elseif code == 'A' then\n"
"        if consent == nil then consent = (redis.call('HGET', KEYS[1], 'consent') == '1') end\n"
"        if consent then add(emo, f, v) else status = 5 end\n"
"      elseif code == 'Z' then\n"
"        redis.call('HSET', KEYS[1], 'consent', v)\n"
"        consent = (v == '1')\n"
"        if v ~= '1' then emo = {}; redis.call('DEL', KEYS[7]) end\n"
"      elseif code == 'F' then\n"
"        nb, sc, emo = {}, {}, {}\n"
"        for _, k in ipairs(redis.call('SMEMBERS', KEYS[8])) do redis.call('DEL', k) end\n"
"        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])\n"
"        applied, last_ts, pushed, consent, added_ids, forgot = 0, nil, false, nil, false, true\n"
"      end\n"
"    end\n"
"    if movie ~= '' and seenval ~= '' then\n"
"      local old = redis.call('HGET', KEYS[3], movie)\n"
"      redis.call('HSET', KEYS[3], movie, seenval)\n"
"      if pos == '1' and ((not old) or tonumber(old) <= 0) then\n"
"        partners = redis.call('LRANGE', KEYS[4], 0, win - 1)\n"
"        redis.call('LPUSH', KEYS[4], movie)\n"
"        pushed = true\n"
"        if status == 1 then status = 2 end\n"
"      end\n"
"    end\n"
"    if forgot then forgot = false else\n"
"      applied = applied + 1\n"
"      last_ts = ts\n"
"    end\n"
"    out[#out + 1] = status; out[#out + 1] = partners\n"
"  end\n"
"end\n"
"flush()\n"
"if pushed then redis.call('LTRIM', KEYS[4], 0, hist_max - 1) end\n"
"if added_ids and redis.call('ZCARD', KEYS[5]) > ids_max then\n"
"  redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(ids_max + 1)) end\n"
"if applied > 0 then\n"
"  redis.call('HINCRBY', KEYS[1], 'events', applied)\n"
"  redis.call('HSET', KEYS[1], 'last_ts', last_ts)\n"
"end\n"
"return out\n";

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
