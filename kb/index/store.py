"""The generation store: where built indexes live on disk, and how one replaces another.

``KB_INDEX`` (default ``var/index``) is a symbolic link to a generation directory beside it,
``index.gen-<stamp>``. A build writes a new generation, records every file's size and SHA-256 in its
manifest (written last), then replaces the link with ``os.replace``, which is atomic: a reader sees the
old generation or the new one, never half of one. Old generations are pruned, keeping the newest old
one for servers that have not refreshed yet.

Nothing here deletes or renames what it did not create: ``KB_INDEX`` must be absent or the store's own
link, so a mistyped path (a ``var/`` holding the feedback database, a file) is refused, never moved.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import IndexPathRefused

MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
FACTS = "facts.json"
KEEP_GENERATIONS = 2
GENERATION_MARK = ".gen-"
HASH_CHUNK = 1 << 20


def default_index() -> Path:
    """Where the index is: ``KB_INDEX``, else ``var/index``."""
    return Path(os.environ.get("KB_INDEX", "var/index"))


def generation_prefix(index_path: Path) -> str:
    """The name every generation directory of ``index_path`` starts with."""
    return f"{index_path.name}{GENERATION_MARK}"


def check_index_path(index_path: Path) -> None:
    """Refuse an index path that is neither absent nor the store's own link to one of its generations."""
    if not index_path.is_symlink():
        if index_path.exists():
            kind = "folder" if index_path.is_dir() else "file"
            raise IndexPathRefused(
                f"index path {index_path} is an existing {kind} that kb did not create; it is left as it is. "
                "Point KB_INDEX (or --index) at a new path, e.g. var/index")
        return
    target = os.readlink(index_path)
    if os.sep in target.rstrip(os.sep) or not target.startswith(generation_prefix(index_path)):
        raise IndexPathRefused(
            f"index path {index_path} is a link to {target}, not to one of its own generations "
            f"({generation_prefix(index_path)}…); it is left as it is")


@contextmanager
def build_lock(index_path: Path) -> Iterator[None]:
    """One build at a time per index path (other builds wait)."""
    index_path.parent.mkdir(parents=True, exist_ok=True)
    with open(index_path.parent / f".{index_path.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_generation(index_path: Path) -> Path:
    """A new, empty generation directory beside ``index_path``, named by time and a random part."""
    stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    generation = index_path.with_name(f"{generation_prefix(index_path)}{stamp}")
    generation.mkdir(parents=True)
    return generation


def generations(index_path: Path) -> list[Path]:
    """Every generation directory of this index path, newest first."""
    found = [p for p in index_path.parent.glob(f"{generation_prefix(index_path)}*") if p.is_dir()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def swap(index_path: Path, generation: Path) -> None:
    """Point the index path at ``generation``, atomically."""
    check_index_path(index_path)
    link = index_path.with_name(f".{index_path.name}.swap-{os.getpid()}")
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(generation.name, link)
    os.replace(link, index_path)


def prune(index_path: Path) -> None:
    """Remove old generations of ``index_path``, keeping the current one and the newest older one (a running server
    may still read it)."""
    current = index_path.resolve()
    old = [g for g in generations(index_path) if g.resolve() != current]
    # The newest old generation may still be open in a running server; keep it.
    for generation in old[KEEP_GENERATIONS - 1:]:
        shutil.rmtree(generation, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def checksums(generation: Path) -> dict[str, dict]:
    """Size and SHA-256 of every file of a generation but its manifest."""
    return {path.name: {"size": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(generation.iterdir()) if path.is_file() and path.name != MANIFEST}


def write_manifest(generation: Path, manifest: dict) -> None:
    """The manifest, with the checksums of everything written before it; written last."""
    data = {**manifest, "files": checksums(generation)}
    (generation / MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_manifest(index_path: Path) -> dict:
    """The manifest of the generation at ``index_path``, or {} when there is none or it cannot be read."""
    try:
        manifest = json.loads((index_path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def problems(generation: Path, manifest: dict, hashes: bool = False) -> list[str]:
    """What is wrong with a generation's files against its manifest: a file missing, of another size,
    or (with ``hashes``) with other contents. Sizes are a few ``stat`` calls, done on every open; hashes
    read every byte, done by ``kb build`` and ``kb check``."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return [f"{generation.name}: the manifest lists no files (built by an older kb, or damaged)"]
    found: list[str] = []
    for name, expected in files.items():
        path = generation / name
        try:
            size = path.stat().st_size
        except OSError:
            found.append(f"{name} is missing")
            continue
        if size != expected.get("size"):
            found.append(f"{name} has {size} bytes, the manifest says {expected.get('size')}")
        elif hashes and _sha256(path) != expected.get("sha256"):
            found.append(f"{name} does not match its checksum")
    return found
