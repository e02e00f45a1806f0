"""No network from query execution: a seccomp filter that makes outbound connections fail.

The token check in `kqgraph.sparql` refuses SERVICE, LOAD and FROM before any engine sees a
query. This is the second wall, for whatever that check might miss: where the query runs,
the operating system refuses `connect()` (and `sendto()` to an address, and io_uring, which
could do either), so no SPARQL engine, parser or library can reach another machine, whatever
the text said. Listening and answering on sockets already open still works, which is what
`kqgraph serve` needs.

Linux on x86-64 and ARM64 only (`available()`); elsewhere the token check stands alone. A
filter cannot be lifted once set: the command line seals its own, short-lived process
(`seal_process`); the library runs each query in a new thread sealed on its own
(`run_sealed`), so a program that imports kqgraph keeps its network.
"""

from __future__ import annotations

import ctypes
import platform
import sys
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")

# Per architecture: the audit tag, and the numbers of connect, sendto, io_uring_setup and
# seccomp.
ARCHES = {"x86_64": (0xC000003E, 42, 44, 425, 317),
          "aarch64": (0xC00000B7, 203, 206, 425, 277)}
X32_BIT = 0x40000000  # x86-64's x32 calling convention: refused outright
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
ALLOW, DENY = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ERRNO with EACCES
LOAD, JUMP_EQ, JUMP_SET, RETURN = 0x20, 0x15, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|..., BPF_RET
ARG4 = 16 + 4 * 8  # offset of args[4] (sendto's destination) in struct seccomp_data

STACK_BYTES = 16 << 20
_stack_lock = threading.Lock()
_sealed = False  # this whole process
_local = threading.local()  # this thread only


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def available() -> bool:
    return sys.platform == "linux" and platform.machine() in ARCHES


def sealed() -> bool:
    """Whether the calling thread can no longer open outbound connections."""
    return _sealed or getattr(_local, "sealed", False)


def program(arch: int, connect: int, sendto: int, uring: int) -> list[_Filter]:
    """The BPF filter: refuse another architecture's calls, x32 calls, connect, io_uring and
    sendto with a destination address; allow everything else."""
    code = [  # (label, operation, label if true, label if false, operand)
        ("arch", LOAD, None, None, 4),
        (None, JUMP_EQ, "nr", "deny", arch),
        ("nr", LOAD, None, None, 0),
        (None, JUMP_SET, "deny", "connect", X32_BIT),
        ("connect", JUMP_EQ, "deny", "uring", connect),
        ("uring", JUMP_EQ, "deny", "sendto", uring),
        ("sendto", JUMP_EQ, "low", "allow", sendto),
        ("low", LOAD, None, None, ARG4),
        (None, JUMP_EQ, "high", "deny", 0),
        ("high", LOAD, None, None, ARG4 + 4),
        (None, JUMP_EQ, "allow", "deny", 0),
        ("allow", RETURN, None, None, ALLOW),
        ("deny", RETURN, None, None, DENY),
    ]
    at = {label: i for i, (label, *_) in enumerate(code) if label}
    return [_Filter(op, at[yes] - i - 1 if yes else 0, at[no] - i - 1 if no else 0, k)
            for i, (_, op, yes, no, k) in enumerate(code)]


def _install(*, whole_process: bool) -> None:
    arch, connect, sendto, uring, seccomp = ARCHES[platform.machine()]
    libc = ctypes.CDLL(None, use_errno=True)
    filters = program(arch, connect, sendto, uring)
    prog = _Program(len(filters), (_Filter * len(filters))(*filters))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    libc.syscall.restype = ctypes.c_long
    flags = SECCOMP_FILTER_FLAG_TSYNC if whole_process else 0
    if libc.syscall(ctypes.c_long(seccomp), ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                    ctypes.c_long(flags), ctypes.byref(prog)) != 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER) failed")


def seal_process() -> bool:
    """Forbid outbound connections to every thread of this process, for good (and to the
    programs it starts). For processes that exist to run one command. False where the
    platform has no such filter."""
    global _sealed
    if not _sealed and available():
        _install(whole_process=True)
        _sealed = True
    return _sealed


def _release(err: BaseException) -> None:
    """Drop the locals of the frames an error carries (its own and those of the errors it
    was raised from or during), in this thread: an engine's answer they may hold must be
    dropped in the thread that made it (pyoxigraph's query solutions are unsendable)."""
    import traceback

    seen: set[int] = set()
    pending: list[BaseException | None] = [err]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if current.__traceback__ is not None:
            traceback.clear_frames(current.__traceback__)
        pending += [current.__context__, current.__cause__]


def run_sealed(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a thread that cannot open outbound connections (in this thread if it
    already cannot, or where the platform has no filter); its result or its exception."""
    if sealed() or not available():
        return work(*args)
    outcome: list[Any] = []

    def sealed_work() -> None:
        try:
            _install(whole_process=False)
            _local.sealed = True
            outcome.append((True, work(*args)))
        except BaseException as err:  # re-raised in the caller's thread
            _release(err)
            outcome.append((False, err))

    # A daemon, so that Ctrl-C ends the program even while the engine is busy; a stack as
    # large as the main thread's, which kqgraph.sparql's limits were measured against.
    worker = threading.Thread(target=sealed_work, name="kqgraph-sealed", daemon=True)
    with _stack_lock:
        previous = threading.stack_size(STACK_BYTES)
        try:
            worker.start()
        finally:
            threading.stack_size(previous)
    worker.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
