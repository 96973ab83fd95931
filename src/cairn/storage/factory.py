"""Build a backend from plain configuration (the composition root maps settings onto it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cairn.storage.base import StorageBackend
from cairn.storage.local import LocalStorage

BACKENDS = ("local", "s3")


@dataclass(frozen=True)
class StorageConfig:
    """Where blobs go. ``backend`` picks the fields that matter: ``local_root`` for ``local``,
    the ``s3_*`` fields for ``s3``. Empty strings count as unset; keys left unset use boto3's
    own credential chain. Maps 1:1 onto the ``storage_*``/``s3_*`` settings, with
    ``s3_presign`` true when ``files_offload`` is ``presigned``."""

    backend: str = "local"
    local_root: Path | None = None
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_presign: bool = False

    def __repr__(self) -> str:  # never print the secret key
        secret = "***" if self.s3_secret_key else None
        return (
            f"StorageConfig(backend={self.backend!r}, local_root={self.local_root!r}, "
            f"s3_bucket={self.s3_bucket!r}, s3_prefix={self.s3_prefix!r}, "
            f"s3_endpoint_url={self.s3_endpoint_url!r}, s3_region={self.s3_region!r}, "
            f"s3_access_key={self.s3_access_key!r}, s3_secret_key={secret!r}, "
            f"s3_presign={self.s3_presign!r})"
        )


def build_storage(config: StorageConfig) -> StorageBackend:
    """The backend ``config`` describes; ValueError when it is incomplete."""
    if config.backend == "local":
        if config.local_root is None:
            raise ValueError("the local storage backend needs a root directory")
        return LocalStorage(config.local_root)
    if config.backend == "s3":
        if not config.s3_bucket:
            raise ValueError("the s3 storage backend needs a bucket")
        if bool(config.s3_access_key) != bool(config.s3_secret_key):
            raise ValueError("give both the S3 access key and the secret key, or neither")
        from cairn.storage.s3 import S3Storage  # boto3 is needed only when S3 is used

        return S3Storage(  # empty strings (as settings give them) mean "not set"
            config.s3_bucket,
            prefix=config.s3_prefix,
            endpoint_url=config.s3_endpoint_url or None,
            region=config.s3_region or None,
            access_key=config.s3_access_key or None,
            secret_key=config.s3_secret_key or None,
            presign=config.s3_presign,
        )
    raise ValueError(f"unknown storage backend {config.backend!r} (choose from {BACKENDS})")
