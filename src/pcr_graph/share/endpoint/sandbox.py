"""Confinement of a query worker process: no network, bounded memory.

The query check (:mod:`.checks`) refuses ``SERVICE``, but a check and an engine can disagree
about what a text means (issue 19: a ``\\u000a`` escape inside a comment). So the worker
that runs queries is made *unable* to reach the network at all: a seccomp filter, installed
in the worker before it opens the store, makes ``socket()`` fail with ``EPERM`` for every
address family but ``AF_UNIX`` (and ``io_uring_setup``, which could open sockets around it).
Oxigraph's ``SERVICE`` client then fails like an unreachable host, whatever the query text.

Memory: ``RLIMIT_AS`` caps the worker's address space; a query that needs more fails its
allocation and the worker dies, which the pool reports and repairs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import struct

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EPERM = 1
_AF_UNIX = 1

# machine -> (AUDIT_ARCH value, socket syscall number, io_uring_setup syscall number)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}

# classic BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_RET_K = 0x06


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _filter_program(arch: int, socket_nr: int, uring_nr: int) -> bytes:
    """A seccomp BPF program: ``socket(AF_INET*, …)`` and ``io_uring_setup`` fail with EPERM.

    seccomp_data layout: ``nr`` at 0, ``arch`` at 4, ``args[0]`` (low word) at 16.
    """
    deny = _SECCOMP_RET_ERRNO | _EPERM
    return b"".join(
        [
            _insn(_LD_W_ABS, 0, 0, 4),  # 0: A = arch
            _insn(_JEQ_K, 1, 0, arch),  # 1: native arch -> 3
            _insn(_RET_K, 0, 0, deny),  # 2: a foreign-arch syscall: refused
            _insn(_LD_W_ABS, 0, 0, 0),  # 3: A = syscall number
            _insn(_JEQ_K, 3, 0, socket_nr),  # 4: socket -> 8
            _insn(_JEQ_K, 0, 1, uring_nr),  # 5: io_uring_setup -> 6, else 7
            _insn(_RET_K, 0, 0, deny),  # 6
            _insn(_RET_K, 0, 0, _SECCOMP_RET_ALLOW),  # 7
            _insn(_LD_W_ABS, 0, 0, 16),  # 8: A = domain
            _insn(_JEQ_K, 0, 1, _AF_UNIX),  # 9: AF_UNIX -> 10, else 11
            _insn(_RET_K, 0, 0, _SECCOMP_RET_ALLOW),  # 10
            _insn(_RET_K, 0, 0, deny),  # 11
        ]
    )


class SandboxError(RuntimeError):
    """The worker could not be confined; it must not answer queries unconfined."""


def deny_network() -> None:
    """Make every later network socket of this process (and its threads) fail with EPERM.

    Raises :class:`SandboxError` where seccomp is unavailable (another OS or architecture):
    the endpoint then refuses to start rather than run queries that could reach out.
    """
    machine = platform.machine()
    if platform.system() != "Linux" or machine not in _ARCHES:
        raise SandboxError(f"no network sandbox for {platform.system()} {machine}")
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    program = _filter_program(*_ARCHES[machine])
    count = len(program) // 8
    buffer = ctypes.create_string_buffer(program, len(program))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(count, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}")
    # SECCOMP_FILTER_FLAG_TSYNC is not needed: called before the store starts any thread.
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise SandboxError(f"seccomp filter refused: errno {ctypes.get_errno()}")


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space at ``megabytes`` (``None`` or 0: no cap)."""
    if not megabytes:
        return
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
