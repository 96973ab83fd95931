"""Bridging an async request body to a blocking consumer running in a worker thread.

The consumer (a storage backend) pulls chunks as it writes, through a small bounded
channel, so a 5 GB upload never sits in memory and the event loop never blocks on disk
or network I/O.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio.from_thread import run as run_from_thread

T = TypeVar("T")
COALESCE = 1 << 20  # hand the consumer ~1 MiB at a time
QUEUE = 4


class BodyInterrupted(Exception):
    """The client stopped sending before the body was complete."""


async def pump(stream: AsyncIterator[bytes], consume: Callable[[Iterator[bytes]], T]) -> T:
    """Run ``consume(chunks)`` in a worker thread, feeding it ``stream``'s bytes."""
    send, receive = anyio.create_memory_object_stream[bytes | BaseException](QUEUE)
    result: list[T] = []

    def chunks() -> Iterator[bytes]:
        while True:
            try:
                item = run_from_thread(receive.receive)
            except anyio.EndOfStream:
                return
            if isinstance(item, BaseException):
                raise BodyInterrupted(str(item) or type(item).__name__) from item
            yield item

    async def produce() -> None:
        buffer = bytearray()
        try:
            async with send:
                try:
                    async for chunk in stream:
                        buffer += chunk
                        if len(buffer) >= COALESCE:
                            await send.send(bytes(buffer))
                            buffer.clear()
                    if buffer:
                        await send.send(bytes(buffer))
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    raise
                except Exception as exc:  # the client went away: tell the consumer
                    await send.send(exc)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return  # the consumer stopped reading (it finished or failed)

    outcome: list[BaseException] = []

    async with anyio.create_task_group() as group:
        group.start_soon(produce)
        try:
            result.append(await anyio.to_thread.run_sync(lambda: consume(chunks())))
        except Exception as exc:
            outcome.append(exc)
        finally:
            receive.close()
            group.cancel_scope.cancel()
    if outcome:
        raise outcome[0]
    return result[0]
