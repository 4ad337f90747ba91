"""The models a user can have: the catalog, the model folders on disk, and downloads of
published models from the Hugging Face hub into the models folder.

Qt-free and torch-free, below the engine and speech recognition, which load what this
finds. Every call blocks, so the GUI runs it in a worker thread and the CLI
in its main thread. Nothing is downloaded unless :func:`download` is called.

Layout (``<models>`` is ``studio.paths.models_dir()`` unless ``models_dir=`` is given)::

    <models>/.downloading/<name>/           staging: finished files + ``<file>.incomplete``
    <models>/.downloading/<name>.lock       held (flock/msvcrt) while a download runs
    <models>/<name>/                        the model, renamed into place when complete

``<name>`` is the repo's name (``Qwen/Qwen3-TTS-12Hz-0.6B-Base`` -> ``Qwen3-TTS-12Hz-0.6B-Base``).
Discovery only looks at direct children of ``<models>`` with a ``config.json``, so a
half-downloaded model is never listed. A finished model folder carries a small
``.studio-download.json`` (repo, commit, file sizes and hashes); it lets :func:`download`
return at once, without the network, when the model is already there.

Public API (the catalog itself is :mod:`studio.hub.catalog`)::

    discover(roots=None, extra=(), *, kind="tts") -> list[ModelInfo] | list[AsrModelInfo]
    read_model_info(folder) -> ModelInfo | None;  read_asr_info(folder) -> AsrModelInfo | None
    read_info(folder, kind="tts");  find_named(models, path_or_folder_name) -> info | None
    plan(model, models_dir=None, *, revision="main", endpoint=None, token=None) -> DownloadPlan
    download(model, models_dir=None, progress=None, cancel=None, *, revision="main",
             endpoint=None, token=None, retries=3, progress_interval=0.1) -> Path
    partial_state(model, models_dir=None) -> PartialDownload | None
    installed_path(model, models_dir=None) -> Path | None
    discard_partial(model, models_dir=None) -> bool
    delete_model(path, models_dir=None, *, to_trash=False) -> Path | None
    resolve_repo_id(model) -> str;  model_kind_of(repo_id) -> "tts" | "asr"

``model`` is a hub id (``Qwen/Qwen3-TTS-12Hz-0.6B-Base``), a catalog folder name
(``Qwen3-TTS-12Hz-0.6B-Base``, case-insensitive) or a ``catalog.CatalogEntry``. Transcription
models (``catalog.ASR_CATALOG``, e.g. ``whisper-small``) download the same way; only the files
their entry lists are fetched, and ``check_model`` checks them for a Whisper model instead.

Progress: ``progress(DownloadProgress)`` is called in the downloading thread, at most about
once per ``progress_interval`` seconds (state changes to ``finishing``/``done``/``cancelled``/
``failed`` always come through). ``done_bytes`` counts what is on disk, resumed bytes
included; it only goes back if a partial file turns out unusable and is fetched again.

Cancel: set the ``cancel`` ``threading.Event`` from any thread. The transfer stops within
about 0.1 s, even inside a file or on a stalled connection (the socket is shut down), and
:class:`DownloadCancelled` is raised. Partial files are kept; the next :func:`download`
resumes each file with an HTTP Range request.

Integrity: every file's size is checked, LFS files (the weights) against the hub's sha256,
other files against their git blob id. A file that fails is deleted (a resumed one is fetched
once more from scratch) and :class:`ChecksumMismatch` is raised.

Errors (all ``StudioError``; ``str(e)`` says what to do): :class:`HubUnreachable` (no
network, DNS, refused; "Could not reach huggingface.co..."), :class:`ConnectionLost`,
:class:`RepoNotFound`, :class:`RevisionNotFound`, :class:`AccessDenied` (401/403, gated),
:class:`HubError` (5xx after retries), :class:`DiskFull` (checked before starting with a margin,
and on ENOSPC while writing), :class:`ChecksumMismatch`, :class:`NotAModel`,
:class:`FolderConflict`, :class:`DownloadInProgress`, :class:`DownloadCancelled` (also
a ``studio.errors.Cancelled``). All derive from :class:`DownloadError`.

Environment: ``HF_ENDPOINT`` is read at call time (``endpoint=`` wins); the token comes from
``token=``, ``HF_TOKEN`` or the token file under ``HF_HOME``, which :func:`download` points at
``<root>/cache/huggingface`` unless the user set ``HF_HOME``/``HF_HUB_CACHE``.
``HF_HUB_OFFLINE`` is deliberately ignored: it guards implicit network use by libraries (the
engine sets it while loading), while a download is an explicit request.

Modules, one job each: ``catalog`` (the published models), ``tts_folders`` and
``asr_folders`` (what a folder is), ``discovery`` (finding them), ``client`` (HTTP to the
hub), ``errors``, ``layout`` (folders, manifest, which repo a name means), ``plan`` (listing
vs disk, partial state), ``locks``, ``progress``, ``transfer`` (ranged GETs, resume,
retries, cancel), ``verify`` (sizes, hashes, model kind), ``staging`` (space check, move
into place), ``removal`` and ``downloads`` (one download, start to end).
"""

from studio.hub.asr_folders import AsrModelInfo, read_asr_info
from studio.hub.discovery import discover, find_named, read_info
from studio.hub.downloads import download
from studio.hub.errors import (
    AccessDenied,
    ChecksumMismatch,
    ConnectionLost,
    DiskFull,
    DownloadCancelled,
    DownloadError,
    DownloadInProgress,
    FolderConflict,
    HubError,
    HubUnreachable,
    NotAModel,
    RepoNotFound,
    RevisionNotFound,
)
from studio.hub.layout import (
    DEFAULT_IGNORE,
    DELETING_DIR,
    MANIFEST,
    PART_SUFFIX,
    STAGING_DIR,
    installed_path,
    model_kind_of,
    resolve_repo_id,
)
from studio.hub.plan import DownloadPlan, PartialDownload, PlannedFile, partial_state, plan
from studio.hub.progress import (
    CANCELLED,
    CHECKING,
    DONE,
    DOWNLOADING,
    FAILED,
    FINISHING,
    VERIFYING,
    DownloadProgress,
    ProgressCallback,
)
from studio.hub.removal import delete_model, discard_partial
from studio.hub.tts_folders import TTS_KINDS, ModelInfo, read_model_info

__all__ = [
    "CANCELLED", "CHECKING", "DEFAULT_IGNORE", "DELETING_DIR", "DONE", "DOWNLOADING", "FAILED",
    "FINISHING", "MANIFEST", "PART_SUFFIX", "STAGING_DIR", "TTS_KINDS", "VERIFYING",
    "AccessDenied", "AsrModelInfo", "ChecksumMismatch", "ConnectionLost", "DiskFull",
    "DownloadCancelled", "DownloadError", "DownloadInProgress", "DownloadPlan",
    "DownloadProgress", "FolderConflict", "HubError", "HubUnreachable", "ModelInfo",
    "NotAModel", "PartialDownload", "PlannedFile", "ProgressCallback", "RepoNotFound",
    "RevisionNotFound", "delete_model", "discard_partial", "discover", "download", "find_named",
    "installed_path", "model_kind_of", "partial_state", "plan", "read_asr_info", "read_info",
    "read_model_info", "resolve_repo_id",
]
