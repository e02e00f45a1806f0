"""Load stage, second half: the persistent store that large graphs are built into once.

From CACHE_MIN_BYTES of graph files, parsing into memory at every command costs more than
opening a store built once (benchmarks/README.md, the crossover table). The store lives in
the cache folder, keyed by the files' signature; it is rebuilt when the files change, when
it is damaged, and safely when several commands build it at once. `kqgraph serve` serves
it, or a writable copy of it.
"""

from __future__ import annotations

import os
from pathlib import Path

from kqgraph.errors import KqError
from kqgraph.files import parse_file, parser_message, rdf_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    import pyoxigraph as ox

CACHE_MIN_BYTES = 1_000_000
MARKER = "kqgraph-store.key"  # the files' signature, written when the build is done
STORE_PART = b"\0store\0"  # in the marker, before the store's own files
KEEP_STORES = 4
SERVED = "served-"  # the writable copy `kqgraph serve` makes of a store
DERIVED = ".derived"  # beside a store's folder: what later stages computed from it


def persistent(files: list[Path], cache: str | None = None) -> bool:
    """Whether these files go into a persistent store (else they are parsed into memory);
    `cache` (or $KQGRAPH_CACHE) is "auto", "always" or "never"."""
    mode = cache or os.environ.get("KQGRAPH_CACHE", "auto")
    if mode not in ("auto", "always", "never"):
        raise KqError(f"KQGRAPH_CACHE must be auto, always or never, not {mode!r}")
    size = sum(f.stat().st_size for f in files)
    return mode == "always" or (mode == "auto" and size >= CACHE_MIN_BYTES)


def cache_dir() -> Path:
    """$KQGRAPH_CACHE_DIR, else the user's cache folder (XDG), else ~/.cache/kqgraph."""
    if folder := os.environ.get("KQGRAPH_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kqgraph"


def signature(files: list[Path]) -> bytes:
    """What the store depends on: the package version and each file's path, size and
    modification time (nanoseconds). Hashing the contents of a large graph would cost more
    than the query it serves; size and mtime change on every edit, as for make and git."""
    from kqgraph import __version__

    parts = [f"kqgraph {__version__}"]
    for path in files:
        stat = path.stat()
        parts.append(f"{path.resolve()}\t{stat.st_size}\t{stat.st_mtime_ns}")
    return "\0".join(parts).encode("utf-8", "surrogateescape")


def cache_key(files: list[Path]) -> str:
    """The store's folder name: a 64-bit checksum of the files' signature. The store's
    marker holds the whole signature, so a checksum collision only costs a rebuild. (zlib,
    not hashlib: hashlib loads OpenSSL, 3.7 MB and 5 ms of every query's start-up.)"""
    return _checksum(signature(files))


def _checksum(data: bytes) -> str:
    import zlib

    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def cached_store(files: list[Path], *, progress: Callable[[str], None] | None = None,
                 rebuild: bool = False) -> ox.Store:
    """The persistent store for `files`, built if missing, damaged or `rebuild`, opened
    read-only.

    Safe when several commands build at once: each builds in its own temporary folder and
    renames it into place; the first rename wins and the others use the winner's store. A
    store is trusted only when its marker (written last) holds the files' signature and the
    size and modification time of each of the store's own files as they were built: a file
    changed since (bytes flipped, a truncated copy) means a rebuild before any read, as
    RocksDB does not always notice damage, and a damaged block can make a query run away.
    """
    import pyoxigraph as ox

    sign = signature(files)
    key = _checksum(sign)
    folder = cache_dir() / key
    damaged = rebuild
    if folder.parent.is_dir():
        _remove_leftovers(folder.parent)
    if not rebuild and _valid(folder, sign):
        try:
            return ox.Store.read_only(str(folder))
        except (OSError, RuntimeError):  # RocksDB raises "Corruption: ...": rebuilt below
            damaged = True  # though its marker says it was built
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = folder.parent / f".{key}.{os.getpid()}.building"
    _remove(building)
    _build(building, files, sign, progress)
    try:
        if folder.exists():
            _swap(building, folder, sign, damaged=damaged)
        else:
            os.replace(building, folder)
    except OSError:
        _remove(building)  # another command put a valid store there first
    _prune(folder)
    return ox.Store.read_only(str(folder))


def derived(files: list[Path], name: str, depends: bytes, make: Callable[[], bytes]
            ) -> bytes:
    """What `make` computes from the persistent store of `files` (e.g. the network
    projection), kept in a file beside the store and reused until the store or `depends`
    (the code and options it was made with) changes.

    The file's first line stamps the store's marker (its files' signature and the store's
    own files as built, so a rebuilt store makes it stale), `depends` and a checksum of the
    body (a damaged file is made again, never read). Written whole and renamed into place,
    so that a command killed while writing, or several commands at once, leave either no
    file or a complete one; a cache folder that cannot be written costs only the reuse.
    """
    folder = cache_dir() / cache_key(files)
    marker = _marker(folder)
    if marker is None:
        return make()
    stamp = f"{_checksum(marker)}{_checksum(depends)}".encode()
    path = folder.with_name(folder.name + DERIVED) / name
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        if head == stamp + _checksum(body).encode():
            return body
    except OSError:
        pass
    body = make()
    part = path.with_name(f".{name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(exist_ok=True)
        part.write_bytes(stamp + _checksum(body).encode() + b"\n" + body)
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)
    return body


def _marker(folder: Path) -> bytes | None:
    try:
        return (folder / MARKER).read_bytes()
    except OSError:
        return None


def _fingerprint(folder: Path) -> bytes:
    """The store's own files, each with its size and modification time."""
    entries = sorted(f"{p.name}\t{p.stat().st_size}\t{p.stat().st_mtime_ns}"
                     for p in folder.iterdir() if p.name != MARKER)
    return "\n".join(entries).encode()


def _valid(folder: Path, sign: bytes) -> bool:
    marker = _marker(folder)
    if marker is None or not marker.startswith(sign + STORE_PART):
        return False
    try:
        return marker[len(sign) + len(STORE_PART):] == _fingerprint(folder)
    except OSError:
        return False


def _swap(building: Path, folder: Path, sign: bytes, *, damaged: bool) -> None:
    """Replace a damaged or unfinished store with the new one (a valid one, which another
    command may have just put there, is kept and ours dropped)."""
    if not damaged and _valid(folder, sign):
        _remove(building)
        return
    trash = folder.with_name(f".{folder.name}.{os.getpid()}.damaged")
    os.replace(folder, trash)
    os.replace(building, folder)
    _remove(trash)


def forget_stores() -> None:
    """Make every store in the cache folder untrusted (its marker removed), so that the next
    command rebuilds what it needs."""
    import contextlib

    folder = cache_dir()
    for marker in folder.glob(f"*/{MARKER}") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            marker.unlink()


def _remove_leftovers(cache: Path) -> None:
    """Builds and swaps of commands that were killed, and copies of servers that stopped
    (their process is gone)."""
    for path in cache.glob(".*.*.*"):
        name, _, kind = path.name.rpartition(".")
        pid = name.rpartition(".")[2]
        if kind in ("building", "damaged") and pid.isdigit() and not _alive(int(pid)):
            _remove(path)
    for path in cache.glob(f"*{DERIVED}/.*.*.part"):  # see derived
        pid = path.name.split(".")[-2]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
    for path in cache.glob(f"{SERVED}*.*"):
        pid = path.name.rpartition(".")[2]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _build(folder: Path, files: list[Path], sign: bytes,
           progress: Callable[[str], None] | None) -> None:
    import pyoxigraph as ox

    store = ox.Store(str(folder))
    try:
        _load_files(store, files, progress)
        store.flush()
    except BaseException:
        del store  # closes it, so that its folder can go
        _remove(folder)
        raise
    del store
    (folder / MARKER).write_bytes(sign + STORE_PART + _fingerprint(folder))
    _give_back_memory()


def _give_back_memory() -> None:
    """Return to the system what the bulk loader freed: glibc keeps it for the loading
    thread, and the command goes on to read the whole graph (viz of a new 100k graph
    peaked 15 MB lower: 285 MB against 299). Nothing to do where the C library has no
    malloc_trim."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _load_files(store: ox.Store, files: list[Path],
                progress: Callable[[str], None] | None) -> None:
    """Bulk-load each file, reporting progress every half second."""
    try:
        _load_each(store, files, progress)
    finally:
        if progress:
            progress("")


def _load_each(store: ox.Store, files: list[Path],
               progress: Callable[[str], None] | None) -> None:
    import threading
    import time

    total = sum(f.stat().st_size for f in files)
    for number, path in enumerate(files, start=1):
        fmt = rdf_format(path)
        failure: list[BaseException] = []

        def load(path: Path = path, fmt: ox.RdfFormat = fmt, failure: list = failure) -> None:
            try:
                store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
            except BaseException as err:  # re-raised in the calling thread
                failure.append(err)

        worker = threading.Thread(target=load, daemon=True)
        started = time.monotonic()
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
            if progress and worker.is_alive():
                progress(f"building the store: file {number} of {len(files)}, "
                         f"{total / 1e6:.0f} MB in all, {time.monotonic() - started:.0f} s")
        if failure:
            if isinstance(failure[0], SyntaxError):
                parse_file(path)  # raises the KqError with line and column
            raise KqError(parser_message(failure[0]), path=path)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _prune(keep: Path) -> None:
    """Keep the few most recently built stores; remove older ones. Only folders that are
    finished stores count (a `served-` copy of a running server is never touched)."""
    stores = sorted((p for p in keep.parent.iterdir()
                     if p.is_dir() and _finished(p)),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[KEEP_STORES:]:
        if old != keep:
            _remove(old)
            _remove(old.with_name(old.name + DERIVED))


def _finished(folder: Path) -> bool:
    """A store whose build completed: its marker's signature checksums to its name."""
    sign = (_marker(folder) or b"").partition(STORE_PART)[0]
    return bool(sign) and _checksum(sign) == folder.name


def serve_command(files: list[Path], binary: str, *, read_only: bool, host: str,
                  port: int, progress: Callable[[str], None] | None = None) -> list[str]:
    """The Oxigraph server's command line for these files' store: the store itself, read
    only, or a fresh writable copy of it (so that updates never touch the graph's files)."""
    import shutil

    cached_store(files, progress=progress)
    location = cache_dir() / cache_key(files)
    if read_only:
        return [binary, "serve-read-only", "--location", str(location), "--bind",
                f"{host}:{port}"]
    # One copy per server: the process that asks becomes the server (exec), so its pid
    # names the copy, and a copy whose server is gone is removed (see _remove_leftovers).
    writable = cache_dir() / f"{SERVED}{location.name}.{os.getpid()}"
    shutil.rmtree(writable, ignore_errors=True)
    shutil.copytree(location, writable)
    (writable / MARKER).unlink(missing_ok=True)  # a copy to change, never a cached store
    return [binary, "serve", "--location", str(writable), "--bind", f"{host}:{port}"]
