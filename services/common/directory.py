"""The federation directory: which organisations run a node, and where their
services listen. One JSON file the operator maintains, read by each node's
referral service (where to send a referral) and by the federation hub (whom to
ask for statistics)::

    {"nodes": [{"org": "mira", "name": "MiRA-Senteret",
                "reporting": "mira-reporting:50054", "referral": "mira-referral:50053"}]}

Addresses are host:port, or tls://host:port for a TLS channel. A reader states
which fields it needs (the hub needs every node's name and reporting address;
the referral service needs neither, and a node without "referral" takes no
referrals). Every problem is reported at once, each naming the file and the
entry, e.g. ``federation.json: nodes[1] (org 'mira').reporting must be ...``.

parse_directory and parse validate; read_directory reads the file once;
FederationDirectory reads it on first use and again whenever it changes.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from services.common.names import ORG_RE
from services.common.settings import ADDRESS_RE

log = logging.getLogger(__name__)

VARIABLE = "BROBYGGER_FEDERATION_DIRECTORY"
FIELDS = ("name", "reporting", "referral")

_EXAMPLE = '{"nodes": [{"org": "mir", "name": "...", "reporting": "host:port", "referral": "host:port"}]}'


class DirectoryError(ValueError):
    """The directory cannot be used; each problem names the file and the entry."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Node:
    org: str
    name: str = ""
    # Empty when the entry gives no reporting service.
    reporting: str = ""
    # Empty for a node that takes no referrals (the hub lists such nodes too).
    referral: str = ""


def is_address(value: Any) -> bool:
    """host:port or tls://host:port."""
    return isinstance(value, str) and bool(ADDRESS_RE.match(value.removeprefix("tls://")))


def _absent(value: Any) -> bool:
    return value is None or value == ""


def parse_directory(data: Any, source: str, *, required: Collection[str] = (),
                    non_empty: bool = False) -> list[Node]:
    """Validate a parsed directory, in file order; every problem is reported at once.

    required: the fields of FIELDS every entry must give; non_empty: at least one node must be listed.
    """
    unknown = set(required) - set(FIELDS)
    if unknown:
        raise ValueError(f"not directory fields: {', '.join(sorted(unknown))}")
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise DirectoryError([f"{source}: expected a JSON object like {_EXAMPLE}"])
    if non_empty and not data["nodes"]:
        raise DirectoryError([f'{source}: "nodes" is empty; list every node of the federation'])
    problems: list[str] = []
    nodes: list[Node] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data["nodes"]):
        where = f"{source}: nodes[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be an object with org, name, reporting and referral")
            continue
        mine: list[str] = []
        org = entry.get("org")
        if isinstance(org, str) and ORG_RE.match(org):
            where = f"{where} (org {org!r})"
            if org in seen:
                mine.append(f"{where} repeats the org of nodes[{seen[org]}]; each organisation is listed once")
            seen.setdefault(org, i)
        else:
            mine.append(f"{where}.org must be a short lower-case organisation id such as mir, mira or mkr, "
                        f"got {org!r}")
        name = entry.get("name")
        if not _absent(name) and not isinstance(name, str):
            mine.append(f"{where}.name must be the organisation's display name as a string, got {name!r}")
        elif "name" in required and not (name or "").strip():
            mine.append(f"{where}.name is required: the organisation's display name")
        else:
            name = (name or "").strip()
        reporting = entry.get("reporting")
        if _absent(reporting) and "reporting" not in required:
            reporting = ""
        elif not is_address(reporting):
            mine.append(f"{where}.reporting must be the node's reporting service as host:port "
                        f"(e.g. mir-reporting:50054), got {reporting!r}")
        referral = entry.get("referral")
        if _absent(referral) and "referral" not in required:
            referral = ""
        elif not is_address(referral):
            mine.append(f"{where}.referral must be the node's referral service as host:port "
                        f"(e.g. mir-referral:50053), got {referral!r}")
        if mine:
            problems += mine
        else:
            nodes.append(Node(org=org, name=name, reporting=reporting, referral=referral))
    if problems:
        raise DirectoryError(problems)
    return nodes


def parse(text: str, source: str, *, required: Collection[str] = (), non_empty: bool = False) -> list[Node]:
    """Parse and validate the JSON text of a directory (see parse_directory)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DirectoryError([f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) \
            from None
    return parse_directory(data, source, required=required, non_empty=non_empty)


def _read(path: str) -> tuple[str, tuple]:
    """The file's text and a stamp that changes when the file does."""
    if not path:
        raise DirectoryError([f"{VARIABLE} is not set; point it to the federation directory JSON ({_EXAMPLE})"])
    try:
        stat = os.stat(path)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise DirectoryError([f"{path}: the federation directory file does not exist ({VARIABLE})"]) from None
    except UnicodeDecodeError:
        raise DirectoryError([f"{path}: cannot read the federation directory (it is not UTF-8 text)"]) from None
    except OSError as exc:
        raise DirectoryError([f"{path}: cannot read the federation directory "
                              f"({exc.strerror or type(exc).__name__}); check {VARIABLE}"]) from None
    return text, _stamp(stat)


def _stamp(stat: os.stat_result) -> tuple:
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def read_directory(path: str, *, required: Collection[str] = (), non_empty: bool = False) -> list[Node]:
    """Read and validate the directory file once; DirectoryError names the file and what is wrong."""
    text, _ = _read(path)
    return parse(text, path, required=required, non_empty=non_empty)


class FederationDirectory:
    """The directory file, reloaded when it changes. Thread-safe.

    A file that turns invalid later is reported in the log and the last good
    version stays in use."""

    def __init__(self, path: str, *, required: Collection[str] = (), non_empty: bool = False) -> None:
        self.path = path
        self.required = tuple(required)
        self.non_empty = non_empty
        self._lock = threading.Lock()
        self._nodes: dict[str, Node] | None = None
        self._stamp: tuple | None = None
        self._error: str = ""
        self._bad_stamp: tuple | None = None

    @property
    def configured(self) -> bool:
        return bool(self.path)

    def load(self) -> dict[str, Node]:
        """Read the file now; raises DirectoryError if it is missing or invalid."""
        text, stamp = _read(self.path)
        nodes = {n.org: n for n in parse(text, self.path, required=self.required, non_empty=self.non_empty)}
        with self._lock:
            self._nodes, self._stamp, self._error = nodes, stamp, ""
        return nodes

    def nodes(self) -> dict[str, Node]:
        """The current nodes by org, in file order; the file is re-read when it has changed since the last read."""
        with self._lock:
            nodes, stamp = self._nodes, self._stamp
        try:
            current = _stamp(os.stat(self.path)) if self.path else None
        except OSError:
            current = None
        if nodes is not None and (current is None or current in (stamp, self._bad_stamp)):
            return nodes
        try:
            return self.load()
        except DirectoryError as exc:
            if nodes is None:
                raise
            log.error("federation directory changed but is invalid; still using the previous version: %s", exc)
            with self._lock:
                self._error, self._bad_stamp = str(exc), current
            return nodes

    def get(self, org: str) -> Node | None:
        return self.nodes().get(org)

    def referral_targets(self) -> dict[str, Node]:
        """The nodes that take referrals."""
        return {org: n for org, n in self.nodes().items() if n.referral}
