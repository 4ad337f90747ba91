"""One portable file per voice: a zip whose manifest lists every member's size and sha256.

Import trusts nothing in the file. Member names must be one of the few a voice has (so no
path can leave the staging folder), links and folders are refused, sizes are checked as
declared *and* as actually decompressed against caps, every byte is hashed against the
manifest, and the metadata, prompt and clip are validated exactly as the library reads
them, under the library's own size caps (limits.py). Members are streamed into a staging
folder the caller checks once more with the library's reader, then commits or throws away.

A voice with several takes (takes.py) also carries ``takes/<take-id>/`` members, the only
folder a voice file may have; such a file is export format version 2, one without takes
stays version 1, so older versions of the app still import it.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from studio import __version__, safe_json
from studio.engine import prompts
from studio.errors import StudioError
from studio.fsutil import atomic_open
from studio.library import limits, refaudio
from studio.library.errors import BadArchive, UnsupportedSchema
from studio.library.folder import VoiceEntry
from studio.library.schema import (
    MAIN_TAKE,
    META_FILE,
    ORIGINAL_RE,
    PROMPT_FILE,
    REFERENCE_FILE,
    TRANSCRIPT_FILE,
    Voice,
    format_time,
    voice_from_dict,
)
from studio.library.takes import MAX_TAKES, TAKE_FILES, TAKE_META, TAKES_DIR, take_from_meta

FORMAT = "voice-studio-voice"
VERSION = 2  # written when a voice has several takes; 1 otherwise
VERSIONS = (1, 2)
SUFFIX = ".voice.zip"
MANIFEST = "manifest.json"
REQUIRED = (META_FILE, REFERENCE_FILE, TRANSCRIPT_FILE, PROMPT_FILE)
_MiB = 1 << 20
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_TAKE_MEMBER_RE = re.compile(r"takes/(take-[1-9][0-9]{0,2})/(" + "|".join(
    re.escape(f) for f in TAKE_FILES) + "|" + ORIGINAL_RE.pattern + ")")


@dataclass(frozen=True)
class ImportLimits:
    """Caps that keep a hostile file from filling the disk or the memory. A member is held
    to the smaller of these and the library's own cap for it (limits.py), so these can
    only tighten what the library reads."""

    max_archive_bytes: int = 1024 * _MiB
    max_members: int = 8  # members outside takes/
    max_take_members: int = (len(TAKE_FILES) + 1) * (MAX_TAKES - 1)  # + each original
    max_member_bytes: int = limits.CLIP_BYTES  # the reference clip or the original import
    max_small_bytes: int = limits.MANIFEST_BYTES  # manifest, voice.json, transcripts
    max_prompt_bytes: int = limits.PROMPT_BYTES
    max_total_bytes: int = 512 * _MiB
    max_ratio: int = 100  # uncompressed / compressed, for members above 1 MiB


LIBRARY_CAPS = {MANIFEST: limits.MANIFEST_BYTES, META_FILE: limits.META_BYTES,
                TRANSCRIPT_FILE: limits.TRANSCRIPT_BYTES, TAKE_META: limits.TAKE_META_BYTES}


def export_voice(entry: VoiceEntry, dest: Path, now: datetime) -> Path:
    """Write ``entry`` to ``dest`` (a file, or a folder to put ``<id>.voice.zip`` in)."""
    if dest.is_dir():
        dest = dest / f"{entry.id}{SUFFIX}"
    names = [*REQUIRED, *([entry.voice.original_file] if entry.voice.original_file else [])]
    for take in entry.takes():  # whole takes only: a damaged one is left behind
        if not take.main and take.problem is None:
            files = [*TAKE_FILES, *([take.original_file] if take.original_file else [])]
            names += [f"{TAKES_DIR}/{take.id}/{f}" for f in files]
    members = [dict(name=n, **_digest(entry.path / n)) for n in names]
    version = VERSION if any("/" in n for n in names) else 1
    manifest = dict(format=FORMAT, version=version, app_version=__version__,
                    exported=format_time(now), voice_id=entry.id, members=members)
    stamp = now.timetuple()[:6] if now.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    with atomic_open(dest, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_info(MANIFEST, stamp), json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in names:
            with open(entry.path / name, "rb") as src, zf.open(_info(name, stamp), "w") as out:
                while chunk := src.read(_MiB):
                    out.write(chunk)
    return dest


def extract_into(archive: Path, stage: Path, caps: ImportLimits = ImportLimits()) -> Voice:
    """Validate ``archive`` completely while writing its members into ``stage``."""

    def bad(reason: str) -> BadArchive:
        return BadArchive(f"{archive.name} cannot be imported: {reason}.")

    try:
        size = archive.stat().st_size
    except OSError as exc:
        raise bad(f"the file cannot be read ({exc.strerror})") from exc
    if not archive.is_file():
        raise bad("it is not a file")
    if size > caps.max_archive_bytes:
        raise bad(f"it is larger than {caps.max_archive_bytes // _MiB} MiB")
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = _check_members(zf, caps, bad)
            manifest = _read_manifest(zf, infos.pop(MANIFEST, None), caps, bad)
            _check_listing(manifest, infos, bad)
            total = 0
            for entry in manifest["members"]:
                total += extract_member(zf, infos[entry["name"]], entry, stage, caps, total,
                                        bad)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise bad(f"it is not a valid voice file ({exc})") from exc
    return _validate_voice(stage, set(infos), bad)


def _check_members(zf: zipfile.ZipFile, caps: ImportLimits,
                   bad: Callable[[str], BadArchive]) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    in_takes = sum(1 for i in infos if i.filename.startswith(f"{TAKES_DIR}/"))
    if len(infos) - in_takes > caps.max_members or in_takes > caps.max_take_members:
        raise bad(f"it has {len(infos)} members, more than a voice ever has")
    found: dict[str, zipfile.ZipInfo] = {}
    declared_total = 0
    for info in infos:
        name = info.filename
        problem = name_problem(name)
        if problem:
            raise bad(f"the member {name!r} {problem}")
        if name.casefold() in {n.casefold() for n in found}:
            raise bad(f"the member {name!r} appears twice")
        file_type = stat.S_IFMT(info.external_attr >> 16)  # 0 when the tool set none
        if info.is_dir() or info.external_attr & 0x10 or file_type not in (0, stat.S_IFREG):
            raise bad(f"the member {name!r} is a link or folder, not a plain file")
        if info.flag_bits & 0x1:
            raise bad(f"the member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise bad(f"the member {name!r} uses an unsupported compression")
        cap = member_cap(name, caps)
        if info.file_size > cap:
            raise bad(f"the member {name!r} is too large ({info.file_size} bytes, "
                      f"at most {cap})")
        if info.file_size > _MiB and info.file_size > caps.max_ratio * max(info.compress_size, 1):
            raise bad(f"the member {name!r} is compressed suspiciously well (a zip bomb?)")
        declared_total += info.file_size
        found[name] = info
    if declared_total > caps.max_total_bytes:
        raise bad("its contents add up to more than "
                  f"{caps.max_total_bytes // _MiB} MiB")
    return found


def name_problem(name: str) -> str | None:
    """Why a member name is refused, or None: only the plain names a voice uses pass."""
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "points outside the voice ('..')"
    take = _TAKE_MEMBER_RE.fullmatch(name)
    if take is not None and take.group(1) != MAIN_TAKE:
        return None
    if "/" in name or "\x00" in name:
        return "is inside a folder, which a voice file never has"
    if name not in (MANIFEST, *REQUIRED) and not ORIGINAL_RE.fullmatch(name):
        return "is not part of a voice"
    return None


def member_cap(name: str, caps: ImportLimits) -> int:
    """The most bytes the member may hold: what the import allows and the library reads."""
    name = name.rsplit("/", 1)[-1]
    if name in LIBRARY_CAPS:
        return min(caps.max_small_bytes, LIBRARY_CAPS[name])
    if name == PROMPT_FILE:
        return min(caps.max_prompt_bytes, limits.PROMPT_BYTES)
    return min(caps.max_member_bytes, limits.CLIP_BYTES)


def _read_manifest(zf: zipfile.ZipFile, info: zipfile.ZipInfo | None, caps: ImportLimits,
                   bad: Callable[[str], BadArchive]) -> dict[str, Any]:
    if info is None:
        raise bad("it has no manifest, so it is not a Voice Studio voice file")
    raw = _read_capped(zf, info, member_cap(MANIFEST, caps), bad)
    try:
        manifest = safe_json.loads(raw)
    except ValueError as exc:
        raise bad(f"its manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad("its manifest is not a Voice Studio manifest")
    version = manifest.get("version")
    if version not in VERSIONS:
        raise UnsupportedSchema(
            f"The voice file uses export format version {version!r}, which this version of "
            f"Voice Studio (format {VERSION}) cannot read. Update Voice Studio to import it."
        )
    members = manifest.get("members")
    if not isinstance(members, list):
        raise bad("its manifest lists no members")
    for m in members:
        if not (isinstance(m, dict) and isinstance(m.get("name"), str)
                and isinstance(m.get("size"), int) and not isinstance(m.get("size"), bool)
                and m["size"] >= 0 and isinstance(m.get("sha256"), str)
                and _SHA_RE.fullmatch(m["sha256"])):
            raise bad("its manifest has a malformed member entry")
    return manifest


def _check_listing(manifest: dict[str, Any], infos: dict[str, zipfile.ZipInfo],
                   bad: Callable[[str], BadArchive]) -> None:
    listed = [m["name"] for m in manifest["members"]]
    if len(set(listed)) != len(listed):
        raise bad("its manifest lists a member twice")
    if set(listed) != set(infos):
        missing, extra = set(listed) - set(infos), set(infos) - set(listed)
        raise bad(f"its manifest and contents disagree (missing: {sorted(missing)}, "
                  f"unlisted: {sorted(extra)})")
    for m in manifest["members"]:
        if infos[m["name"]].file_size != m["size"]:
            raise bad(f"the member {m['name']!r} has a different size than the manifest says")


def extract_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, listed: dict[str, Any],
                   stage: Path, caps: ImportLimits, total_so_far: int,
                   bad: Callable[[str], BadArchive]) -> int:
    """Stream one member to the stage, counting and hashing what is really decompressed."""
    cap = min(listed["size"], member_cap(info.filename, caps))
    digest = hashlib.sha256()
    count = 0
    (stage / info.filename).parent.mkdir(parents=True, exist_ok=True)  # takes/<id>/
    with zf.open(info) as src, open(stage / info.filename, "xb") as out:
        while chunk := src.read(_MiB):
            count += len(chunk)
            if count > cap or total_so_far + count > caps.max_total_bytes:
                raise bad(f"the member {info.filename!r} is larger than it declares")
            digest.update(chunk)
            out.write(chunk)
    if count != listed["size"] or digest.hexdigest() != listed["sha256"]:
        raise bad(f"the member {info.filename!r} is corrupted (its checksum does not match)")
    return count


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int,
                 bad: Callable[[str], BadArchive]) -> bytes:
    with zf.open(info) as src:
        data = src.read(cap + 1)
    if len(data) > cap:
        raise bad(f"the member {info.filename!r} is too large")
    return data


def _validate_voice(stage: Path, names: set[str], bad: Callable[[str], BadArchive]) -> Voice:
    for name in REQUIRED:
        if name not in names:
            raise bad(f"{name} is missing")
    try:
        data = safe_json.loads((stage / META_FILE).read_bytes())
    except ValueError as exc:
        raise bad(f"{META_FILE} is not valid JSON ({exc})") from exc
    try:
        voice = voice_from_dict(data)
    except UnsupportedSchema:
        raise
    except StudioError as exc:
        raise bad(f"{META_FILE} is invalid ({exc})") from exc
    originals = {n for n in names if ORIGINAL_RE.fullmatch(n)}
    if originals != ({voice.original_file} if voice.original_file else set()):
        raise bad("its original file does not match what voice.json says")
    for name in originals:
        try:
            refaudio.check_original(stage / name)
        except StudioError as exc:
            raise bad(f"its original file is not the audio it must be ({exc})") from exc
    try:
        prompts.from_bytes((stage / PROMPT_FILE).read_bytes(), source="voice prompt")
    except StudioError as exc:
        raise bad(f"its voice prompt is unusable ({exc})") from exc
    try:
        refaudio.check(stage / REFERENCE_FILE, full=True)
    except StudioError as exc:
        raise bad(f"its reference clip is unusable ({exc})") from exc
    try:
        (stage / TRANSCRIPT_FILE).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"{TRANSCRIPT_FILE} is not UTF-8 text") from exc
    take_ids = _validate_takes(stage, names, bad)
    if voice.active_take != MAIN_TAKE and voice.active_take not in take_ids:
        raise bad(f"its active take {voice.active_take} is not in it")
    return voice


def _validate_takes(stage: Path, names: set[str], bad: Callable[[str], BadArchive]) -> set[str]:
    """Every take must be whole and valid, exactly as the library reads it."""
    found: dict[str, set[str]] = {}
    for name in names:
        match = _TAKE_MEMBER_RE.fullmatch(name)
        if match:
            found.setdefault(match.group(1), set()).add(match.group(2))
    for take_id, files in found.items():
        missing = sorted(set(TAKE_FILES) - files)
        if missing:
            raise bad(f"its {take_id} is incomplete ({', '.join(missing)} missing)")
        folder = stage / TAKES_DIR / take_id
        try:
            meta = safe_json.loads((folder / TAKE_META).read_bytes())
            take = take_from_meta(meta, take_id, folder, False)
            if take.original_path is not None and take.original_file in files:
                refaudio.check_original(take.original_path)
            prompts.from_bytes((folder / PROMPT_FILE).read_bytes(), source="voice prompt")
            refaudio.check(folder / REFERENCE_FILE, full=True)
            (folder / TRANSCRIPT_FILE).read_bytes().decode("utf-8")
        except (UnicodeDecodeError, ValueError, StudioError) as exc:
            raise bad(f"its {take_id} is unusable ({exc})") from exc
        if files - set(TAKE_FILES) != ({take.original_file} if take.original_file else set()):
            raise bad(f"the original file of its {take_id} does not match its {TAKE_META}")
    return set(found)


def _digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_MiB):
            digest.update(chunk)
            size += len(chunk)
    return dict(size=size, sha256=digest.hexdigest())


def _info(name: str, stamp: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info
