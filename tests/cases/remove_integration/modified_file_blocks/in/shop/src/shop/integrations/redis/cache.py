"""An async cache: prefixed keys, JSON values validated by pydantic, optional TTLs.

`Cache` holds the logic and talks to a `CacheBackend`: `RedisCacheBackend` in
production (a `redis.asyncio.Redis` client), `testing.InMemoryCacheBackend` in
tests. Every key is stored as `<prefix>:<name>` so several applications can
share one Redis database.
"""

import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

import redis.asyncio
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError, to_json

T = TypeVar("T")

KEY_SEPARATOR = ":"


class CacheValueError(ValueError):
    """A value cannot be stored as JSON."""


class CacheDecodeError(ValueError):
    """A stored value is not valid JSON for the requested type."""


class CacheBackend(Protocol):
    """The few byte-level operations the cache needs from a store."""

    async def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""
        ...

    async def set(self, key: str, value: bytes, ttl_ms: int | None) -> None:
        """Store `value`; it expires after `ttl_ms` milliseconds unless that is None."""
        ...

    async def delete(self, keys: Sequence[str]) -> int:
        """Delete `keys`; return how many existed."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether `key` holds a value."""
        ...

    async def ttl_ms(self, key: str) -> int | None:
        """Milliseconds until `key` expires; None when it is missing or never expires."""
        ...

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""
        ...

    async def aclose(self) -> None:
        """Release the connections."""
        ...


class RedisCacheBackend:
    """`CacheBackend` on a `redis.asyncio.Redis` client that returns bytes."""

    def __init__(self, client: redis.asyncio.Redis) -> None:
        self.client = client

    async def get(self, key: str) -> bytes | None:
        value = await self.client.get(key)
        if value is None or isinstance(value, bytes):
            return value
        raise TypeError("the Redis client must be created with decode_responses=False")

    async def set(self, key: str, value: bytes, ttl_ms: int | None) -> None:
        await self.client.set(key, value, px=ttl_ms)

    async def delete(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        return int(await self.client.delete(*keys))

    async def exists(self, key: str) -> bool:
        return int(await self.client.exists(key)) > 0

    async def ttl_ms(self, key: str) -> int | None:
        # PTTL answers -2 for a missing key and -1 for a key without expiry.
        remaining = int(await self.client.pttl(key))
        return remaining if remaining >= 0 else None

    async def ping(self) -> None:
        await self.client.ping()

    async def aclose(self) -> None:
        await self.client.aclose()


class Cache:
    """Typed JSON values under prefixed keys, with optional expiry.

    Values are anything pydantic serialises to JSON (models, dicts, lists,
    strings, numbers, datetimes, ...); reads validate the JSON against the type
    the caller asks for, so a cached value always comes back typed.
    """

    def __init__(self, backend: CacheBackend, key_prefix: str) -> None:
        self.backend = backend
        self.key_prefix = key_prefix

    def key(self, name: str) -> str:
        """The Redis key of `name`: `<prefix>:<name>` (just `name` without a prefix)."""
        if not name:
            raise ValueError("a cache key name must not be empty")
        return f"{self.key_prefix}{KEY_SEPARATOR}{name}" if self.key_prefix else name

    async def get(self, name: str, type_: type[T]) -> T | None:
        """The value stored under `name` as a `type_`, or None when there is none.

        Raises `CacheDecodeError` when the stored JSON does not fit `type_`.
        """
        raw = await self.backend.get(self.key(name))
        return None if raw is None else _decode(type_, name, raw)

    async def set(self, name: str, value: object, *, ttl_seconds: float | None = None) -> None:
        """Store `value` as JSON under `name`, expiring after `ttl_seconds` (None: never).

        Raises `CacheValueError` when `value` cannot be serialised to JSON and
        ValueError when `ttl_seconds` is not positive.
        """
        try:
            raw = to_json(value)
        except PydanticSerializationError as error:
            raise CacheValueError(f"cannot store {name!r} as JSON: {error}") from None
        await self.set_bytes(name, raw, ttl_seconds=ttl_seconds)

    async def get_bytes(self, name: str) -> bytes | None:
        """The raw bytes stored under `name`, or None."""
        return await self.backend.get(self.key(name))

    async def set_bytes(self, name: str, raw: bytes, *, ttl_seconds: float | None = None) -> None:
        """Store raw bytes under `name`, expiring after `ttl_seconds` (None: never)."""
        await self.backend.set(self.key(name), raw, _ttl_ms(ttl_seconds))

    async def get_or_set(
        self,
        name: str,
        type_: type[T],
        compute: Callable[[], Awaitable[T]],
        *,
        ttl_seconds: float | None = None,
    ) -> T:
        """The cached `type_` under `name`; on a miss, `await compute()` and cache it.

        A stored value that no longer fits `type_` (say, after the model changed)
        counts as a miss and is overwritten; so does a cached JSON `null`.
        """
        try:
            cached = await self.get(name, type_)
        except CacheDecodeError:
            cached = None
        if cached is not None:
            return cached
        value = await compute()
        await self.set(name, value, ttl_seconds=ttl_seconds)
        return value

    async def delete(self, *names: str) -> int:
        """Delete `names`; return how many of them existed."""
        return await self.backend.delete([self.key(name) for name in names])

    async def exists(self, name: str) -> bool:
        """Whether `name` holds a value."""
        return await self.backend.exists(self.key(name))

    async def ttl(self, name: str) -> float | None:
        """Seconds until `name` expires; None when it is missing or never expires."""
        remaining = await self.backend.ttl_ms(self.key(name))
        return None if remaining is None else remaining / 1000

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""
        await self.backend.ping()

    async def aclose(self) -> None:
        """Release the backend's connections."""
        await self.backend.aclose()


def _ttl_ms(ttl_seconds: float | None) -> int | None:
    if ttl_seconds is None:
        return None
    if not ttl_seconds > 0:
        raise ValueError(f"ttl_seconds must be greater than 0 or None, got {ttl_seconds}")
    # Round up so a short TTL never becomes "expire immediately".
    return max(1, math.ceil(ttl_seconds * 1000))


def _decode(type_: type[T], name: str, raw: bytes) -> T:
    try:
        return TypeAdapter(type_).validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]["msg"]
        raise CacheDecodeError(
            f"cached value {name!r} does not fit {getattr(type_, '__name__', type_)}: {first}"
        ) from None


LOCAL_TWEAK = 1
