"""Leases on queued requests: a popped request stays in Redis until its worker is done with it.

scrapy-redis pops a request for good, so a worker killed mid-request loses it. Here a pop moves the request from
the queue into a lease (the request, its queue score, its worker) with a deadline; the worker renews the
deadlines of the requests it still works on and drops the lease of each it finished. Whoever finds a lease past
its deadline puts the request back in the queue and records the take-over. Each step is one Lua script, and
deadlines are on the Redis server's clock (workers' clocks may differ). The model is browsertrix-crawler's pending
set (``src/util/state.ts``): a URL of a dead worker comes back when its lock expires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis import Redis

# Server time in seconds, as a float (TIME gives seconds and microseconds).
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1e6 "

# KEYS: queue, leases, deadlines. ARGV: ttl, worker. Returns {lease id, request data} or nil.
_TAKE = _NOW + """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local id = redis.sha1hex(item[1])
redis.call('HSET', KEYS[2], id, cjson.encode({data = item[1], score = item[2], worker = ARGV[2]}))
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), id)
return {id, item[1]}
"""

# KEYS: leases, deadlines. ARGV: ttl, worker, ids... Renews the given leases the worker still holds.
_RENEW = _NOW + """
local renewed = 0
for i = 3, #ARGV do
  local lease = redis.call('HGET', KEYS[1], ARGV[i])
  if lease and cjson.decode(lease).worker == ARGV[2] then
    redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[1]), ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
"""

# KEYS: leases, deadlines. ARGV: worker, ids... Drops the given leases the worker holds (requests done).
_RELEASE = """
local released = 0
for i = 2, #ARGV do
  local lease = redis.call('HGET', KEYS[1], ARGV[i])
  if lease and cjson.decode(lease).worker == ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('ZREM', KEYS[2], ARGV[i])
    released = released + 1
  end
end
return released
"""

# KEYS: queue, leases, deadlines, taken-over list. ARGV: worker ("" for every expired lease, else that
# worker's leases whatever their deadline), by whom. Returns the number of requests put back in the queue.
_RETURN = _NOW + """
local ids
if ARGV[1] == '' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
else
  ids = redis.call('ZRANGE', KEYS[3], 0, -1)
end
local returned = 0
for _, id in ipairs(ids) do
  local raw = redis.call('HGET', KEYS[2], id)
  local lease = raw and cjson.decode(raw)
  if lease and (ARGV[1] == '' or lease.worker == ARGV[1]) then
    redis.call('ZADD', KEYS[1], lease.score, lease.data)
    redis.call('HDEL', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    if ARGV[1] == '' then
      redis.call('RPUSH', KEYS[4], cjson.encode({url = cjson.decode(lease.data).url, worker = lease.worker,
                                                 by = ARGV[2]}))
    end
    returned = returned + 1
  elseif not lease then
    redis.call('ZREM', KEYS[3], id)
  end
end
return returned
"""


@dataclass(frozen=True)
class Takeover:
    """A request whose worker stopped renewing its lease, put back in the queue by worker ``by``."""

    url: str
    worker: str
    by: str


class Leases:
    """The leases of one spider's queue in one run (keys ``<queue>:leases``, ``:deadlines``, ``:taken-over``)."""

    def __init__(self, server: Redis, queue_key: str, worker: str, ttl: float) -> None:
        """Bind the scripts to the queue's keys.

        Args:
            server: the Redis client.
            queue_key: the scrapy-redis priority queue (a sorted set of serialised requests).
            worker: this worker's id (host and pid).
            ttl: seconds a lease holds without renewal.
        """
        self.server, self.worker, self.ttl = server, worker, ttl
        self.queue_key = queue_key
        self.keys = {name: f"{queue_key}:{name}" for name in ("leases", "deadlines", "taken-over")}
        self._take = server.register_script(_TAKE)
        self._renew = server.register_script(_RENEW)
        self._release = server.register_script(_RELEASE)
        self._return = server.register_script(_RETURN)

    def take(self) -> tuple[str, str] | None:
        """Pop the first request of the queue under a lease: return (lease id, serialised request), or None."""
        found: Any = self._take(keys=[self.queue_key, self.keys["leases"], self.keys["deadlines"]],
                                args=[self.ttl, self.worker])
        if not found:
            return None
        lease_id, data = (v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in found)
        return lease_id, data

    def renew(self, lease_ids: list[str]) -> int:
        """Push the deadlines of leases this worker still holds ``ttl`` seconds on; return how many it holds."""
        if not lease_ids:
            return 0
        return int(self._renew(keys=[self.keys["leases"], self.keys["deadlines"]],
                               args=[self.ttl, self.worker, *lease_ids]))

    def release(self, lease_ids: list[str]) -> int:
        """Drop the leases of requests this worker is done with; return how many it still held."""
        if not lease_ids:
            return 0
        return int(self._release(keys=[self.keys["leases"], self.keys["deadlines"]], args=[self.worker, *lease_ids]))

    def return_expired(self) -> int:
        """Put the requests of expired leases (their worker died or hung) back in the queue, recording each
        take-over; return how many."""
        return int(self._return(keys=[self.queue_key, *self.keys.values()], args=["", self.worker]))

    def return_own(self) -> int:
        """Put back in the queue every request this worker still holds (it stops before finishing them)."""
        return int(self._return(keys=[self.queue_key, *self.keys.values()], args=[self.worker, self.worker]))

    def pending(self) -> int:
        """Return the number of leased requests (in flight at some worker) of the whole run."""
        return int(self.server.hlen(self.keys["leases"]))

    def takeovers(self, limit: int = 10_000) -> list[Takeover]:
        """Return the take-overs of the run so far (the first ``limit``)."""
        found = []
        for raw in self.server.lrange(self.keys["taken-over"], 0, limit - 1):
            entry = json.loads(raw)
            found.append(Takeover(str(entry["url"]), str(entry["worker"]), str(entry["by"])))
        return found
