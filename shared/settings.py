"""Deployment settings, read once from the environment (Functions app settings)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Azurite's documented, public development account; never a real secret.
AZURITE_DEV_CONNECTION = "UseDevelopmentStorage=true"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


ROLES = ("recognizer", "enroller", "admin")


@dataclass(frozen=True)
class ApiKey:
    """A key is known only by its SHA-256; `name` identifies it in the audit log."""

    name: str
    role: str
    sha256: str


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _api_keys() -> tuple[ApiKey, ...]:
    keys = []
    # key1/key2 behave like an Azure resource's two keys: full access, rotated one at a time.
    for name, var in (("key1", "FACE_API_KEY"), ("key2", "FACE_API_KEY_2")):
        if os.environ.get(var):
            keys.append(ApiKey(name, "admin", key_hash(os.environ[var])))
    # Further keys by hash only: "name:role:sha256hex" separated by commas or newlines.
    for entry in os.environ.get("FACE_API_KEY_HASHES", "").replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        name, role, digest = (part.strip() for part in entry.split(":"))
        if role not in ROLES or len(digest) != 64:
            raise ValueError(f"FACE_API_KEY_HASHES entry for '{name}' must be name:role:sha256 with role in {ROLES}")
        keys.append(ApiKey(name, role, digest.lower()))
    return tuple(keys)


@dataclass(frozen=True)
class Limits:
    """Azure's S0 quotas by default; each can be lowered (or raised) per deployment."""

    persons_per_person_group: int = 10_000
    persons_per_large_person_group: int = 1_000_000
    faces_per_person: int = 248
    faces_per_face_list: int = 1_000
    faces_per_large_face_list: int = 1_000_000
    face_lists: int = 64

    @staticmethod
    def from_env() -> "Limits":
        d = Limits()
        return Limits(
            persons_per_person_group=_int("FACE_LIMIT_PERSONS_PER_PERSON_GROUP", d.persons_per_person_group),
            persons_per_large_person_group=_int("FACE_LIMIT_PERSONS_PER_LARGE_PERSON_GROUP", d.persons_per_large_person_group),
            faces_per_person=_int("FACE_LIMIT_FACES_PER_PERSON", d.faces_per_person),
            faces_per_face_list=_int("FACE_LIMIT_FACES_PER_FACE_LIST", d.faces_per_face_list),
            faces_per_large_face_list=_int("FACE_LIMIT_FACES_PER_LARGE_FACE_LIST", d.faces_per_large_face_list),
            face_lists=_int("FACE_LIMIT_FACE_LISTS", d.face_lists),
        )


@dataclass(frozen=True)
class Settings:
    # Storage: a connection string (Azurite, or an account key kept in Key Vault),
    # or an account name used with DefaultAzureCredential (managed identity).
    storage_connection_string: str | None
    storage_account_name: str | None
    table_prefix: str
    api_keys: tuple[ApiKey, ...]
    model_dir: Path
    ort_intra_threads: int
    ort_inter_threads: int
    allow_private_urls: bool
    url_timeout_seconds: float
    url_max_redirects: int
    max_image_pixels: int
    training_queue: str
    limits: "Limits"
    require_consent: bool
    photo_sas_minutes: int
    enrollment_quality_filter: bool

    @staticmethod
    def from_env() -> "Settings":
        conn = os.environ.get("FACE_STORAGE_CONNECTION_STRING") or os.environ.get("AzureWebJobsStorage") or None
        account = os.environ.get("FACE_STORAGE_ACCOUNT_NAME") or None
        if conn is None and account is None:
            conn = AZURITE_DEV_CONNECTION
        model_dir = Path(os.environ.get("FACE_MODEL_DIR") or "models")
        if not model_dir.is_absolute():
            model_dir = PROJECT_ROOT / model_dir
        return Settings(
            storage_connection_string=conn,
            storage_account_name=account,
            table_prefix=os.environ.get("FACE_TABLE_PREFIX", "face"),
            api_keys=_api_keys(),
            model_dir=model_dir,
            ort_intra_threads=_int("FACE_ORT_INTRA_THREADS", 2),
            ort_inter_threads=_int("FACE_ORT_INTER_THREADS", 1),
            allow_private_urls=_bool("FACE_ALLOW_PRIVATE_URLS", False),
            url_timeout_seconds=float(os.environ.get("FACE_URL_TIMEOUT_SECONDS", "10")),
            url_max_redirects=_int("FACE_URL_MAX_REDIRECTS", 3),
            max_image_pixels=_int("FACE_MAX_IMAGE_PIXELS", 40_000_000),
            training_queue=os.environ.get("FACE_TRAINING_QUEUE", "face-training"),
            limits=Limits.from_env(),
            require_consent=_bool("FACE_REQUIRE_CONSENT", False),
            photo_sas_minutes=min(_int("FACE_PHOTO_SAS_MINUTES", 15), 60),
            enrollment_quality_filter=_bool("FACE_ENROLLMENT_QUALITY_FILTER", True),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
