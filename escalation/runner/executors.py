"""Executors: run block tasks serially, in local processes, or on a Dask cluster.

All three share one interface, :meth:`Executor.run`, which yields ``(task, result)`` pairs in
whatever order tasks finish; callers never depend on that order. At most ``window`` tasks are
in flight at once, so memory stays bounded however many blocks a study has.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import os
import re
import signal
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from escalation.errors import RunError
from escalation.runner import stopping

EXECUTORS = ("serial", "processes", "dask")


class Executor(ABC):
    """Base class: a context manager that runs ``fn(task)`` for each task."""

    name = "executor"
    workers = 1

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is KeyboardInterrupt and threading.current_thread() is threading.main_thread():
            # after Ctrl-C the blocks in flight are abandoned (finished ones are already saved); a
            # second Ctrl-C during that short wind-down would break the pool's shutdown and leave
            # the process hanging at exit, so it is ignored until the workers are gone
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                self.close(abandon=True)
            finally:
                signal.signal(signal.SIGINT, previous)
            return
        self.close()

    def close(self, abandon: bool = False) -> None:  # noqa: B027  (a no-op for executors without workers)
        """Release workers; pending tasks are cancelled, and with ``abandon`` running ones too."""

    @abstractmethod
    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` for every task, in order of completion."""


class SerialExecutor(Executor):
    """Runs every task in this process, one after another."""

    name = "serial"

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for task in tasks:
            yield task, fn(task)


def _bounded(
    submit: Callable[[Any], Any], wait_one: Callable[[set], tuple[Any, set]], tasks: Iterable[Any], window: int
):
    """Keep at most ``window`` futures in flight; yield ``(task, result)`` as they complete."""
    pending: dict[Any, Any] = {}
    iterator = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            try:
                task = next(iterator)
            except StopIteration:
                exhausted = True
                break
            pending[submit(task)] = task
        if not pending:
            return
        done, _ = wait_one(set(pending))
        for future in done:
            task = pending.pop(future)
            yield task, future.result()


_PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for this process when its parent dies


def _worker_start(parent: int, abandon: Any) -> None:
    """Worker processes leave Ctrl-C to the main process, which stops the study cleanly (setting
    ``abandon``, see :mod:`escalation.runner.stopping`), and end with it: on Linux they are sent
    SIGTERM when the main process dies, even by SIGKILL."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopping.watch(abandon)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: workers end when their task queue closes
            pass
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


class ProcessExecutor(Executor):
    """Runs tasks in a pool of local worker processes, started by loky (part of joblib).

    Each worker is a fresh interpreter, as with ``spawn`` and on every platform, but it does
    not import the script that started it: a plain script needs no ``if __name__ == "__main__":``
    guard. The pool belongs to this executor and ends with :meth:`close`.
    """

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        from joblib.externals import loky  # imported on use: joblib takes 0.15 s to import

        self.workers = workers or os.cpu_count() or 1
        context = loky.backend.get_context("loky")
        self._abandon = context.Event()
        self._pool = loky.ProcessPoolExecutor(
            self.workers, context=context, initializer=_worker_start, initargs=(os.getpid(), self._abandon)
        )
        self._submitted: set[cf.Future] = set()

    def close(self, abandon: bool = False) -> None:
        if abandon:
            self._abandon.set()  # blocks in flight stop at their next tile of worlds
        for future in list(self._submitted):
            future.cancel()  # those not yet handed to a worker
        self._pool.shutdown(wait=True)

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        def submit(task: Any) -> cf.Future:
            future = self._pool.submit(fn, task)
            self._submitted.add(future)
            future.add_done_callback(self._submitted.discard)
            return future

        def wait_one(futures: set) -> tuple[set, set]:
            return cf.wait(futures, return_when=cf.FIRST_COMPLETED)

        yield from _bounded(submit, wait_one, tasks, 2 * self.workers)


DASK_TIMEOUT = 60.0  # seconds to wait for a scheduler, for workers, or for any progress
_ADDRESS = re.compile(r"^(?:(?:tcp|tls)://)?[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def check_scheduler_address(address: str) -> str:
    """``address`` if it reads as a Dask scheduler address (``tcp://HOST:PORT``), else a RunError."""
    if not isinstance(address, str) or not _ADDRESS.match(address):
        shown = repr(address if len(str(address)) <= 60 else str(address)[:60] + "...")
        raise RunError(f"{shown} is not a Dask scheduler address (expected tcp://HOST:PORT)")
    return address


def _connect(client_class: Any, scheduler: str, timeout: float) -> Any:
    """A client of ``scheduler``, or TimeoutError when none is made within ``timeout`` (plus a margin).

    Dask's own connection timeout does not cover a service that accepts the connection and
    never answers; the client is therefore made in a daemon thread that is given up on.
    """
    made: dict[str, Any] = {}

    def connect() -> None:
        try:
            made["client"] = client_class(scheduler, timeout=f"{timeout}s")
        except BaseException as exc:  # handed to the caller's thread
            made["error"] = exc

    thread = threading.Thread(target=connect, name="escalation-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + 5.0)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s (is it a Dask scheduler?)")
    if "error" in made:
        raise made["error"]
    return made["client"]


class DaskExecutor(Executor):
    """Runs tasks on a Dask distributed cluster.

    Give a ``scheduler`` address (``tcp://HOST:PORT``), an existing ``client``, or neither: then
    a local cluster of ``workers`` single-threaded worker processes is started on loopback.
    ``timeout`` (seconds) bounds every wait: for the scheduler, for its first worker, and for
    any task to finish while no worker is left; each ends in a one-line error.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        client: Any = None,
        workers: int | None = None,
        timeout: float = DASK_TIMEOUT,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RunError("the dask executor needs the optional extra: pip install 'escalation[dask]'") from None
        if scheduler is not None:
            check_scheduler_address(scheduler)
        self._cluster = None
        self._own = client is None
        self.timeout = timeout
        try:
            if client is None and scheduler is None:
                self._cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=":0",  # any free port, so clusters never collide
                )
                client = Client(self._cluster)
            self.client = client if client is not None else _connect(Client, scheduler, timeout)
        except (OSError, TimeoutError, ValueError, MemoryError) as exc:  # no answer, or not a Dask scheduler
            raise RunError(f"cannot reach a Dask scheduler at {scheduler}: {type(exc).__name__}: {exc}"[:300]) from None
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            self.close()
            raise RunError(f"the Dask scheduler at {scheduler} has no workers (waited {timeout:g} s)") from None
        self.workers = max(sum(self.client.nthreads().values()), 1)

    def close(self, abandon: bool = False) -> None:
        if self._own:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        from distributed import wait

        def wait_one(futures: set) -> tuple[set, set]:
            while True:
                try:
                    done, not_done = wait(list(futures), timeout=self.timeout, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    if not self.client.nthreads():
                        raise RunError(
                            f"the Dask cluster lost all its workers (nothing finished in {self.timeout:g} s); "
                            "finished blocks are kept: continue with --resume"
                        ) from None
                    continue  # workers are there and busy: keep waiting
                return set(done), set(not_done)

        def submit(task: Any) -> Any:
            return self.client.submit(fn, task, pure=False)

        from distributed.client import FuturesCancelledError
        from distributed.comm.core import CommClosedError

        try:
            yield from _bounded(submit, wait_one, tasks, 2 * self.workers)
        except ImportError as exc:
            raise RunError(
                f"the Dask workers cannot run the study ({exc}); install escalation on every worker"
            ) from None
        except (FuturesCancelledError, CommClosedError, OSError) as exc:
            raise RunError(
                f"lost the Dask scheduler ({type(exc).__name__}); finished blocks are kept: continue with --resume"
            ) from None


def make_executor(
    kind: str = "serial", workers: int | None = None, scheduler: str | None = None, timeout: float = DASK_TIMEOUT
) -> Executor:
    """Build an executor by name (``serial``, ``processes`` or ``dask``; ``timeout`` is Dask's, in seconds)."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(scheduler, workers=workers, timeout=timeout)
    raise RunError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")


@contextlib.contextmanager
def open_executor(
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    timeout: float = DASK_TIMEOUT,
) -> Iterator[Executor]:
    """The executor to run on: one handed in is left open (it belongs to the caller, who may
    run more studies on it); one named is built with :func:`make_executor` and closed on exit."""
    if isinstance(executor, Executor):
        yield executor
        return
    with make_executor(executor, workers, scheduler, timeout) as built:
        yield built
