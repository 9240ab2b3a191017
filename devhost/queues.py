"""Queue triggers: poll an Azure Storage queue (Azurite locally) like the Functions host does.

* messages are base64 text by default (host.json ``extensions.queues.messageEncoding``);
* a message is deleted when the function returns, made visible again (after
  ``visibilityTimeout``, default 0 s) when it raises, and moved to ``<queue>-poison``
  once it has been dequeued ``maxDequeueCount`` (default 5) times;
* while a function runs, its message's lease is renewed so that no other poller takes it;
* polling backs off exponentially up to ``maxPollingInterval`` (default 1 s here;
  the real host's default of 1 min is too slow for development).
"""
from __future__ import annotations

import base64
import binascii
import datetime
import logging
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Optional

import azure.functions as func

from .functions import FunctionInfo, Invoker

log = logging.getLogger("devhost.queue")

LEASE_SECONDS = 60


@dataclass
class QueueOptions:
    batch_size: int = 4
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0  # seconds before a failed message is visible again
    min_polling_interval: float = 0.1
    max_polling_interval: float = 1.0
    message_encoding: str = "base64"  # or "none"


class LocalQueueMessage(func.QueueMessage):
    """azure.functions.QueueMessage with the metadata the real worker fills in."""

    def __init__(self, *, id: str, body: bytes, pop_receipt: Optional[str], dequeue_count: int,
                 insertion_time: Optional[datetime.datetime] = None,
                 expiration_time: Optional[datetime.datetime] = None,
                 time_next_visible: Optional[datetime.datetime] = None) -> None:
        super().__init__(id=id, body=body, pop_receipt=pop_receipt)
        self._dequeue_count = dequeue_count
        self._insertion_time = insertion_time
        self._expiration_time = expiration_time
        self._time_next_visible = time_next_visible

    @property
    def dequeue_count(self) -> int:
        return self._dequeue_count

    @property
    def insertion_time(self):
        return self._insertion_time

    @property
    def expiration_time(self):
        return self._expiration_time

    @property
    def time_next_visible(self):
        return self._time_next_visible


def _queue_client(connection: str, queue_name: str):
    """A QueueClient without encode/decode policies: the runner handles base64 itself."""
    from azure.storage.queue import QueueClient

    if connection.startswith("identity:"):
        from azure.identity import DefaultAzureCredential

        return QueueClient(connection[len("identity:"):], queue_name, credential=DefaultAzureCredential())
    return QueueClient.from_connection_string(connection, queue_name)


class _Lease:
    """Keeps a message invisible while its function runs; remembers the latest pop receipt."""

    def __init__(self, client, message) -> None:
        self.client = client
        self.message_id = message.id
        self.pop_receipt = message.pop_receipt
        self.lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{message.id[:8]}", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._done.wait(LEASE_SECONDS / 2):
            with self.lock:
                if self._done.is_set():
                    return
                try:
                    updated = self.client.update_message(self.message_id, self.pop_receipt,
                                                         visibility_timeout=LEASE_SECONDS)
                    self.pop_receipt = updated.pop_receipt
                except Exception as exc:  # noqa: BLE001
                    log.warning("could not renew the lease on message %s: %s", self.message_id, exc)

    def release(self) -> None:
        self._done.set()


class QueueTriggerRunner:
    def __init__(self, info: FunctionInfo, invoker: Invoker, connection: str, queue_name: str,
                 options: QueueOptions, executor: ThreadPoolExecutor) -> None:
        self.info = info
        self.invoker = invoker
        self.connection = connection
        self.queue_name = queue_name
        self.options = options
        self.executor = executor
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._client = None
        self._poison = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"queue-{self.info.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- polling ----------------------------------------------------------
    def _ensure_client(self):
        if self._client is None:
            from azure.core.exceptions import ResourceExistsError

            client = _queue_client(self.connection, self.queue_name)
            try:
                client.create_queue()
            except ResourceExistsError:
                pass
            self._client = client
        return self._client

    def _run(self) -> None:
        delay = self.options.min_polling_interval
        failures = 0
        while not self._stop.is_set():
            try:
                client = self._ensure_client()
                messages = list(client.receive_messages(
                    messages_per_page=self.options.batch_size,
                    max_messages=self.options.batch_size,
                    visibility_timeout=LEASE_SECONDS,
                ))
                failures = 0
            except Exception as exc:  # noqa: BLE001 - storage down: log, back off, retry
                failures += 1
                if failures == 1 or failures % 30 == 0:
                    log.warning("queue %s: polling failed (%s); retrying", self.queue_name, exc)
                self._stop.wait(min(5.0, 0.5 * failures))
                continue
            if not messages:
                self._stop.wait(delay)
                delay = min(delay * 2, self.options.max_polling_interval)
                continue
            delay = self.options.min_polling_interval
            futures = [self.executor.submit(self._process, m) for m in messages]
            wait(futures)

    # -- one message ------------------------------------------------------
    def _decode(self, content) -> bytes:
        if isinstance(content, bytes):
            raw = content
        else:
            raw = (content or "").encode("utf-8")
        if self.options.message_encoding.lower() == "base64":
            try:
                return base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError("the message is not valid base64 (the host's default encoding)") from exc
        return raw

    def _process(self, message) -> None:
        client = self._client
        if message.dequeue_count > self.options.max_dequeue_count:
            self._to_poison(message, message.pop_receipt)
            return
        lease = _Lease(client, message)
        ok = False
        try:
            body = self._decode(message.content)
            qm = LocalQueueMessage(
                id=message.id, body=body, pop_receipt=message.pop_receipt,
                dequeue_count=message.dequeue_count, insertion_time=message.inserted_on,
                expiration_time=message.expires_on, time_next_visible=message.next_visible_on,
            )
            self.invoker.call(self.info, qm)
            ok = True
        except Exception:  # noqa: BLE001
            log.exception("function %s failed on message %s (dequeue count %d)",
                          self.info.name, message.id, message.dequeue_count)
        finally:
            lease.release()
        with lease.lock:
            receipt = lease.pop_receipt
        try:
            if ok:
                client.delete_message(message.id, receipt)
                log.info("function %s processed message %s", self.info.name, message.id)
            elif message.dequeue_count >= self.options.max_dequeue_count:
                self._to_poison(message, receipt)
            else:
                client.update_message(message.id, receipt, visibility_timeout=int(self.options.visibility_timeout))
        except Exception as exc:  # noqa: BLE001
            log.warning("queue %s: could not settle message %s: %s", self.queue_name, message.id, exc)

    def _to_poison(self, message, receipt) -> None:
        from azure.core.exceptions import ResourceExistsError

        name = f"{self.queue_name}-poison"
        if self._poison is None:
            poison = _queue_client(self.connection, name)
            try:
                poison.create_queue()
            except ResourceExistsError:
                pass
            self._poison = poison
        self._poison.send_message(message.content)
        self._client.delete_message(message.id, receipt)
        log.warning("message %s moved to %s after %d dequeues", message.id, name, message.dequeue_count)
